package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"time"

	"github.com/spark2/spark2/internal/loadgen"
)

// loadKind is one of the three loads.
type loadKind int

const (
	keepAlive loadKind = iota
	newConn
	wrkLoad
)

func (l loadKind) String() string {
	return [...]string{"loadgen keep-alive", "loadgen new connection", "wrk"}[l]
}

// measure runs r under the load ld through s.respawns reloads and returns
// the table's cell.
func measure(s *settings, r recipe, ld loadKind) (string, error) {
	sv, err := start(s, r)
	if err != nil {
		return "", err
	}
	defer sv.stop()
	if ld == wrkLoad {
		return measureWrk(s, sv)
	}
	mode := loadgen.KeepAlive
	if ld == newConn {
		mode = loadgen.NewConnection
	}
	l, err := loadgen.Start(loadgen.Config{URL: sv.url(), Mode: mode, Conns: s.conns, Duration: 10 * time.Minute})
	if err != nil {
		return "", err
	}
	defer l.Stop()
	if err := reloads(s, sv, func() int64 { return l.Progress().OK() }); err != nil {
		return "", err
	}
	res := l.Stop()
	cell := fmt.Sprintf("%d / %d", res.Failed, res.Sent)
	if res.Failed > 0 {
		detail := ""
		for i, n := range res.ByReason {
			if n > 0 {
				detail += fmt.Sprintf(" %v %d", loadgen.Reason(i), n)
			}
		}
		cell = fmt.Sprintf("%d (%s) / %d", res.Failed, detail[1:], res.Sent)
	}
	if res.NotOK > 0 {
		cell += fmt.Sprintf(" (%d not 2xx)", res.NotOK)
	}
	return cell, nil
}

// reloads waits for the load to flow (ok counts its answers), reloads
// s.respawns times, and lets the load run a second more.
func reloads(s *settings, sv *server, ok func() int64) error {
	if err := sv.until("the load flows", func() bool { return ok() > 200 }); err != nil {
		return err
	}
	for i := 0; i < s.respawns; i++ {
		if err := sv.reload(i); err != nil {
			return err
		}
	}
	time.Sleep(time.Second)
	return nil
}

var (
	wrkRequests = regexp.MustCompile(`(\d+) requests in`)
	wrkErrors   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

// measureWrk runs wrk -t2 -cC through the reloads, stops it with INT (wrk
// prints its result then) and returns its socket errors and requests.
func measureWrk(s *settings, sv *server) (string, error) {
	var out bytes.Buffer
	w := exec.Command("wrk", "-t2", fmt.Sprintf("-c%d", s.conns), "-d600s", sv.url())
	w.Stdout, w.Stderr = &out, &out
	if err := w.Start(); err != nil {
		return "", err
	}
	waited := make(chan error, 1)
	go func() { waited <- w.Wait() }()
	time.Sleep(time.Second) // wrk counts nothing before it ends: give it a second to connect
	err := reloads(s, sv, func() int64 { return 1 << 20 })
	w.Process.Signal(syscall.SIGINT)
	select {
	case <-waited:
	case <-time.After(20 * time.Second):
		w.Process.Kill()
		<-waited
	}
	if err != nil {
		return "", err
	}
	m := wrkRequests.FindSubmatch(out.Bytes())
	if m == nil {
		return "", fmt.Errorf("no result from wrk: %s", out.String())
	}
	errs := 0
	detail := ""
	if e := wrkErrors.FindSubmatch(out.Bytes()); e != nil {
		for i, name := range []string{"connect", "read", "write", "timeout"} {
			n, _ := strconv.Atoi(string(e[i+1]))
			errs += n
			if n > 0 {
				detail += fmt.Sprintf(" %s %d", name, n)
			}
		}
	}
	cell := fmt.Sprintf("%d / %s", errs, m[1])
	if detail != "" {
		cell = fmt.Sprintf("%d (%s) / %s", errs, detail[1:], m[1])
	}
	if n := wrkNon2xx.FindSubmatch(out.Bytes()); n != nil {
		cell += fmt.Sprintf(" (%s not 2xx)", n[1])
	}
	return cell, nil
}
