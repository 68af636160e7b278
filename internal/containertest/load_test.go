package containertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/loadgen"
)

// load is bounded HTTP load on one URL from internal/loadgen, the client
// that never retries: half of the clients on keep-alive connections (as
// browsers and proxies are), half on a new connection per request (those
// see any refused connection), each sending GETs one after the other until
// check, or maxTime.
type load struct {
	t     *testing.T
	modes []*loadgen.Load
}

func startLoad(t *testing.T, url string, clients int, maxTime time.Duration) *load {
	t.Helper()
	l := &load{t: t}
	for _, c := range []struct {
		mode  loadgen.Mode
		conns int
	}{{loadgen.KeepAlive, clients - clients/2}, {loadgen.NewConnection, clients / 2}} {
		if c.conns == 0 {
			continue
		}
		g, err := loadgen.Start(loadgen.Config{URL: url, Mode: c.mode, Conns: c.conns, Duration: maxTime})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { g.Stop() })
		l.modes = append(l.modes, g)
	}
	return l
}

// ok is the number of 2xx answers so far.
func (l *load) ok() int64 {
	var n int64
	for _, g := range l.modes {
		n += g.Progress().OK()
	}
	return n
}

// String is the progress so far.
func (l *load) String() string {
	var failed int64
	for _, g := range l.modes {
		failed += g.Progress().Failed()
	}
	return fmt.Sprintf("ok=%d failed=%d", l.ok(), failed)
}

// check stops the load and fails t unless every request of each mode got a
// 2xx answer and at least min did, over both.
func (l *load) check(t *testing.T, min int64) {
	t.Helper()
	var ok int64
	for _, g := range l.modes {
		r := g.Stop()
		t.Logf("load %v", r)
		if err := r.Err(); err != nil {
			t.Error(err)
		}
		ok += r.OK
	}
	if ok < min {
		t.Errorf("only %d requests succeeded, want at least %d", ok, min)
	}
}
