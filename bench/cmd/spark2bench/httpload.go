package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The load generator of the HTTP figures: conns goroutines, each with one
// keep-alive HTTP/1.1 connection, sending "GET /" and reading the whole
// answer, one request at a time, until the time is up (or a cap on requests
// is reached). A hand-written client rather than net/http's, so that the
// client, which shares the machine's CPUs with the server, costs as little as
// possible: one write and about one read per request.
//
// Errors, as an HTTP/1.1 client sees them:
//   - a connection the server closes before any byte of an answer, when it
//     had already served a request on it (a keep-alive connection closed
//     while idle, e.g. by a worker that stops): the request is sent again on
//     a new connection, as net/http's Transport, curl and browsers do for an
//     idempotent request (RFC 9112 §9.3.1); counted as "retried", not failed;
//   - a connect(2) that fails (ECONNREFUSED: no socket listening): counted
//     as "refused"; the request is tried again after 1 ms (the load must go
//     on) until its 10 s are up;
//   - a request that gets no answer in the end (an error on a new
//     connection, a partial or malformed answer, nothing within 10 s, or
//     only refused connects): "failed".
//
// Each request's latency, from its first write to the last byte of its
// answer (a retried request's includes the retry), is recorded.

// loadResult is what one load run saw.
type loadResult struct {
	elapsed   time.Duration
	requests  int             // answered (2xx)
	lat       []time.Duration // per answered request
	perPid    map[int]int     // answered requests per server pid (X-Pid)
	connPid   map[int]int     // connections per server pid (the first answer on each)
	dials     int             // connections opened
	retried   int             // requests sent again after an idle keep-alive connection was closed
	refused   int             // connect(2) failures
	failed    int             // requests that got no answer
	non2xx    int             // answers that were not 2xx
	failNotes []string        // a few of the errors, for the report
	closes    int             // answers that said "Connection: close"
	started   time.Time
}

type loadOpts struct {
	addr     string
	conns    int
	duration time.Duration
	maxReqs  int64 // cap on requests over all connections (a bound, not a target)
	// closeEach sends "Connection: close": a new connection per request.
	closeEach bool
}

const reqTimeout = 10 * time.Second

var (
	getReq      = []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: spark2bench\r\n\r\n")
	getReqClose = []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: spark2bench\r\nConnection: close\r\n\r\n")
)

// runLoad runs one load; stop (may be nil) ends it early when closed.
func runLoad(o loadOpts, stop <-chan struct{}) *loadResult {
	type worker struct {
		lat       []time.Duration
		perPid    map[int]int
		connPid   map[int]int
		dials     int
		retried   int
		refused   int
		failed    int
		non2xx    int
		closes    int
		failNotes []string
	}
	var (
		wg     sync.WaitGroup
		issued atomic.Int64
		done   atomic.Bool
	)
	ws := make([]*worker, o.conns)
	req := getReq
	if o.closeEach {
		req = getReqClose
	}
	t0 := time.Now()
	end := t0.Add(o.duration)
	timer := time.AfterFunc(o.duration, func() { done.Store(true) })
	defer timer.Stop()
	if stop != nil {
		go func() {
			select {
			case <-stop:
				done.Store(true)
			case <-time.After(o.duration + reqTimeout):
			}
		}()
	}
	for i := range ws {
		w := &worker{perPid: map[int]int{}, connPid: map[int]int{}, lat: make([]time.Duration, 0, 1<<14)}
		ws[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c *clientConn
			defer func() {
				if c != nil {
					c.close()
				}
			}()
			note := func(err error) {
				if len(w.failNotes) < 3 {
					w.failNotes = append(w.failNotes, err.Error())
				}
			}
			for !done.Load() && time.Now().Before(end) {
				if issued.Add(1) > o.maxReqs {
					return
				}
				began := time.Now()
				var pid, code int
				var closeAfter bool
				for attempt := 0; ; attempt++ {
					if c == nil {
						nc, err := net.DialTimeout("tcp", o.addr, reqTimeout)
						if err != nil {
							w.refused++
							note(err)
							if done.Load() || time.Since(began) > reqTimeout {
								w.failed++
								goto next
							}
							time.Sleep(time.Millisecond)
							continue
						}
						w.dials++
						c = newClientConn(nc, req)
					}
					var err error
					pid, code, closeAfter, err = c.roundTrip()
					if err == nil {
						break
					}
					reused, partial := c.served > 0, c.partial
					c.close()
					c = nil
					if reused && !partial && isClosedErr(err) && attempt < 3 {
						w.retried++
						continue
					}
					w.failed++
					note(err)
					goto next
				}
				{
					now := time.Now()
					d := now.Sub(began)
					if code/100 != 2 {
						w.non2xx++
					} else {
						w.lat = append(w.lat, d)
						w.perPid[pid]++
					}
					if c.served == 1 {
						w.connPid[pid]++
					}
					if closeAfter {
						w.closes++
						c.close()
						c = nil
					}
				}
			next:
			}
		}()
	}
	wg.Wait()
	r := &loadResult{elapsed: time.Since(t0), perPid: map[int]int{}, connPid: map[int]int{}, started: t0}
	for _, w := range ws {
		r.lat = append(r.lat, w.lat...)
		for k, v := range w.perPid {
			r.perPid[k] += v
		}
		for k, v := range w.connPid {
			r.connPid[k] += v
		}
		r.dials += w.dials
		r.retried += w.retried
		r.refused += w.refused
		r.failed += w.failed
		r.non2xx += w.non2xx
		r.closes += w.closes
		r.failNotes = append(r.failNotes, w.failNotes...)
	}
	r.requests = len(r.lat)
	if len(r.failNotes) > 5 {
		r.failNotes = r.failNotes[:5]
	}
	return r
}

