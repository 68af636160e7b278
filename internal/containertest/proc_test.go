package containertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// proc is one process as the host's /proc shows it.
type proc struct {
	pid, ppid int    // host pids
	comm      string // the command name (15 bytes at most)
	state     string // R, S, D, Z, T...
	nspid     int    // its pid inside the container
}

func (p proc) String() string {
	return fmt.Sprintf("%d(%s %s ppid=%d nspid=%d)", p.pid, p.comm, p.state, p.ppid, p.nspid)
}

// namespaceProcs lists the processes in the PID namespace of host pid pid1.
func namespaceProcs(pid1 int) ([]proc, error) {
	ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid1))
	if err != nil {
		return nil, fmt.Errorf("read the pid namespace of pid %d: %w", pid1, err)
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var ps []proc
	for _, dir := range dirs {
		if link, err := os.Readlink(dir + "/ns/pid"); err != nil || link != ns {
			continue
		}
		if p, ok := readProc(dir); ok {
			ps = append(ps, p)
		}
	}
	return ps, nil
}

// readProc parses /proc/PID/stat and the NSpid line of /proc/PID/status;
// false if the process is gone.
func readProc(dir string) (proc, bool) {
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return proc{}, false
	}
	s := string(stat)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return proc{}, false
	}
	var p proc
	p.pid, _ = strconv.Atoi(strings.TrimSpace(s[:open]))
	p.comm = s[open+1 : closing]
	rest := strings.Fields(s[closing+1:])
	if len(rest) < 2 {
		return proc{}, false
	}
	p.state = rest[0]
	p.ppid, _ = strconv.Atoi(rest[1])
	status, _ := os.ReadFile(dir + "/status")
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "NSpid:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				p.nspid, _ = strconv.Atoi(f[len(f)-1])
			}
		}
	}
	return p, true
}
