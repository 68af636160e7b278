package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// workerLife bounds how long a sleeping helper lives, so that nothing the
// benchmark started can outlive it by much even if every cleanup failed.
const workerLife = 4 * time.Minute

// stamp is the worker of the start-up and respawn figures: it prints when it
// started (startNs, CLOCK_REALTIME, comparable across processes), its slot
// and pid, in one write, then sleeps until it is killed.
func stamp() int {
	slot := os.Getenv("SPARK2_WORKER_ID")
	if slot == "" {
		slot = "-"
	}
	os.Stdout.WriteString("stamp " + slot + " " + strconv.Itoa(os.Getpid()) + " " + strconv.FormatInt(startNs, 10) + "\n")
	time.Sleep(workerLife)
	return 0
}

// lines writes n lines of size bytes (newline included) to stdout: in writes
// of as many whole lines as fit in 64 KiB, or with "line", one write per line.
// Then it prints "lines-timing START END" (UnixNano before the first write and
// after the last) to stderr.
func lines(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: spark2bench lines N SIZE [line]")
		return 2
	}
	n, size := atoi(args[0]), atoi(args[1])
	perLine := len(args) > 2 && args[2] == "line"
	if size < 16 {
		size = 16
	}
	per := 1
	if !perLine {
		per = max(1, (64<<10)/size)
	}
	block := make([]byte, 0, per*size)
	for i := 0; i < per; i++ {
		l := fmt.Sprintf("line %08d ", i)
		l += strings.Repeat("x", size-len(l)-1) + "\n"
		block = append(block, l...)
	}
	out := os.Stdout
	t0 := time.Now().UnixNano()
	for left := n; left > 0; left -= per {
		k := min(per, left)
		if _, err := out.Write(block[:k*size]); err != nil {
			fmt.Fprintln(os.Stderr, "lines:", err)
			return 1
		}
	}
	fmt.Fprintf(os.Stderr, "lines-timing %d %d\n", t0, time.Now().UnixNano())
	return 0
}

// orphans is the worker of the reaping figure. It starts a spawner that starts
// n NAP processes and exits at once, so the NAPs become orphans of spark2 (PID
// 1 of its namespace, or a child subreaper). Every NAP blocks reading a pipe
// whose only write end this worker holds, and has FIFO (opened by the
// benchmark for reading) as its stdout: closing the pipe releases them all at
// once, and the benchmark's read of FIFO ends when the last of them has ended.
func orphans(args []string) int {
	if len(args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: spark2bench orphans N FIFO NAP")
		return 2
	}
	n, fifo, nap := atoi(args[0]), args[1], args[2]
	fw, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "orphans:", err)
		return 1
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "orphans:", err)
		return 1
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "orphans:", err)
		return 1
	}
	// Two spawners at once: process creation is most of this figure's
	// wall time, and there are two cores or more.
	began := time.Now()
	var spawners []*os.Process
	for _, k := range []int{n - n/2, n / 2} {
		p, err := os.StartProcess(self, []string{self, "spawner", strconv.Itoa(k), nap},
			&os.ProcAttr{Files: []*os.File{r, fw, os.Stderr}})
		if err != nil {
			fmt.Fprintln(os.Stderr, "orphans:", err)
			w.Close()
			return 1
		}
		spawners = append(spawners, p)
	}
	failed := false
	for _, p := range spawners {
		if st, err := p.Wait(); err != nil || !st.Success() {
			fmt.Fprintf(os.Stderr, "orphans: spawner failed: %v %v\n", st, err)
			failed = true
		}
	}
	r.Close()
	fw.Close()
	if failed {
		w.Close()
		return 1
	}
	fmt.Printf("orphaned %d %d\n", n, time.Since(began).Nanoseconds())
	// Let the benchmark block on FIFO and every NAP reach its read.
	time.Sleep(300 * time.Millisecond)
	t := time.Now().UnixNano()
	w.Close()
	fmt.Printf("released %d\n", t)
	time.Sleep(workerLife)
	return 0
}

// spawner starts n NAPs with its own stdin, stdout and stderr, waits for none
// and exits: the NAPs are orphaned.
func spawner(args []string) int {
	n, nap := atoi(args[0]), args[1]
	attr := &syscall.ProcAttr{Files: []uintptr{0, 1, 2}}
	argv := []string{nap}
	for i := 0; i < n; i++ {
		if _, err := syscall.ForkExec(nap, argv, attr); err != nil {
			fmt.Fprintf(os.Stderr, "spawner: started %d of %d: %v\n", i, n, err)
			return 1
		}
	}
	return 0
}

