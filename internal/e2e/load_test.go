package e2e

import (
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// load is a bounded HTTP load: clients keep-alive goroutines, each sending
// GETs until stop or maxTime, at most maxRequests each.
type load struct {
	ok, failed, refused atomic.Int64
	stop                chan struct{}
	wg                  sync.WaitGroup
	mu                  sync.Mutex
	firstErrs           []string
	byPid               map[string]int
	latencies           []time.Duration
}

const maxRequests = 200000

func startLoad(t *testing.T, url string, clients int, maxTime time.Duration) *load {
	t.Helper()
	l := &load{stop: make(chan struct{}), byPid: map[string]int{}}
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	deadline := time.Now().Add(maxTime)
	for i := 0; i < clients; i++ {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			var lat []time.Duration
			pids := map[string]int{}
			for n := 0; n < maxRequests && time.Now().Before(deadline); n++ {
				select {
				case <-l.stop:
					n = maxRequests
					continue
				default:
				}
				start := time.Now()
				body, err := get(client, url)
				lat = append(lat, time.Since(start))
				l.count(body, err, pids)
			}
			l.mu.Lock()
			l.latencies = append(l.latencies, lat...)
			for p, n := range pids {
				l.byPid[p] += n
			}
			l.mu.Unlock()
		}()
	}
	t.Cleanup(l.finish)
	return l
}

func get(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != 200 {
		err = errors.New(resp.Status)
	}
	return string(b), err
}

func (l *load) count(body string, err error, pids map[string]int) {
	switch {
	case err == nil:
		l.ok.Add(1)
		pids[strings.Fields(body)[0]]++
		return
	case errors.Is(err, syscall.ECONNREFUSED):
		l.refused.Add(1)
	default:
		l.failed.Add(1)
	}
	l.mu.Lock()
	if len(l.firstErrs) < 5 {
		l.firstErrs = append(l.firstErrs, err.Error())
	}
	l.mu.Unlock()
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

// percentile returns the p-th percentile latency (0 < p <= 100).
func (l *load) percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.latencies) == 0 {
		return 0
	}
	sort.Slice(l.latencies, func(i, j int) bool { return l.latencies[i] < l.latencies[j] })
	return l.latencies[int(float64(len(l.latencies)-1)*p/100)]
}

func (l *load) report(t *testing.T) {
	t.Logf("requests ok=%d failed=%d refused=%d p50=%v p99=%v max=%v errors=%q",
		l.ok.Load(), l.failed.Load(), l.refused.Load(), l.percentile(50), l.percentile(99), l.percentile(100), l.firstErrs)
}

func httpClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }
