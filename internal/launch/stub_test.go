package launch

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// stubRun is what one run of a stub gave.
type stubRun struct {
	out    string
	code   int
	report []byte
	pid    int
}

// runStub runs runner (a stub, or what runs it) with argv[0] ctl, then argv
// (the path and COMMAND); the exec report pipe is fd 3, 0 is /dev/null, 1
// and 2 one pipe.
func runStub(t *testing.T, runner []string, ctl string, env []string, argv ...string) stubRun {
	t.Helper()
	outR, outW, _ := os.Pipe()
	repR, repW, _ := os.Pipe()
	defer outR.Close()
	defer repR.Close()
	devnull, _ := os.Open(os.DevNull)
	defer devnull.Close()
	args := append(append([]string{ctl}, runner[1:]...), argv...)
	p, err := os.StartProcess(runner[0], args, &os.ProcAttr{Env: env, Files: []*os.File{devnull, outW, outW, repW}})
	outW.Close()
	repW.Close()
	if err != nil {
		t.Fatalf("start the stub: %v", err)
	}
	var r stubRun
	r.pid = p.Pid
	out := make(chan string)
	go func() { b, _ := readAll(outR); out <- string(b) }()
	r.report, _ = readAll(repR)
	st, err := p.Wait()
	if err != nil {
		t.Fatal(err)
	}
	r.out, r.code = <-out, st.ExitCode()
	return r
}

func readAll(f *os.File) ([]byte, error) {
	var b []byte
	buf := make([]byte, 4096)
	for {
		n, err := f.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			return b, nil
		}
	}
}

// stubRunners returns, per architecture, how to run its stub here: amd64
// natively (on an amd64 host), arm64 under qemu-aarch64 (its -0 sets argv[0]).
func stubRunners(t *testing.T) map[string]func(ctl string) []string {
	t.Helper()
	dir := t.TempDir()
	runners := map[string]func(string) []string{}
	for _, arch := range []string{"amd64", "arm64"} {
		elf, err := os.ReadFile(filepath.Join("stub", arch+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, arch)
		if err := os.WriteFile(path, elf, 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case arch == runtime.GOARCH:
			runners[arch] = func(string) []string { return []string{path} }
		case arch == "arm64":
			qemu, err := exec.LookPath("qemu-aarch64")
			if err != nil {
				t.Fatalf("qemu-aarch64 is needed to test the arm64 stub (apt-get install qemu-user): %v", err)
			}
			runners[arch] = func(ctl string) []string { return []string{qemu, "-0", ctl, path} }
		}
	}
	return runners
}

func TestStubSetsOwnPIDAndExecs(t *testing.T) {
	for arch, runner := range stubRunners(t) {
		t.Run(arch, func(t *testing.T) {
			env := []string{"LISTEN_PID=" + OwnPID, "WATCHDOG_PID=" + OwnPID, "KEEP=" + OwnPID + "x", "PLAIN=1"}
			r := runStub(t, runner("3"), "3", env, "/bin/sh", "sh", "-c", `echo "$LISTEN_PID $WATCHDOG_PID $KEEP $PLAIN $0 $$"`, "zero")
			f := strings.Fields(r.out)
			if r.code != 0 || len(f) != 6 || len(r.report) != 0 {
				t.Fatalf("code %d, output %q, report %q", r.code, r.out, r.report)
			}
			if f[0] != f[5] || f[1] != f[5] || f[2] != OwnPID+"x" || f[3] != "1" || f[4] != "zero" {
				t.Fatalf("got %q: want both pids = $$ %s, the others untouched, $0 zero", r.out, f[5])
			}
			if arch == runtime.GOARCH && f[5] != strconv.Itoa(r.pid) {
				t.Fatalf("pid %s, want the stub's own %d (exec keeps it)", f[5], r.pid)
			}
		})
	}
}

func TestStubCleansSignalsFdsAndPrivs(t *testing.T) {
	leak, err := os.Open(os.DevNull) // an fd spark2 inherited: it must not reach COMMAND
	if err != nil {
		t.Fatal(err)
	}
	defer leak.Close()
	if _, err := unix.FcntlInt(leak.Fd(), unix.F_SETFD, 0); err != nil {
		t.Fatal(err)
	}
	for arch, runner := range stubRunners(t) {
		t.Run(arch, func(t *testing.T) {
			// bash leaves TERM and USR2 ignored across its exec of the stub, as a
			// careless parent of spark2 would.
			stub := runner("3n")
			dirty := append([]string{"/bin/bash", "-c", `trap '' TERM USR2; exec -a 3n "$@"`, "bash"}, stub...)
			r := runStub(t, dirty, "bash", nil, "/bin/sh", "sh", "-c", `grep -E "^(SigIgn|NoNewPrivs)" /proc/self/status; ls /proc/self/fd`)
			if r.code != 0 {
				t.Fatalf("code %d, output %q", r.code, r.out)
			}
			for _, want := range []string{"SigIgn:\t0000000000000000", "NoNewPrivs:\t1"} {
				if !strings.Contains(r.out, want) {
					t.Errorf("want %q in:\n%s", want, r.out)
				}
			}
			fds := strings.Fields(r.out[strings.LastIndex(r.out, "\n0\n")+1:])
			if want := []string{"0", "1", "2", "3"}; !slices.Equal(fds, want) { // 3: ls's own
				t.Errorf("COMMAND's fds %q, want %q (the report fd and fd %d closed)", fds, want, leak.Fd())
			}
		})
	}
}

func TestStubReportsExecErrors(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "script")
	os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644)
	cases := []struct {
		path  string
		code  int
		errno syscall.Errno
	}{
		{filepath.Join(dir, "missing"), 127, syscall.ENOENT},
		{noexec + "/x", 127, syscall.ENOTDIR},
		{noexec, 126, syscall.EACCES},
		{dir, 126, syscall.EACCES},
	}
	for arch, runner := range stubRunners(t) {
		t.Run(arch, func(t *testing.T) {
			for _, c := range cases {
				r := runStub(t, runner("3"), "3", nil, c.path, "x")
				if r.code != c.code || len(r.report) != 1 || syscall.Errno(r.report[0]) != c.errno {
					t.Errorf("%s: code %d, report %v; want %d and errno %d (%v)", c.path, r.code, r.report, c.code, int(c.errno), c.errno)
				}
				if err := readExecResult(pipeWith(t, r.report), "x"); err == nil || err.(*ExecError).Code != c.code {
					t.Errorf("%s: readExecResult = %v, want code %d", c.path, err, c.code)
				}
			}
		})
	}
}

func pipeWith(t *testing.T, b []byte) *os.File {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return r
}
