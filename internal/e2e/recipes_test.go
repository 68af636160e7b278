package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/loadgen"
)

// The recipes of README.md's "Recipes" (examples/recipes/), each run as the
// README says, replaced by SIGCONT again and again under a keep-alive load
// and a new-connection load side by side, both never retrying: no request
// fails, or no more than the README states for a server that cannot do
// better.

// recipe is one server of README.md's "Recipes".
type recipe struct {
	dir  string   // examples/recipes/<dir>: spark2's -C
	args []string // spark2's options and the COMMAND, after -C and -n
	env  []string // added to spark2's environment
	// maxFailedPerStop bounds the failed requests per worker stop, per
	// loadgen mode (KeepAlive, NewConnection): 0 where the README says
	// none fails.
	maxFailedPerStop [2]int64
}

// recipeRespawns is how many rolling respawns each recipe goes through,
// recipeWorkers its -n, recipeConns the connections of each load.
const (
	recipeRespawns = 3
	recipeWorkers  = 2
	recipeConns    = 20
)

// recipeDir is the absolute path of examples/recipes/<name>.
func recipeDir(t *testing.T, name string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "recipes", name))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// needServer skips the test when a server the recipe runs is missing
// (check fails), unless CI is set: there a missing server is a failure
// (.ci/run installs them).
func needServer(t *testing.T, what string, check *exec.Cmd) {
	t.Helper()
	if out, err := check.CombinedOutput(); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s is not installed (%v: %s); CI installs it (.ci/run)", what, err, strings.TrimSpace(string(out)))
		}
		t.Fatalf("%s is not installed (%v: %s); .ci/run should have installed it", what, err, strings.TrimSpace(string(out)))
	}
}

// pythonWith returns a python3 that can import module: the one on PATH,
// else Debian's /usr/bin/python3 (where apt-get installs python3-uvicorn);
// needServer's rules when neither can.
func pythonWith(t *testing.T, module string) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import "+module).Run() == nil {
			return py
		}
	}
	needServer(t, module, exec.Command("/usr/bin/python3", "-c", "import "+module))
	return ""
}

var listenAddr = regexp.MustCompile(`listen="[^"]*:(\d+)"`)

// port waits for spark2's first line, which names the port it bound.
func (m *master) port() string {
	m.t.Helper()
	var port string
	eventually(m.t, "spark2 names its port", func() bool {
		if f := listenAddr.FindStringSubmatch(m.Stderr()); f != nil {
			port = f[1]
		}
		return port != ""
	})
	return port
}

// serving waits until url answers 200 (any worker: the probe is no proof).
func serving(t *testing.T, m *master, url string) {
	t.Helper()
	c := httpClient()
	eventually(t, "the recipe answers "+url, func() bool {
		if !m.alive() {
			t.Fatalf("spark2 ended; stderr:\n%s", tail(m.Stderr(), 40))
		}
		_, err := get(c, url)
		return err == nil
	})
}

// runRecipe starts spark2 with the recipe's -n 2, waits until it answers,
// puts 20 keep-alive and 20 new-connection clients on it, sends
// recipeRespawns SIGCONTs one after another (each waits for the rolling
// respawn's end) and checks the loads against the recipe's bounds.
func runRecipe(t *testing.T, r recipe) {
	t.Helper()
	args := append([]string{"-C", recipeDir(t, r.dir), "-n", fmt.Sprint(recipeWorkers)}, r.args...)
	m := run(t, plain, r.env, args...)
	url := "http://127.0.0.1:" + m.port() + "/"
	serving(t, m, url)
	ls := startLoads(t, url, recipeConns, 2*time.Minute)
	eventually(t, "load flowing", func() bool { return ls.ok() > 200 })
	for i := 0; i < recipeRespawns; i++ {
		m.signal(syscall.SIGCONT)
		eventually(t, "the rolling respawn done", func() bool { return m.logCount("rolling respawn done") >= i+1 })
	}
	after := ls.ok()
	eventually(t, "load after the respawns", func() bool { return ls.ok() > after+200 })
	for _, l := range ls {
		res := l.finish()
		if res.Refused() > 0 || res.NotOK > 0 {
			t.Errorf("%v: %d refused, %d answers not 2xx: %v", res.Mode, res.Refused(), res.NotOK, res.Errors)
		}
		stops := int64(recipeRespawns * recipeWorkers)
		if max := r.maxFailedPerStop[res.Mode] * stops; res.Failed > max {
			t.Errorf("%v: %d requests failed through %d worker stops, want at most %d: %v", res.Mode, res.Failed, stops, max, res.Errors)
		}
	}
	if n := m.logCount("rolling respawn failed"); n > 0 {
		t.Errorf("%d rolling respawns failed; stderr:\n%s", n, tail(m.Stderr(), 40))
	}
}

func TestRecipeNodeApp(t *testing.T) {
	runRecipe(t, recipe{dir: "node-app"})
}

func TestRecipeNodeListenFd3(t *testing.T) {
	runRecipe(t, recipe{dir: "node-fd", args: []string{"--ready", "fd", "node", "server.js"}})
}

