// Package ready receives workers' "I am ready" messages on systemd's
// NOTIFY_SOCKET protocol: datagrams of newline-separated KEY=VALUE
// assignments (READY=1, STATUS=..., STOPPING=1, WATCHDOG=1, WATCHDOG=trigger,
// EXTEND_TIMEOUT_USEC=...) on a unix datagram socket.
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
	"strconv"
	"syscall"
	"time"
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
	// Extend is EXTEND_TIMEOUT_USEC: the sender needs this much more time,
	// from now, to get ready; 0 when absent or not a number of microseconds.
	Extend time.Duration
	// Period is WATCHDOG_USEC: the sender's watchdog period from now on, 0
	// to turn its watchdog off; NewPeriod says the datagram had one (a
	// number of microseconds, at most a day).
	Period    time.Duration
	NewPeriod bool
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

// batch is how many datagrams one system call may read.
const batch = 8

// Serve reads datagrams until the socket is closed, sending each on out.
// Datagrams without credentials, and those from a sender f does not allow,
// are dropped here (and counted, see Filter), so they never reach the loop;
// so are those longer than 4 KiB (see truncated).
// A datagram that is a plain keep-alive (WATCHDOG=1 and nothing else the
// loop acts on) goes to keepAlive instead, when it is not nil: those come
// many times a second from every worker under --watchdog, and a send on out
// would wake the loop for each.
//
// Each wake-up of the poller costs one recvmmsg, which takes what the
// socket holds (up to batch datagrams); keep-alives are handled inside the
// poller's callback, which asks to wait again as soon as the socket is
// empty, so no system call is spent only to learn that. Other messages are
// sent on out outside the callback: a send that waits must not hold the
// socket, or Close would wait for it.
func (s *Socket) Serve(out chan<- Message, f Filter, keepAlive func(pid int)) {
	raw, err := s.file.SyscallConn()
	if err != nil {
		return
	}
	r := newReceiver()
	drops := &dropCounter{f: f}
	var pending []Message
	for {
		var failed error
		err := raw.Read(func(fd uintptr) bool {
			for {
				n, e := r.receive(int(fd))
				if e == unix.EINTR {
					continue
				}
				if e != nil {
					failed = e
					return e != unix.EAGAIN
				}
				for i := range n {
					pid, ok := r.sender(i)
					if !ok || !drops.allowed(pid) || r.truncated(i) {
						continue
					}
					m := parse(pid, r.data(i))
					if keepAlive != nil && m == (Message{Pid: pid, Watchdog: true}) {
						keepAlive(pid)
					} else {
						pending = append(pending, m)
					}
				}
				if len(pending) > 0 {
					return true
				}
				if n < batch {
					return false // the socket is empty: wait for the next datagram
				}
			}
		})
		for _, m := range pending {
			out <- m
		}
		pending = pending[:0]
		if err != nil || failed != nil && failed != unix.EAGAIN {
			return // closed, or the socket itself failed
		}
	}
}

// receiver holds the buffers of recvmmsg.
type receiver struct {
	hdrs [batch]mmsghdr
	iovs [batch]unix.Iovec
	bufs [batch][4096]byte
	oobs [batch][]byte
}

// mmsghdr is struct mmsghdr of recvmmsg(2); Go pads it as C does.
type mmsghdr struct {
	Hdr unix.Msghdr
	Len uint32
}

func newReceiver() *receiver {
	r := new(receiver)
	for i := range r.hdrs {
		r.oobs[i] = make([]byte, unix.CmsgSpace(unix.SizeofUcred))
		r.iovs[i].Base = &r.bufs[i][0]
		r.iovs[i].SetLen(len(r.bufs[i]))
		r.hdrs[i].Hdr.Iov = &r.iovs[i]
		r.hdrs[i].Hdr.SetIovlen(1)
	}
	return r
}

// receive reads up to batch datagrams from the non-blocking socket fd. It is
// a raw system call: one that never blocks needs no hand-off to the
// scheduler, and the hand-off of a plain syscall.Syscall wakes the runtime's
// sysmon thread when it sleeps, which then polls for a while; with
// --watchdog, datagrams come many times a second.
func (r *receiver) receive(fd int) (int, error) {
	for i := range r.hdrs {
		r.hdrs[i].Hdr.Control = &r.oobs[i][0]
		r.hdrs[i].Hdr.SetControllen(len(r.oobs[i]))
		r.hdrs[i].Hdr.Flags = 0
	}
	n, _, e := syscall.RawSyscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&r.hdrs[0])), batch, unix.MSG_CMSG_CLOEXEC|unix.MSG_DONTWAIT, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// sender is the pid of datagram i's sender, from its credentials.
func (r *receiver) sender(i int) (int, bool) {
	return sender(r.oobs[i][:r.hdrs[i].Hdr.Controllen])
}

// truncated reports whether datagram i was longer than its buffer (4 KiB,
// systemd's own limit). Such a message is dropped whole, as systemd drops
// it: cut, its last line could carry a wrong value (WATCHDOG_USEC=12 of
// WATCHDOG_USEC=1234567).
func (r *receiver) truncated(i int) bool {
	return r.hdrs[i].Hdr.Flags&unix.MSG_TRUNC != 0
}

// data is datagram i's payload (cut at the buffer's size).
func (r *receiver) data(i int) []byte {
	return r.bufs[i][:min(int(r.hdrs[i].Len), len(r.bufs[i]))]
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

// maxUsec is the longest EXTEND_TIMEOUT_USEC or WATCHDOG_USEC taken, a
// day: beyond it the value is ignored (systemd's clients send seconds to
// minutes).
const maxUsec = uint64(24 * time.Hour / time.Microsecond)

// usec parses a number of microseconds of at most maxUsec.
func usec(v []byte) (time.Duration, bool) {
	n, err := strconv.ParseUint(string(v), 10, 63)
	if err != nil || n > maxUsec {
		return 0, false
	}
	return time.Duration(n) * time.Microsecond, true
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
		case "EXTEND_TIMEOUT_USEC":
			m.Extend, _ = usec(v)
		case "WATCHDOG_USEC":
			m.Period, m.NewPeriod = usec(v)
		}
	}
	return m
}