func (r *loadResult) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	i = max(0, min(len(sorted)-1, i))
	return sorted[i]
}

func sortDurations(d []time.Duration) []time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

// isClosedErr: the connection was closed or reset by the other side.
func isClosedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// clientConn is one keep-alive connection.
type clientConn struct {
	nc      net.Conn
	req     []byte
	br      *bufio.Reader
	served  int  // answers read on it
	partial bool // the last failed answer had begun
}

func newClientConn(nc net.Conn, req []byte) *clientConn {
	return &clientConn{nc: nc, req: req, br: bufio.NewReaderSize(nc, 4096)}
}

func (c *clientConn) close() { c.nc.Close() }

var (
	hdrContentLength = []byte("content-length:")
	hdrPid           = []byte("x-pid:")
	hdrConnection    = []byte("connection:")
	errBadAnswer     = errors.New("malformed HTTP answer")
)

// roundTrip sends one GET and reads its answer: the status code, X-Pid, and
// whether the server closes the connection after it.
func (c *clientConn) roundTrip() (pid, code int, closeAfter bool, err error) {
	c.partial = false
	c.nc.SetDeadline(time.Now().Add(reqTimeout))
	if _, err = c.nc.Write(c.req); err != nil {
		return
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		c.partial = len(line) > 0
		return
	}
	c.partial = true
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, 0, false, errBadAnswer
	}
	code = int(line[9]-'0')*100 + int(line[10]-'0')*10 + int(line[11]-'0')
	closeAfter = line[7] == '0'
	length := -1
	for {
		line, err = c.br.ReadSlice('\n')
		if err != nil {
			return
		}
		if len(line) <= 2 { // the empty line
			break
		}
		k := bytes.IndexByte(line, ':')
		if k < 0 {
			return 0, 0, false, errBadAnswer
		}
		name := line[:k+1]
		val := bytes.TrimSpace(line[k+1:])
		switch {
		case bytes.EqualFold(name, hdrContentLength):
			length, err = strconv.Atoi(string(val))
			if err != nil {
				return 0, 0, false, errBadAnswer
			}
		case bytes.EqualFold(name, hdrPid):
			pid, _ = strconv.Atoi(string(val))
		case bytes.EqualFold(name, hdrConnection):
			closeAfter = bytes.EqualFold(val, []byte("close"))
		}
	}
	if length < 0 {
		return 0, 0, false, fmt.Errorf("answer without Content-Length")
	}
	if _, err = c.br.Discard(length); err != nil {
		return
	}
	c.served++
	return pid, code, closeAfter, nil
}

// loadCmd is "load ADDR CONNS DURATION [close]": one load run, by hand.
func loadCmd(args []string) int {
	if len(args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: spark2bench load ADDR CONNS DURATION [close]")
		return 2
	}
	d, err := time.ParseDuration(args[2])
	if err != nil || d <= 0 || d > 10*time.Minute {
		fmt.Fprintln(os.Stderr, "load: a DURATION up to 10m, e.g. 5s")
		return 2
	}
	res := runLoad(loadOpts{addr: args[0], conns: atoi(args[1]), duration: d, maxReqs: maxLoadReqs, closeEach: len(args) > 3 && args[3] == "close"}, nil)
	lat := sortDurations(res.lat)
	fmt.Printf("%.0f rps, %d requests in %.2f s; p50 %v p99 %v max %v; failed %d refused %d retried %d non-2xx %d; connections %d\n",
		res.rps(), res.requests, res.elapsed.Seconds(), percentile(lat, 50), percentile(lat, 99), percentile(lat, 100),
		res.failed, res.refused, res.retried, res.non2xx, res.dials)
	for pid, n := range res.perPid {
		fmt.Printf("pid %d: %d requests, %d connections\n", pid, n, res.connPid[pid])
	}
	for _, n := range res.failNotes {
		fmt.Println("error:", n)
	}
	if res.failed+res.refused+res.non2xx > 0 {
		return 1
	}
	return 0
}