func TestRecipeGoNetHTTP(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "hello")
	build := exec.Command("go", "build", "-o", bin, "./examples/recipes/go")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build examples/recipes/go: %v\n%s", err, out)
	}
	runRecipe(t, recipe{dir: "go", args: []string{"--ready", "notify", bin}})
}

func TestRecipeGunicorn(t *testing.T) {
	needServer(t, "gunicorn", exec.Command("gunicorn", "--version"))
	runRecipe(t, recipe{dir: "gunicorn", args: []string{"--ready", "notify", "gunicorn", "app:app"}})
}

// TestRecipeGunicornReuseport: the gunicorn recipe with a socket per slot
// (--balance reuseport): each slot's gunicorn gets its own socket, and the
// rolling respawns under load fail nothing there either.
func TestRecipeGunicornReuseport(t *testing.T) {
	needServer(t, "gunicorn", exec.Command("gunicorn", "--version"))
	runRecipe(t, recipe{dir: "gunicorn", args: []string{"--balance", "reuseport", "--ready", "notify", "gunicorn", "app:app"}})
}

func TestRecipeUvicorn(t *testing.T) {
	python := pythonWith(t, "uvicorn")
	// uvicorn's stop closes every connection that has no request in
	// progress: a keep-alive client's, and one accepted whose request
	// uvicorn has not read yet. At most each connection of the load once
	// per stop, and far fewer new connections (README.md, "Recipes").
	runRecipe(t, recipe{dir: "uvicorn", args: []string{"--ready", "notify", python, "-m", "uvicorn", "--fd", "3", "--no-access-log", "app:app"},
		maxFailedPerStop: [2]int64{loadgen.KeepAlive: recipeConns, loadgen.NewConnection: recipeConns / 2}})
}

// nginxTmp checks for nginx and returns the environment that puts run.sh's
// prefixes (nginx's config, pid file and temporary files) in a directory of
// the test's own.
func nginxTmp(t *testing.T) []string {
	t.Helper()
	needServer(t, "nginx", exec.Command("nginx", "-v"))
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil { // nginx's worker runs as nobody
		t.Fatal(err)
	}
	return []string{"TMPDIR=" + dir}
}

func TestRecipeNginx(t *testing.T) {
	runRecipe(t, recipe{dir: "nginx", env: nginxTmp(t), args: []string{"--stop-signal", "QUIT", "--ready", "500ms", "--set", "NGINX=3;", "./run.sh"}})
}

func TestRecipeNginxKeepAlive(t *testing.T) {
	runRecipe(t, recipe{dir: "nginx", env: nginxTmp(t), args: []string{"--stop-signal", "QUIT", "--ready", "500ms", "--set", "NGINX=3;", "--set", "NGINX_KEEPALIVE_TIMEOUT=65", "./run.sh"},
		// nginx's QUIT closes idle keep-alive connections at once: at most
		// each connection of the load once per stop (README.md, "Recipes").
		maxFailedPerStop: [2]int64{loadgen.KeepAlive: recipeConns}})
}

// gunicorn's readiness in the recipe means "a worker can serve": with an
// app that takes 2 s to import, spark2 keeps the old worker until the new
// one has loaded it, so with one worker (-n 1) no request waits for the
// import: none fails, with a timeout (1 s) below the import's time.
// gunicorn's own READY=1, which its master sends before its worker has
// imported anything, fails this test (the recipe's gunicorn.conf.py is what
// passes it).
func TestGunicornReadyMeansLoaded(t *testing.T) {
	needServer(t, "gunicorn", exec.Command("gunicorn", "--version"))
	dir := t.TempDir()
	conf, err := os.ReadFile(filepath.Join(recipeDir(t, "gunicorn"), "gunicorn.conf.py"))
	if err != nil {
		t.Fatal(err)
	}
	slow := "import time\ntime.sleep(2)\n\n\ndef app(environ, start_response):\n" +
		"    start_response(\"200 OK\", [(\"Content-Length\", \"3\")])\n    return [b\"ok\\n\"]\n"
	for name, src := range map[string][]byte{"gunicorn.conf.py": conf, "slow.py": []byte(slow)} {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := run(t, plain, nil, "-C", dir, "-n", "1", "--ready", "notify", "gunicorn", "slow:app")
	url := "http://127.0.0.1:" + m.port() + "/"
	serving(t, m, url)
	var ls []*loadgen.Load
	for _, lm := range loadgen.Modes {
		l, err := loadgen.Start(loadgen.Config{URL: url, Mode: lm, Conns: 10, Duration: time.Minute, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Stop() })
		ls = append(ls, l)
	}
	for i := 0; i < 2; i++ {
		m.signal(syscall.SIGCONT)
		eventually(t, "the rolling respawn done", func() bool { return m.logCount("rolling respawn done") >= i+1 })
	}
	for _, l := range ls {
		r := l.Stop()
		t.Logf("load %v", r)
		if err := r.Err(); err != nil {
			t.Error(err)
		}
		if r.OK < 100 {
			t.Errorf("%v: only %d answers: the load did not run through the respawns", r.Mode, r.OK)
		}
	}
}
