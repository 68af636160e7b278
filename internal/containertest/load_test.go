package containertest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// load is bounded HTTP load on one URL: clients goroutines, half of them on
// keep-alive connections and half on a new connection per request (those
// see any refused connection), each sending GETs one after the other until
// stopped, at most maxTime and maxPerClient requests.
type load struct {
	ok, failed atomic.Int64
	stop       chan struct{}
	wg         sync.WaitGroup
	mu         sync.Mutex
	errs       []string // the first few errors
	bodies     map[string]int
}

const maxPerClient = 20000

func startLoad(t *testing.T, url string, clients int, maxTime time.Duration) *load {
	t.Helper()
	l := &load{stop: make(chan struct{}), bodies: map[string]int{}}
	deadline := time.Now().Add(maxTime)
	for i := 0; i < clients; i++ {
		tr := &http.Transport{DisableKeepAlives: i%2 == 1, MaxIdleConnsPerHost: 1}
		client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer tr.CloseIdleConnections()
			for n := 0; n < maxPerClient && time.Now().Before(deadline); n++ {
				select {
				case <-l.stop:
					return
				default:
				}
				l.count(fetch(client, url))
			}
		}()
	}
	t.Cleanup(l.finish)
	return l
}

func fetch(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = errors.New(resp.Status)
	}
	return string(b), err
}

func (l *load) count(body string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed.Add(1)
		if len(l.errs) < 5 {
			l.errs = append(l.errs, err.Error())
		}
		return
	}
	l.ok.Add(1)
	l.bodies[body]++
}

// finish stops the load and waits for every client.
func (l *load) finish() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.wg.Wait()
}

func (l *load) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("ok=%d failed=%d distinct-bodies=%d errors=%q", l.ok.Load(), l.failed.Load(), len(l.bodies), l.errs)
}

// check finishes the load and fails t unless every request succeeded and
// at least min did.
func (l *load) check(t *testing.T, min int64) {
	t.Helper()
	l.finish()
	t.Logf("load: %v", l)
	if l.failed.Load() != 0 {
		t.Errorf("%d requests failed: %q", l.failed.Load(), l.errs)
	}
	if l.ok.Load() < min {
		t.Errorf("only %d requests succeeded, want at least %d", l.ok.Load(), min)
	}
}
