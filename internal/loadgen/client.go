package loadgen

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"time"
)

// client is one connection's loop. Only its goroutine touches it until
// the load's WaitGroup is done.
type client struct {
	load     *Load
	conn     net.Conn
	rd       reader
	served   int // answers on the current connection
	counts   counts
	lat      []time.Duration
	keys     map[string]int64 // 2xx answers per key
	connKeys map[string]int64 // connections per the key of their first answer
	errs     []string
}

// run sends requests until the load stops, one at a time.
func (c *client) run() {
	defer c.hangUp()
	for c.load.claim() {
		c.request()
	}
}

// request sends one request and reads its answer, counting the outcome.
func (c *client) request() {
	l := c.load
	began := time.Now()
	deadline := began.Add(l.cfg.Timeout)
	c.counts.sent++
	if c.conn == nil {
		if err := c.dial(deadline); err != nil {
			c.fail(err)
			return
		}
	}
	c.conn.SetDeadline(deadline)
	if _, err := c.conn.Write(l.request); err != nil {
		c.fail(err)
		return
	}
	a, err := c.rd.readAnswer()
	if err != nil {
		c.fail(err)
		return
	}
	c.served++
	if a.status/100 == 2 {
		c.counts.ok++
		l.live.ok.Add(1)
		c.lat = append(c.lat, time.Since(began))
		c.keys[a.key]++
		if c.served == 1 {
			c.connKeys[a.key]++
		}
	} else {
		c.counts.notOK++
		c.note("status %d", a.status)
	}
	if a.close {
		c.counts.closes++
		c.hangUp()
	}
}

// dial opens a connection, by the deadline.
func (c *client) dial(deadline time.Time) error {
	l := c.load
	d := net.Dialer{Deadline: deadline}
	conn, err := d.Dial("tcp", l.addr)
	if err != nil {
		return err
	}
	if l.cfg.TLS != nil {
		tc := tls.Client(conn, l.cfg.TLS)
		tc.SetDeadline(deadline)
		if err := tc.Handshake(); err != nil {
			conn.Close()
			return err
		}
		conn = tc
	}
	c.counts.connects++
	c.conn, c.served = conn, 0
	c.rd.br = bufio.NewReaderSize(conn, 4096)
	c.rd.keyHeader = []byte(strings.ToLower(l.cfg.KeyHeader))
	c.rd.keyBody = l.cfg.KeyHeader == ""
	return nil
}

// fail counts a request that got no complete answer, and drops the
// connection: what is left on it cannot be trusted.
func (c *client) fail(err error) {
	c.counts.add(reason(err))
	c.load.live.failed.Add(1)
	c.note("%v", err)
	c.hangUp()
}

func (c *client) hangUp() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}
