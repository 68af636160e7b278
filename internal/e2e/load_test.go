package e2e

import (
	"testing"
	"time"

	"github.com/spark2/spark2/internal/loadgen"
)

// load is a bounded load of internal/loadgen, the client that never
// retries: conns connections GET url one request after another until
// finish, or maxTime.
type load struct {
	*loadgen.Load
	t *testing.T
}

func startLoad(t *testing.T, url string, mode loadgen.Mode, conns int, maxTime time.Duration) *load {
	t.Helper()
	l, err := loadgen.Start(loadgen.Config{URL: url, Mode: mode, Conns: conns, Duration: maxTime})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Stop() })
	return &load{Load: l, t: t}
}

// ok is the number of 2xx answers so far.
func (l *load) ok() int64 { return l.Progress().OK() }

// finish stops the load, waits for the requests in flight and logs the
// result.
func (l *load) finish() loadgen.Result {
	l.t.Helper()
	r := l.Stop()
	l.t.Logf("load %v", r)
	return r
}

// finishClean finishes the load and fails the test unless every request got
// a 2xx answer: none failed, none refused.
func (l *load) finishClean() loadgen.Result {
	l.t.Helper()
	r := l.finish()
	if err := r.Err(); err != nil {
		l.t.Fatal(err)
	}
	return r
}

// eachLoadMode runs f as a subtest per loadgen mode: keep-alive and
// new-connection.
func eachLoadMode(t *testing.T, f func(t *testing.T, lm loadgen.Mode)) {
	for _, lm := range loadgen.Modes {
		t.Run(lm.String(), func(t *testing.T) { f(t, lm) })
	}
}

// loads are one load per loadgen mode, side by side on the same server.
type loads []*load

// startLoads starts conns connections in each mode: keep-alive clients, as
// browsers and proxies are, and a new connection per request.
func startLoads(t *testing.T, url string, conns int, maxTime time.Duration) loads {
	t.Helper()
	var ls loads
	for _, lm := range loadgen.Modes {
		ls = append(ls, startLoad(t, url, lm, conns, maxTime))
	}
	return ls
}

// ok is the number of 2xx answers so far, over every mode.
func (ls loads) ok() int64 {
	var n int64
	for _, l := range ls {
		n += l.ok()
	}
	return n
}

// finishClean finishes every load and fails the test unless each got a
// 2xx answer to every request.
func (ls loads) finishClean() {
	for _, l := range ls {
		l.t.Helper()
		l.finishClean()
	}
}
