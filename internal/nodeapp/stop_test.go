package nodeapp

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
)

// slowApp answers /slow after 300 ms and everything else at once; it prints
// a line per connection, per slow request and per SIGTERM it sees.
const slowApp = `
const server = require('http').createServer((req, res) => {
  if (req.url !== '/slow') return res.end('fast');
  console.log('slow request');
  setTimeout(() => res.end('slow done'), 300);
});
server.keepAliveTimeout = 0; // idle keep-alive connections stay open until the bootstrap closes them
server.on('connection', () => console.log('connection'));
process.on('SIGTERM', () => console.log('SIGTERM'));
module.exports = server;
`

type result struct {
	resp *http.Response
	body string
	err  error
}

// fetch does GET url with client and sends the outcome to a new channel.
func fetch(client *http.Client, url string) <-chan result {
	ch := make(chan result, 1)
	go func() {
		resp, err := client.Get(url)
		if err != nil {
			ch <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		ch <- result{resp, string(b), err}
	}()
	return ch
}

// SIGTERM while requests are in flight: each accepted request gets its whole
// response with "Connection: close", a keep-alive connection idle at the
// stop is closed, a connection accepted but still silent at the stop is
// served when its request comes, and node exits 0 once they are all closed.
func TestStopFinishesAcceptedRequests(t *testing.T) {
	t.Parallel()
	w := spawn(t, writeApp(t, map[string]string{"app.js": slowApp}), Options{}, false)
	w.waitReady()
	base := "http://" + w.addr()

	idle := &http.Client{Timeout: timeout, Transport: &http.Transport{}}
	defer idle.CloseIdleConnections()
	if r := <-fetch(idle, base+"/fast"); r.err != nil || r.body != "fast" || r.resp.Close {
		t.Fatalf("keep-alive GET /fast: %+v", r)
	}
	w.waitText("connection") // the idle keep-alive connection

	silent, err := net.DialTimeout("tcp", w.addr(), timeout)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	w.waitText("connection")

	slowClient := &http.Client{Timeout: timeout, Transport: &http.Transport{}}
	defer slowClient.CloseIdleConnections()
	slow := fetch(slowClient, base+"/slow")
	w.waitText("slow request")

	w.signal(syscall.SIGTERM)
	w.waitText("SIGTERM") // the app's handler runs just before the bootstrap's
	w.signal(syscall.SIGTERM)
	w.waitText("SIGTERM")

	if _, err := io.WriteString(silent, "GET /late HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	late, err := http.ReadResponse(bufio.NewReader(silent), nil)
	if err != nil {
		t.Fatalf("request on a connection accepted before SIGTERM: %v", err)
	}
	body, err := io.ReadAll(late.Body)
	if err != nil || string(body) != "fast" || !late.Close {
		t.Errorf("late request: body %q, %v, Connection: close %v; want fast, nil, true", body, err, late.Close)
	}

	r := <-slow
	if r.err != nil || r.body != "slow done" {
		t.Fatalf("in-flight GET /slow: %q, %v; want the whole response", r.body, r.err)
	}
	if !r.resp.Close {
		t.Errorf("in-flight GET /slow: no Connection: close after SIGTERM")
	}
	if code := w.waitExit(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}

// A connection that sends nothing does not keep a stopping worker alive.
func TestStopClosesSilentConnections(t *testing.T) {
	t.Parallel()
	w := spawn(t, writeApp(t, map[string]string{"app.js": slowApp}), Options{}, false)
	w.waitReady()
	silent, err := net.DialTimeout("tcp", w.addr(), timeout)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	w.waitText("connection")
	w.stop()
	if b, err := io.ReadAll(silent); err != nil || len(b) != 0 {
		t.Errorf("silent connection: read %q, %v; want EOF", b, err)
	}
}
