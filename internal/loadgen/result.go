package loadgen

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"syscall"
	"time"
)

// Reason is why a request failed.
type Reason int

// The reasons, as in the package doc.
const (
	Refused Reason = iota
	Reset
	EOF
	Timeout
	Other
	numReasons
)

var reasonNames = [numReasons]string{"refused", "reset", "eof", "timeout", "other"}

func (r Reason) String() string { return reasonNames[r] }

// reason classifies a request's error.
func reason(err error) Reason {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return Refused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return Reset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return EOF
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return Timeout
	}
	return Other
}

// counts are one client's tallies, summed into the Result.
type counts struct {
	sent, ok, notOK int64
	failed          [numReasons]int64
	connects        int64
	closes          int64
}

func (c *counts) add(r Reason) { c.failed[r]++ }

// Result is what a load saw. Sent = OK + NotOK + Failed.
type Result struct {
	Mode Mode
	// Elapsed runs from Start until the last request finished.
	Elapsed time.Duration
	// Sent counts every request written or tried.
	Sent int64
	// OK counts complete 2xx answers; NotOK complete answers of another
	// status.
	OK, NotOK int64
	// Failed counts requests without a complete answer; ByReason splits
	// them (index by Reason).
	Failed   int64
	ByReason [numReasons]int64
	// Connects counts connections opened; Closes answers that said
	// "Connection: close" (or implied it).
	Connects, Closes int64
	// ByKey counts 2xx answers per key (Config.KeyHeader's value, or the
	// body's first word); ConnsByKey counts connections per the key of
	// their first answer.
	ByKey, ConnsByKey map[string]int64
	// Latencies are the 2xx answers' latencies, sorted.
	Latencies []time.Duration
	// Errors holds the first few failures and non-2xx statuses.
	Errors []string
}

// Refused is the number of requests whose connect was refused.
func (r Result) Refused() int64 { return r.ByReason[Refused] }

// Percentile is the p-th percentile latency (0 < p <= 100) by nearest
// rank, or 0 without answers.
func (r Result) Percentile(p float64) time.Duration {
	n := len(r.Latencies)
	if n == 0 {
		return 0
	}
	i := int(p/100*float64(n)+0.5) - 1
	return r.Latencies[max(0, min(n-1, i))]
}

// RPS is the rate of 2xx answers.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

// Err is nil when every request got a complete 2xx answer and there was at
// least one; otherwise it says what went wrong.
func (r Result) Err() error {
	if r.Sent > 0 && r.OK == r.Sent {
		return nil
	}
	if r.Sent == 0 {
		return fmt.Errorf("%s load sent no request", r.Mode)
	}
	return fmt.Errorf("%s load: %d of %d requests without a 2xx answer: %s", r.Mode, r.Sent-r.OK, r.Sent, r)
}

func (r Result) String() string {
	return fmt.Sprintf("%s: sent=%d ok=%d not-ok=%d failed=%d (refused=%d reset=%d eof=%d timeout=%d other=%d) connects=%d closes=%d p50=%v p99=%v max=%v keys=%d errors=%q",
		r.Mode, r.Sent, r.OK, r.NotOK, r.Failed, r.ByReason[Refused], r.ByReason[Reset], r.ByReason[EOF],
		r.ByReason[Timeout], r.ByReason[Other], r.Connects, r.Closes, r.Percentile(50), r.Percentile(99),
		r.Percentile(100), len(r.ByKey), r.Errors)
}

const maxErrors = 8

// note keeps the first few errors of a client.
func (c *client) note(format string, args ...any) {
	if len(c.errs) < maxErrors {
		c.errs = append(c.errs, fmt.Sprintf(format, args...))
	}
}

// collect sums the clients, after they have all finished.
func (l *Load) collect() Result {
	r := Result{Mode: l.cfg.Mode, Elapsed: time.Since(l.started), ByKey: map[string]int64{}, ConnsByKey: map[string]int64{}}
	for _, c := range l.conns {
		r.Sent += c.counts.sent
		r.OK += c.counts.ok
		r.NotOK += c.counts.notOK
		for i, n := range c.counts.failed {
			r.ByReason[i] += n
			r.Failed += n
		}
		r.Connects += c.counts.connects
		r.Closes += c.counts.closes
		for k, n := range c.keys {
			r.ByKey[k] += n
		}
		for k, n := range c.connKeys {
			r.ConnsByKey[k] += n
		}
		r.Latencies = append(r.Latencies, c.lat...)
		if len(r.Errors) < maxErrors {
			r.Errors = append(r.Errors, c.errs[:min(len(c.errs), maxErrors-len(r.Errors))]...)
		}
	}
	slices.Sort(r.Latencies)
	return r
}
