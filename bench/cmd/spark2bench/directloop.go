package main

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"sync"
	"time"
)

// directLoop is the respawn floor: one goroutine per slot that starts a stamp
// worker, waits for it, and starts it again at once.
type directLoop struct {
	lines   chan string
	pw      *os.File
	mu      sync.Mutex
	stopped bool
	procs   map[int]*os.Process
	wg      sync.WaitGroup
}

func startDirectLoop(self string, slots int) (*directLoop, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	d := &directLoop{lines: make(chan string, 1024), pw: pw, procs: map[int]*os.Process{}}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
		pr.Close()
		close(d.lines)
	}()
	null, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	env := os.Environ()
	for i := 0; i < slots; i++ {
		attr := &os.ProcAttr{Env: append(env[:len(env):len(env)], "SPARK2_WORKER_ID="+strconv.Itoa(i)), Files: []*os.File{null, pw, null}}
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			for {
				d.mu.Lock()
				if d.stopped {
					d.mu.Unlock()
					return
				}
				p, err := os.StartProcess(self, []string{self, "stamp"}, attr)
				if err != nil {
					d.mu.Unlock()
					progress("direct respawn loop: %v", err)
					return
				}
				d.procs[p.Pid] = p
				track(p.Pid)
				d.mu.Unlock()
				p.Wait()
				d.mu.Lock()
				delete(d.procs, p.Pid)
				untrack(p.Pid)
				d.mu.Unlock()
			}
		}()
	}
	go func() { d.wg.Wait(); null.Close() }()
	return d, nil
}

func (d *directLoop) nextStamp(timeout time.Duration) (stampLine, error) {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case l, ok := <-d.lines:
			if !ok {
				return stampLine{}, errors.New("direct loop: output closed")
			}
			if st, ok := parseStamp(l); ok {
				return st, nil
			}
		case <-time.After(time.Until(deadline)):
			return stampLine{}, errors.New("direct loop: no stamp in time")
		}
	}
}

func (d *directLoop) hostPid(inner int) int { return inner }

func (d *directLoop) stop(timeout time.Duration) error {
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return nil
	}
	d.stopped = true
	for _, p := range d.procs {
		p.Kill()
	}
	d.mu.Unlock()
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		return errors.New("direct loop did not stop")
	}
	d.pw.Close()
	return nil
}
