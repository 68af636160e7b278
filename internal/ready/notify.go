// Package ready receives workers' "I am ready" messages on systemd's
// NOTIFY_SOCKET protocol: datagrams of newline-separated KEY=VALUE
// assignments (READY=1, STATUS=..., STOPPING=1, WATCHDOG=1, WATCHDOG=trigger)
// on a unix datagram socket.
// The socket is in the abstract namespace ("@spark2-..."), so it needs no
// writable directory, and the kernel tells the sender's pid with each
// datagram (SO_PASSCRED), so a worker cannot speak for another, and a
// process that is no worker's is not heard at all (Filter).
package ready

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Message is one datagram from a process.
type Message struct {
	Pid      int    // the sender, as the kernel saw it
	Ready    bool   // READY=1
	Status   string // STATUS=..., "" when absent
	Watchdog bool   // WATCHDOG=1: a keep-alive of systemd's watchdog protocol
	Trigger  bool   // WATCHDOG=trigger: the sender asks to be treated as hung now
}

// Socket is the master's end of NOTIFY_SOCKET.
type Socket struct {
	file *os.File // non-blocking, in Go's poller: Close wakes Serve
	Addr string   // the value for NOTIFY_SOCKET, e.g. "@spark2-1-3f9a..."
}

// Listen opens a notify socket with a fresh abstract name. It is made with
// system calls and read through an *os.File, not with package net's
// conns, so that the master links none of net's connection code.
func Listen() (*Socket, error) {
	name := fmt.Sprintf("@spark2-%d-%016x", os.Getpid(), rand.Uint64()) // unique, not secret: the kernel tells senders apart
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open the notify socket %s: %w", name, os.NewSyscallError("socket", err))
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: name}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("open the notify socket %s: %w", name, os.NewSyscallError("bind", err))
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("ask for sender credentials on the notify socket: %w", os.NewSyscallError("setsockopt", err))
	}
	return &Socket{file: os.NewFile(uintptr(fd), name), Addr: name}, nil
}

// Serve reads datagrams until the socket is closed, sending each on out.
// Datagrams without credentials, and those from a sender f does not allow,
// are dropped here (and counted, see Filter), so they never reach the loop.
func (s *Socket) Serve(out chan<- Message, f Filter) {
	raw, err := s.file.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred))
	drops := &dropCounter{f: f}
	for {
		var n, oobn int
		var rerr error
		err := raw.Read(func(fd uintptr) bool {
			n, oobn, rerr = recvmsg(int(fd), buf, oob)
			return rerr != unix.EAGAIN
		})
		if err != nil {
			return // closed
		}
		if rerr == unix.EINTR {
			continue
		}
		if rerr != nil {
			return
		}
		pid, ok := sender(oob[:oobn])
		if !ok || !drops.allowed(pid) {
			continue
		}
		out <- parse(pid, buf[:n])
	}
}

// recvmsg reads one datagram and its control messages from the
// non-blocking socket fd. It is a raw system call: one that never blocks
// needs no hand-off to the scheduler, and the hand-off of a plain
// syscall.Syscall wakes the runtime's sysmon thread when it sleeps, which
// then polls for a while; with --watchdog, datagrams come many times a
// second, and those wake-ups were most of the master's CPU time.
func recvmsg(fd int, p, oob []byte) (n, oobn int, err error) {
	iov := unix.Iovec{Base: &p[0]}
	iov.SetLen(len(p))
	msg := unix.Msghdr{Iov: &iov, Control: &oob[0]}
	msg.SetIovlen(1)
	msg.SetControllen(len(oob))
	r, _, e := syscall.RawSyscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), unix.MSG_CMSG_CLOEXEC|unix.MSG_DONTWAIT)
	if e != 0 {
		return 0, 0, e
	}
	return int(r), int(msg.Controllen), nil
}

// Close closes the socket; Serve returns.
func (s *Socket) Close() error { return s.file.Close() }

func sender(oob []byte) (int, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0, false
	}
	for _, m := range msgs {
		if cred, err := unix.ParseUnixCredentials(&m); err == nil {
			return int(cred.Pid), true
		}
	}
	return 0, false
}

func parse(pid int, b []byte) Message {
	m := Message{Pid: pid}
	for _, line := range bytes.Split(b, []byte("\n")) {
		k, v, _ := bytes.Cut(line, []byte("="))
		switch string(k) {
		case "READY":
			m.Ready = string(v) == "1"
		case "STATUS":
			m.Status = string(v)
		case "WATCHDOG":
			m.Watchdog = m.Watchdog || string(v) == "1"
			m.Trigger = m.Trigger || string(v) == "trigger"
		}
	}
	return m
}