// writeNap writes the NAP program into dir: a static ELF of a few instructions,
// read(0, sp, 1) then exit_group(0), so that ten thousand of them cost little
// memory and start fast. Where no such ELF is known (or it does not run), it
// falls back to /bin/cat, which also ends at EOF on its stdin.
func writeNap(dir string) (path, kind string) {
	code := map[string][]byte{
		"amd64": {
			0x31, 0xc0, // xor eax, eax (SYS_read)
			0x31, 0xff, // xor edi, edi (fd 0)
			0x48, 0x89, 0xe6, // mov rsi, rsp
			0xba, 0x01, 0x00, 0x00, 0x00, // mov edx, 1
			0x0f, 0x05, // syscall
			0xb8, 0xe7, 0x00, 0x00, 0x00, // mov eax, 231 (SYS_exit_group)
			0x31, 0xff, // xor edi, edi
			0x0f, 0x05, // syscall
		},
		"arm64": le32(
			0xd2800000, // mov x0, #0
			0x910003e1, // mov x1, sp
			0xd2800022, // mov x2, #1
			0xd28007e8, // mov x8, #63 (read)
			0xd4000001, // svc #0
			0xd2800000, // mov x0, #0
			0xd2800bc8, // mov x8, #94 (exit_group)
			0xd4000001, // svc #0
		),
	}
	machine := map[string]uint16{"amd64": 62, "arm64": 183}
	c, ok := code[runtime.GOARCH]
	if ok {
		path = filepath.Join(dir, "nap")
		if err := os.WriteFile(path, tinyELF(machine[runtime.GOARCH], c), 0o755); err == nil && napWorks(path) {
			return path, "static 2-syscall ELF (" + strconv.Itoa(len(tinyELF(machine[runtime.GOARCH], c))) + " bytes)"
		}
	}
	return "/bin/cat", "/bin/cat"
}

func le32(words ...uint32) []byte {
	b := make([]byte, 0, 4*len(words))
	for _, w := range words {
		b = binary.LittleEndian.AppendUint32(b, w)
	}
	return b
}

// tinyELF is a 64-bit little-endian executable of one R+X segment, the file
// itself, loaded at 4 MiB, with code right after the headers.
func tinyELF(machine uint16, code []byte) []byte {
	const base, ehsize, phsize = 0x400000, 64, 56
	size := uint64(ehsize + phsize + len(code))
	var b bytes.Buffer
	le := binary.LittleEndian
	b.Write([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	binary.Write(&b, le, uint16(2))                  // e_type: EXEC
	binary.Write(&b, le, machine)                    // e_machine
	binary.Write(&b, le, uint32(1))                  // e_version
	binary.Write(&b, le, uint64(base+ehsize+phsize)) // e_entry
	binary.Write(&b, le, uint64(ehsize))             // e_phoff
	binary.Write(&b, le, uint64(0))                  // e_shoff
	binary.Write(&b, le, uint32(0))                  // e_flags
	binary.Write(&b, le, uint16(ehsize))             // e_ehsize
	binary.Write(&b, le, uint16(phsize))             // e_phentsize
	binary.Write(&b, le, uint16(1))                  // e_phnum
	binary.Write(&b, le, [3]uint16{})                // e_shentsize, e_shnum, e_shstrndx
	binary.Write(&b, le, uint32(1))                  // p_type: LOAD
	binary.Write(&b, le, uint32(5))                  // p_flags: R+X
	binary.Write(&b, le, uint64(0))                  // p_offset
	binary.Write(&b, le, [2]uint64{base, base})      // p_vaddr, p_paddr
	binary.Write(&b, le, [2]uint64{size, size})      // p_filesz, p_memsz
	binary.Write(&b, le, uint64(0x10000))            // p_align
	b.Write(code)
	return b.Bytes()
}

// napWorks runs path with an empty stdin: it must exit 0 at once.
func napWorks(path string) bool {
	c := exec.Command(path)
	c.Stdin = strings.NewReader("")
	if err := c.Start(); err != nil {
		return false
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		return err == nil
	case <-time.After(2 * time.Second):
		c.Process.Kill()
		<-done
		return false
	}
}
