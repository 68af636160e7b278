package nodeapp

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/spark2/spark2/internal/exitcode"
)

const helloApp = `module.exports = require('http').createServer((req, res) => res.end('hello ' + req.url));`

// get fetches url with a client of its own and returns the body.
func get(t *testing.T, url string) string {
	t.Helper()
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return string(body)
}

// stop sends SIGTERM and asserts that node exits 0.
func (w *worker) stop() {
	w.t.Helper()
	w.signal(syscall.SIGTERM)
	if code := w.waitExit(); code != 0 {
		w.t.Fatalf("exit code after SIGTERM: %d, want 0; stderr: %s", code, w.stderr.String())
	}
}

func TestServesHTTPOnFD3(t *testing.T) {
	t.Parallel()
	w := spawn(t, writeApp(t, map[string]string{"app.js": helloApp}), Options{}, false)
	w.waitText(fmt.Sprintf("Spark2 server(%d) listening on http://*:%d in development mode", w.cmd.Process.Pid, w.port))
	w.waitReady()
	if body := get(t, "http://"+w.addr()+"/hi"); body != "hello /hi" {
		t.Errorf("body %q, want %q", body, "hello /hi")
	}
	w.stop()
}

func TestAcceptedExports(t *testing.T) {
	t.Parallel()
	cases := map[string]map[string]string{
		"module.exports.default": {"app.js": `module.exports.default = require('http').createServer((req, res) => res.end('ok'));`},
		"exports.server":         {"app.js": `exports.server = require('http').createServer((req, res) => res.end('ok'));`},
		"server.js":              {"server.js": `module.exports = require('http').createServer((req, res) => res.end('ok'));`},
		"ES module default": {
			"package.json": `{"type": "module"}`,
			"app.js":       "import http from 'node:http';\nexport default http.createServer((req, res) => res.end('ok'));",
		},
		"ES module with top-level await": {
			"package.json": `{"type": "module"}`,
			"app.js":       "import http from 'node:http';\nawait Promise.resolve();\nexport const server = http.createServer((req, res) => res.end('ok'));",
		},
	}
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := spawn(t, writeApp(t, files), Options{}, false)
			w.waitReady()
			if body := get(t, "http://"+w.addr()+"/"); body != "ok" {
				t.Errorf("body %q, want ok", body)
			}
			w.stop()
		})
	}
}

func TestServesNetServer(t *testing.T) {
	t.Parallel()
	app := `module.exports = require('net').createServer((socket) => socket.end('hello tcp\n'));`
	w := spawn(t, writeApp(t, map[string]string{"app.js": app}), Options{}, false)
	w.waitReady()
	conn, err := net.DialTimeout("tcp", w.addr(), timeout)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(conn)
	if err != nil || string(b) != "hello tcp\n" {
		t.Errorf("read %q, %v; want %q", b, err, "hello tcp\n")
	}
	conn.Close() // a net.Server's connections are the app's to end: the worker waits for them
	w.stop()
}

func TestInvalidApp(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{"app.js": `module.exports = {};`})
	w := spawn(t, dir, Options{}, false)
	if code := w.waitExit(); code != exitcode.Permanent {
		t.Fatalf("exit code %d, want %d", code, exitcode.Permanent)
	}
	want := "Spark2: invalid application " + filepath.Join(dir, "app.js") +
		": it must export an http.Server or net.Server, e.g. module.exports = require('http').createServer(handler)\n"
	if got := w.stderr.String(); got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

