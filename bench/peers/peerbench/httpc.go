package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Outcome of one request.
const (
	okReq      = iota
	failDial   // connect failed (refused, reset during the handshake)
	failIO     // the connection broke before a whole answer came
	failTime   // no whole answer within the request timeout
	failStatus // an answer other than 200
	failUnsent // not sent: the load generator already had 512 requests in flight (a stall)
	failKinds
)

var failNames = [failKinds]string{"ok", "connect", "broken", "timeout", "status", "unsent"}

// get makes one HTTP/1.1 request on a new connection (Connection: close, as
// gunicorn's sync workers answer anyway) and reads the answer to EOF, so the
// server closes first and the client keeps no TIME_WAIT socket.
func get(addr, path string, timeout time.Duration) int {
	k, _ := getPid(addr, path, timeout)
	return k
}

// getPid is get that also returns the pid in the answer's body ("hello from
// PID", bench/peers/app.py), 0 when there is none.
func getPid(addr, path string, timeout time.Duration) (int, int) {
	deadline := time.Now().Add(timeout)
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err) {
			return failTime, 0
		}
		return failDial, 0
	}
	defer c.Close()
	c.SetDeadline(deadline)
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"); err != nil {
		return failIO, 0
	}
	var buf [2048]byte
	total := 0
	for total < len(buf) {
		k, err := c.Read(buf[total:])
		total += k
		if err == io.EOF {
			break
		}
		if err != nil {
			if isTimeout(err) {
				return failTime, 0
			}
			return failIO, 0
		}
	}
	if total == len(buf) { // longer than any answer of the app
		return failIO, 0
	}
	b := buf[:total]
	if total == 0 {
		return failIO, 0
	}
	if !bytes.HasPrefix(b, []byte("HTTP/1.1 200")) && !bytes.HasPrefix(b, []byte("HTTP/1.0 200")) {
		return failStatus, 0
	}
	pid := 0
	if i := bytes.Index(b, []byte("hello from ")); i >= 0 {
		for _, ch := range b[i+len("hello from "):] {
			if ch < '0' || ch > '9' {
				break
			}
			pid = pid*10 + int(ch-'0')
		}
	}
	return okReq, pid
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// firstAnswer polls addr until a GET / is answered with 200 or timeout
// passes; refused connects are retried every 200 µs. It returns when the
// answer arrived.
func firstAnswer(addr string, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	for tries := 0; tries < 100000 && time.Now().Before(deadline); tries++ {
		if get(addr, "/", time.Until(deadline)) == okReq {
			return time.Now(), nil
		}
		time.Sleep(200 * time.Microsecond)
	}
	return time.Time{}, errors.New("no answer from " + addr + " within " + timeout.String())
}

// closedLoad runs conns clients, each making one request after another, for
// d (and at most maxClosed requests in all); it returns the successful
// requests and the failures.
func closedLoad(addr string, conns int, d time.Duration) (ok, failed int) {
	const maxClosed = 500000
	var sent atomic.Int64
	var okN, failN atomic.Int64
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) && sent.Add(1) <= maxClosed {
				if get(addr, "/", 5*time.Second) == okReq {
					okN.Add(1)
				} else {
					failN.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return int(okN.Load()), int(failN.Load())
}

// req is one request of a paced load: when it was sent (ns since the load's
// start), how long until its answer (ns), and its outcome.
type req struct {
	at, lat int64
	kind    uint8
}

// pacedLoad sends rate requests per second to addr, each on its own
// connection and goroutine, whatever the earlier ones are doing (an open
// loop: a stalled server does not slow the sender down), until stop is
// closed or max requests were sent; at most 512 are in flight (beyond, a
// request is counted as failed, "unsent", without being sent).
type pacedLoad struct {
	addr  string
	rate  int
	t0    time.Time
	reqs  []req
	n     atomic.Int64
	wg    sync.WaitGroup
	stop  chan struct{}
	ended chan struct{}
	seen  sync.Map // pid that answered → time.Time of its first answer
}

func startPaced(addr string, rate int, t0 time.Time, maxDur time.Duration) *pacedLoad {
	p := &pacedLoad{addr: addr, rate: rate, t0: t0, stop: make(chan struct{}), ended: make(chan struct{})}
	p.reqs = make([]req, int(float64(rate)*maxDur.Seconds())+1)
	go p.loop()
	return p
}

func (p *pacedLoad) loop() {
	defer close(p.ended)
	interval := time.Second / time.Duration(p.rate)
	sem := make(chan struct{}, 512)
	start := time.Now()
	i := 0
	for i < len(p.reqs) {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			select {
			case <-p.stop:
				p.n.Store(int64(i))
				p.wg.Wait()
				return
			case <-time.After(w):
			}
		}
		// Send every request that is due (after a late wake-up, several).
		for ; i < len(p.reqs) && !time.Now().Before(start.Add(time.Duration(i)*interval)); i++ {
			select {
			case sem <- struct{}{}:
			default:
				p.reqs[i] = req{at: int64(time.Since(p.t0)), lat: int64(5 * time.Second), kind: failUnsent}
				continue
			}
			p.wg.Add(1)
			go func(i int) {
				defer p.wg.Done()
				t := time.Now()
				k, pid := getPid(p.addr, "/", 5*time.Second)
				p.reqs[i] = req{at: int64(t.Sub(p.t0)), lat: int64(time.Since(t)), kind: uint8(k)}
				if pid > 0 {
					p.seen.LoadOrStore(pid, time.Now())
				}
				<-sem
			}(i)
		}
	}
	p.n.Store(int64(i))
	p.wg.Wait()
}

// finish stops the load and returns every request sent.
func (p *pacedLoad) finish() []req {
	close(p.stop)
	<-p.ended
	return p.reqs[:p.n.Load()]
}

// timeCmd runs argv (fork+exec → wait4) and returns its wall time and exit status.
func timeCmd(argv, env []string) (time.Duration, int, error) {
	attr := &syscall.ProcAttr{Env: env, Files: []uintptr{devNull(), devNull(), devNull()}}
	t := time.Now()
	pid, err := syscall.ForkExec(argv[0], argv, attr)
	if err != nil {
		return 0, 0, err
	}
	own(pid, true)
	defer own(pid, false)
	var ws syscall.WaitStatus
	for {
		_, err = syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			break
		}
	}
	d := time.Since(t)
	if err != nil {
		return d, 0, err
	}
	code := ws.ExitStatus()
	if ws.Signaled() {
		code = 128 + int(ws.Signal())
	}
	return d, code, nil
}

var devNullFd = -1

func devNull() uintptr {
	if devNullFd < 0 {
		fd, err := syscall.Open("/dev/null", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
		if err != nil {
			panic(err)
		}
		devNullFd = fd
	}
	return uintptr(devNullFd)
}
