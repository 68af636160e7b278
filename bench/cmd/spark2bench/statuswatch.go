package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// readStatusDoc reads spark2's status file (written atomically: a temporary
// file renamed over it, so a read never sees half of one).
func readStatusDoc(path string) (*statusDoc, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d statusDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("status file %s: %w", path, err)
	}
	return &d, nil
}

// statusWatch waits for a status file to say something, woken by inotify
// on its directory (spark2 renames each new version into place), with a 5 ms
// poll as a fallback; so it costs no CPU while it waits and sees a change
// within about a millisecond.
type statusWatch struct {
	path string
	ifd  int // -1: poll only
}

func newStatusWatch(path string) (*statusWatch, error) {
	w := &statusWatch{path: path, ifd: -1}
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		progress("   warning: no inotify (%v): polling the status file every 5 ms", err)
		return w, nil
	}
	if _, err := unix.InotifyAddWatch(fd, filepath.Dir(path), unix.IN_MOVED_TO|unix.IN_CLOSE_WRITE|unix.IN_CREATE); err != nil {
		unix.Close(fd)
		progress("   warning: cannot watch %s (%v): polling the status file every 5 ms", filepath.Dir(path), err)
		return w, nil
	}
	w.ifd = fd
	return w, nil
}

func (w *statusWatch) close() {
	if w.ifd >= 0 {
		unix.Close(w.ifd)
		w.ifd = -1
	}
}

// wait returns the first version of the file for which cond holds, and when
// it was read.
func (w *statusWatch) wait(cond func(*statusDoc) bool, timeout time.Duration) (*statusDoc, time.Time, error) {
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 4096)
	var last *statusDoc
	for {
		d, err := readStatusDoc(w.path)
		now := time.Now()
		if err == nil {
			last = d
			if cond(d) {
				return d, now, nil
			}
		}
		if now.After(deadline) {
			b, _ := json.Marshal(last)
			return nil, now, fmt.Errorf("the status file %s did not show that within %v (last: %s, %v)", w.path, timeout, b, err)
		}
		if w.ifd < 0 {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		fds := []unix.PollFd{{Fd: int32(w.ifd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, 5); err != nil && err != unix.EINTR {
			time.Sleep(5 * time.Millisecond)
		}
		for { // drain the events: the file is read again anyway
			if n, err := unix.Read(w.ifd, buf); n <= 0 || err != nil {
				break
			}
		}
	}
}

// runBounded runs cmd, killed after timeout, and returns its output (stdout
// and stderr).
func runBounded(cmd *exec.Cmd, timeout time.Duration) (string, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	track(cmd.Process.Pid)
	defer untrack(cmd.Process.Pid)
	t := time.AfterFunc(timeout, func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	err := cmd.Wait()
	if !t.Stop() {
		err = fmt.Errorf("killed after %v: %v", timeout, err)
	}
	return out.String(), err
}