func TestAppThatThrowsExits1(t *testing.T) {
	t.Parallel()
	w := spawn(t, writeApp(t, map[string]string{"app.js": "\nthrow new Error('boom at load');"}), Options{}, false)
	if code := w.waitExit(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	stderr := w.stderr.String()
	for _, want := range []string{"Spark2: cannot load application ", "Error: boom at load", "app.js:2"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
}

func TestEvalRunsFirstInGlobalScope(t *testing.T) {
	t.Parallel()
	app := `module.exports = require('http').createServer((req, res) => res.end(greeting));`
	o := Options{Eval: `var greeting = 'hi from ' + 'eval'`}
	w := spawn(t, writeApp(t, map[string]string{"app.js": app}), o, false)
	w.waitReady()
	if body := get(t, "http://"+w.addr()+"/"); body != "hi from eval" {
		t.Errorf("body %q, want %q", body, "hi from eval")
	}
	w.stop()
}

func TestEvalThatThrowsExits1(t *testing.T) {
	t.Parallel()
	app := "console.log('app loaded');\n" + helloApp
	w := spawn(t, writeApp(t, map[string]string{"app.js": app}), Options{Eval: `throw new Error('bad eval')`}, false)
	if code := w.waitExit(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if stderr := w.stderr.String(); !strings.Contains(stderr, "Spark2: --eval failed: Error: bad eval") {
		t.Errorf("stderr: %s", stderr)
	}
	for line := range w.lines {
		t.Errorf("stdout line %q: the app ran after a failed --eval", line)
	}
}

func TestCommentIsTheProcessTitle(t *testing.T) {
	t.Parallel()
	w := spawn(t, writeApp(t, map[string]string{"app.js": helloApp}), Options{Comment: "shop front"}, false)
	w.waitReady() // the title is set before the app loads
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", w.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	title, _, _ := strings.Cut(string(b), "\x00")
	if title != "spark2 worker 0 [shop front]" {
		t.Errorf("cmdline starts with %q, want %q", title, "spark2 worker 0 [shop front]")
	}
	w.stop()
}

func TestIncludeIsOnNodePath(t *testing.T) {
	t.Parallel()
	dir := writeApp(t, map[string]string{
		"lib/greet.js": `module.exports = 'hi from lib';`,
		"app.js":       `const greet = require('greet'); module.exports = require('http').createServer((req, res) => res.end(greet));`,
	})
	w := spawn(t, dir, Options{Include: []string{filepath.Join(dir, "lib")}}, false)
	w.waitReady()
	if body := get(t, "http://"+w.addr()+"/"); body != "hi from lib" {
		t.Errorf("body %q, want %q", body, "hi from lib")
	}
	w.stop()
}

// Stand-alone (no LISTEN_FDS), the bootstrap listens on PORT and SPARK2_HOST.
func TestStandalone(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, host, env, bannerHost, mode string }{
		{"SPARK2_ENV", "127.0.0.1", "SPARK2_ENV=production", "127.0.0.1", "production"},
		{"NODE_ENV", "127.0.0.1", "NODE_ENV=staging", "127.0.0.1", "staging"},
		{"IPv6", "::1", "SPARK2_ENV=test", `\[::1\]`, "test"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if strings.Contains(c.host, ":") {
				ln, err := net.Listen("tcp6", "[::1]:0")
				if err != nil {
					t.Skipf("no IPv6 loopback: %v", err)
				}
				ln.Close()
			}
			w := spawn(t, writeApp(t, map[string]string{"app.js": helloApp}), Options{}, true,
				"PORT=0", "SPARK2_HOST="+c.host, c.env)
			banner := regexp.MustCompile(fmt.Sprintf(`^Spark2 server\(%d\) listening on http://%s:(\d+) in %s mode$`,
				w.cmd.Process.Pid, c.bannerHost, c.mode))
			line := w.waitLine("the banner", banner.MatchString)
			w.waitReady()
			port := banner.FindStringSubmatch(line)[1]
			if body := get(t, "http://"+net.JoinHostPort(c.host, port)+"/x"); body != "hello /x" {
				t.Errorf("body %q, want %q", body, "hello /x")
			}
			w.stop()
		})
	}
}

// Without --comment, ps and docker top show "node <app>", not the
// bootstrap's source, and the app cannot see the source in its environment.
func TestTitleIsNodeAndTheApp(t *testing.T) {
	t.Parallel()
	app := `module.exports = require('http').createServer((req, res) => res.end('bootstrap in env: ' + ('SPARK2_BOOTSTRAP' in process.env)));`
	dir := writeApp(t, map[string]string{"app.js": app})
	w := spawn(t, dir, Options{}, false)
	w.waitReady()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", w.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	want := "node " + filepath.Join(dir, "app.js")
	if title := strings.TrimRight(string(b), "\x00"); title != want {
		t.Errorf("cmdline %q, want %q", title, want)
	}
	if body := get(t, "http://"+w.addr()+"/"); body != "bootstrap in env: false" {
		t.Errorf("app says %q, want the bootstrap out of its environment", body)
	}
	w.stop()
}
