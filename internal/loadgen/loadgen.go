package loadgen

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Mode is how a load uses its connections.
type Mode int

const (
	// KeepAlive sends request after request on one connection, as browsers,
	// proxies and load balancers do; a new connection only after an answer
	// that said "Connection: close", or after a failure.
	KeepAlive Mode = iota
	// NewConnection opens a connection per request and sends
	// "Connection: close" with it.
	NewConnection
)

func (m Mode) String() string {
	if m == NewConnection {
		return "new-connection"
	}
	return "keep-alive"
}

// Modes lists both modes, for tests that run each.
var Modes = []Mode{KeepAlive, NewConnection}

// Config is one load. URL and Conns are required, and at least one of
// Requests and Duration.
type Config struct {
	// URL is what every request GETs: http://HOST:PORT/PATH, or https://
	// with TLS set.
	URL string
	// TLS is the client configuration for an https URL; nil means none.
	TLS *tls.Config
	// Mode is KeepAlive (the zero value) or NewConnection.
	Mode Mode
	// Conns is the number of connections, each with one request in flight.
	Conns int
	// Requests bounds the requests over all connections; 0 means no bound
	// but Duration.
	Requests int64
	// Duration bounds the time new requests may start; 0 means no bound
	// but Requests.
	Duration time.Duration
	// Timeout bounds each request, from connect to the last byte of its
	// answer; 0 means 10 s.
	Timeout time.Duration
	// KeyHeader names a response header (e.g. "X-Pid") whose value splits
	// the answers in Result.ByKey; empty means the first word of the body.
	KeyHeader string
}

// DefaultTimeout is Config.Timeout's zero value.
const DefaultTimeout = 10 * time.Second

// Load is a running load.
type Load struct {
	cfg     Config
	addr    string
	request []byte
	started time.Time
	stop    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
	claimed atomic.Int64 // requests started, against cfg.Requests
	live    Progress
	conns   []*client
	result  Result
	done    sync.Once
}

// Progress is counted while a load runs; tests poll it ("load flowing").
type Progress struct {
	ok, failed atomic.Int64
}

// OK is the number of 2xx answers so far.
func (p *Progress) OK() int64 { return p.ok.Load() }

// Failed is the number of failed requests so far.
func (p *Progress) Failed() int64 { return p.failed.Load() }

// Start checks cfg and starts its connections. The load runs until Stop,
// or its bounds.
func Start(cfg Config) (*Load, error) {
	l := &Load{cfg: cfg, stop: make(chan struct{})}
	if err := l.prepare(); err != nil {
		return nil, err
	}
	l.started = time.Now()
	if cfg.Duration > 0 {
		timer := time.AfterFunc(cfg.Duration, l.halt)
		go func() { <-l.stop; timer.Stop() }()
	}
	for i := range l.conns {
		c := &client{load: l, keys: map[string]int64{}, connKeys: map[string]int64{}}
		l.conns[i] = c
		l.wg.Add(1)
		go func() { defer l.wg.Done(); c.run() }()
	}
	return l, nil
}

// Run runs a load to its bounds and returns what it saw.
func Run(cfg Config) (Result, error) {
	l, err := Start(cfg)
	if err != nil {
		return Result{}, err
	}
	return l.Wait(), nil
}

func (l *Load) prepare() error {
	c := &l.cfg
	u, err := url.Parse(c.URL)
	switch {
	case err != nil:
		return fmt.Errorf("loadgen: parse URL %q: %w", c.URL, err)
	case u.Scheme != "http" && !(u.Scheme == "https" && c.TLS != nil):
		return fmt.Errorf("loadgen: URL %q: want http://, or https:// with Config.TLS", c.URL)
	case u.Host == "":
		return fmt.Errorf("loadgen: URL %q has no host", c.URL)
	case c.Conns < 1:
		return fmt.Errorf("loadgen: Conns is %d, want 1 or more", c.Conns)
	case c.Requests < 0 || c.Duration < 0:
		return errors.New("loadgen: Requests and Duration must not be negative")
	case c.Requests == 0 && c.Duration == 0:
		return errors.New("loadgen: a load needs a bound: set Requests, Duration or both")
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	l.addr = u.Host
	if u.Port() == "" {
		l.addr += map[string]string{"http": ":80", "https": ":443"}[u.Scheme]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: spark2-loadgen\r\n", u.RequestURI(), u.Host)
	if c.Mode == NewConnection {
		b.WriteString("Connection: close\r\n")
	}
	b.WriteString("\r\n")
	l.request = []byte(b.String())
	l.conns = make([]*client, c.Conns)
	return nil
}

// halt keeps new requests from starting.
func (l *Load) halt() { l.once.Do(func() { close(l.stop) }) }

// claim reports whether a new request may start, and counts it if so.
func (l *Load) claim() bool {
	select {
	case <-l.stop:
		return false
	default:
	}
	if l.cfg.Requests > 0 && l.claimed.Add(1) > l.cfg.Requests {
		l.halt()
		return false
	}
	return true
}

// Progress is the live count of the load.
func (l *Load) Progress() *Progress { return &l.live }

// Stop keeps new requests from starting, waits for those in flight and
// returns the result. Stop and Wait may be called more than once.
func (l *Load) Stop() Result {
	l.halt()
	return l.Wait()
}

// Wait waits until the load has reached its bounds (or Stop) and every
// request in flight has finished, and returns the result.
func (l *Load) Wait() Result {
	l.wg.Wait()
	l.halt() // the bounds were reached: release the duration timer
	l.done.Do(func() { l.result = l.collect() })
	return l.result
}
