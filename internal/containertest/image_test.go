package containertest

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// maxImageSize is the goal for the spark2 image: 6 MB.
const maxImageSize = 6_000_000

// probeReady is the HEALTHCHECK of the spark2 image and of the example.
var probeReady = []string{"CMD", "/usr/local/bin/spark2", "--probe", "ready"}

func TestImageFromHostBinary(t *testing.T) {
	im := buildImages(t)
	size, err := strconv.ParseInt(docker(t, "image", "inspect", "--format", "{{.Size}}", im.spark2), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image size: %d bytes (%.2f MB)", size, float64(size)/1e6)
	if size > maxImageSize {
		t.Errorf("image is %d bytes, want at most %d", size, maxImageSize)
	}
	// Static: it runs in an image with nothing else in it.
	if out := docker(t, "run", "--rm", "--name", "spark2ct-"+runID+"-version", im.spark2, "--version"); !strings.Contains(out, version) {
		t.Errorf("docker run IMAGE --version = %q, want the version %q", out, version)
	}
	for _, image := range []string{im.spark2, im.example} {
		var cfg struct {
			Entrypoint  []string
			Healthcheck struct{ Test []string }
		}
		if err := json.Unmarshal([]byte(docker(t, "image", "inspect", "--format", "{{json .Config}}", image)), &cfg); err != nil {
			t.Fatal(err)
		}
		if strings.Join(cfg.Entrypoint, " ") != "/usr/local/bin/spark2" {
			t.Errorf("%s: ENTRYPOINT %q, want [/usr/local/bin/spark2]", image, cfg.Entrypoint)
		}
		if strings.Join(cfg.Healthcheck.Test, " ") != strings.Join(probeReady, " ") {
			t.Errorf("%s: HEALTHCHECK %q, want %q", image, cfg.Healthcheck.Test, probeReady)
		}
	}
}

func TestServesAsPID1WithNWorkers(t *testing.T) {
	im := buildImages(t)
	c := runContainer(t, im.example, []string{"-e", "SPARK2_WORKERS=3"})
	if body := c.waitServing(30 * time.Second); !strings.HasPrefix(body, "Hello World from worker ") {
		t.Errorf("GET / = %q, want examples/hello's answer", body)
	}
	pid1 := c.hostPid()
	master, ok := readProc("/proc/" + strconv.Itoa(pid1))
	if !ok || master.comm != "spark2" || master.nspid != 1 {
		t.Fatalf("PID 1 of the container is %v, want spark2 as pid 1", master)
	}
	waitFor(t, 20*time.Second, "3 node workers under spark2", func() (bool, string) {
		kids := c.workers()
		n := 0
		for _, k := range kids {
			// The bootstrap titles the worker "node <app>" (comm is
			// the title's first 15 bytes).
			if k.comm == "node" || strings.HasPrefix(k.comm, "node ") {
				n++
			}
		}
		return n == 3 && len(kids) == 3, fmtProcs(kids)
	})
	// One request per connection, until every slot has answered.
	seen := map[string]bool{}
	waitFor(t, 20*time.Second, "answers from workers 0, 1 and 2", func() (bool, string) {
		body, err := getOnce(c.url)
		if err == nil {
			if f := strings.Fields(body); len(f) > 4 {
				seen[f[4]] = true
			}
		}
		return seen["0"] && seen["1"] && seen["2"], "seen " + strings.Join(keys(seen), ",")
	})
}

func TestContUnderLoadReplacesEveryWorker(t *testing.T) {
	im := buildImages(t)
	c := runContainer(t, im.example, []string{"-e", "SPARK2_WORKERS=2"})
	c.waitServing(30 * time.Second)
	var old []proc
	waitFor(t, 20*time.Second, "2 workers", func() (bool, string) {
		old = c.workers()
		return len(old) == 2, fmtProcs(old)
	})
	l := startLoad(t, c.url, 50, 45*time.Second)
	waitFor(t, 20*time.Second, "load under way", func() (bool, string) { return l.ok() >= 200, l.String() })
	docker(t, "kill", "--signal", "CONT", c.name)
	waitFor(t, 30*time.Second, "every worker replaced", func() (bool, string) {
		now := c.workers()
		if len(now) != 2 || !strings.Contains(c.logs(), "rolling respawn done") {
			return false, fmtProcs(now)
		}
		for _, p := range now {
			for _, o := range old {
				if p.pid == o.pid {
					return false, "still there: " + o.String()
				}
			}
		}
		return true, ""
	})
	// The new workers serve too.
	before := l.ok()
	waitFor(t, 10*time.Second, "requests after the respawn", func() (bool, string) { return l.ok() >= before+200, l.String() })
	l.check(t, 400)
}

// termApp is examples/hello plus a line on SIGTERM; spark2's node bootstrap
// then stops it gracefully.
const termApp = `const http = require('http');
process.on('SIGTERM', () => console.log('worker ' + process.env.SPARK2_WORKER_ID + ' got SIGTERM'));
module.exports = http.createServer((req, res) => res.end('worker ' + process.env.SPARK2_WORKER_ID + '\n'));
`

func TestDockerStopTermsEveryWorkerAndExits0(t *testing.T) {
	im := buildImages(t)
	dir := appDir(t, map[string]string{"app.js": termApp})
	c := runContainer(t, im.example, []string{"-e", "SPARK2_WORKERS=2", "-v", dir + ":/app:ro"})
	c.waitServing(30 * time.Second)
	waitFor(t, 20*time.Second, "2 workers", func() (bool, string) { w := c.workers(); return len(w) == 2, fmtProcs(w) })
	start := time.Now()
	docker(t, "stop", "--time", "10", c.name)
	took := time.Since(start)
	t.Logf("docker stop took %v", took)
	if took > 5*time.Second {
		t.Errorf("docker stop took %v, want well within docker's 10 s", took)
	}
	if code := c.inspect("{{.State.ExitCode}}"); code != "0" {
		t.Errorf("exit code %s, want 0", code)
	}
	logs := c.logs()
	for _, line := range []string{"worker 0 got SIGTERM", "worker 1 got SIGTERM", "stopped gracefully"} {
		if !strings.Contains(logs, line) {
			t.Errorf("no %q in the logs:\n%s", line, logs)
		}
	}
}

func TestHealthcheckHealthyThenUnhealthyWhenStopped(t *testing.T) {
	im := buildImages(t)
	c := runContainer(t, im.example, []string{
		"-e", "SPARK2_STALE_AFTER=2s",
		"--health-interval", "1s", "--health-timeout", "2s", "--health-retries", "1", "--health-start-period", "1s",
	})
	health := func() (bool, string) { return false, c.inspect("{{.State.Health.Status}} {{json .State.Health.Log}}") }
	waitFor(t, 30*time.Second, "healthy", func() (bool, string) {
		_, s := health()
		return strings.HasPrefix(s, "healthy "), s
	})
	docker(t, "kill", "--signal", "STOP", c.name)
	stopped := time.Now()
	waitFor(t, 20*time.Second, "unhealthy after SIGSTOP", func() (bool, string) {
		_, s := health()
		return strings.HasPrefix(s, "unhealthy "), s
	})
	t.Logf("unhealthy %v after SIGSTOP", time.Since(stopped).Round(100*time.Millisecond))
	// SIGCONT resumes spark2 (and respawns its workers): healthy again.
	docker(t, "kill", "--signal", "CONT", c.name)
	waitFor(t, 30*time.Second, "healthy again after SIGCONT", func() (bool, string) {
		_, s := health()
		return strings.HasPrefix(s, "healthy "), s
	})
}

// orphanApp answers GET /orphans?n=N once N children have each started a
// grandchild that lives 3 s and exited: the grandchildren are orphans, and
// PID 1 must adopt and reap them.
const orphanApp = `const http = require('http');
const { spawn } = require('child_process');
const maker = "require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 3000)'], {detached: true, stdio: 'ignore'}).unref()";
module.exports = http.createServer((req, res) => {
  const n = Number(new URL(req.url, 'http://x').searchParams.get('n') || 0);
  if (n === 0) return res.end('ok\n');
  let left = n;
  for (let i = 0; i < n; i++) {
    spawn(process.execPath, ['-e', maker], { stdio: 'ignore' })
      .on('exit', () => { if (--left === 0) res.end('orphaned ' + n + '\n'); });
  }
});
`

func TestOrphansLeaveNoZombies(t *testing.T) {
	im := buildImages(t)
	dir := appDir(t, map[string]string{"app.js": orphanApp})
	c := runContainer(t, im.example, []string{"-e", "SPARK2_WORKERS=1", "-v", dir + ":/app:ro"})
	c.waitServing(30 * time.Second)
	const n = 5
	if body, err := getOnce(c.url + "?n=5"); err != nil || body != "orphaned 5\n" {
		t.Fatalf("GET /?n=5: %q %v", body, err)
	}
	// The orphans are PID 1's children now (besides the one worker).
	waitFor(t, 2*time.Second, "orphans adopted by PID 1", func() (bool, string) {
		kids := c.workers()
		return len(kids) == 1+n, fmtProcs(kids)
	})
	// Once they end, nothing is left but spark2 and its worker: no zombie.
	waitFor(t, 15*time.Second, "orphans reaped", func() (bool, string) {
		ps := c.procs()
		return len(ps) == 2, fmtProcs(ps)
	})
	for _, p := range c.procs() {
		if p.state == "Z" {
			t.Errorf("zombie in the container: %v", p)
		}
	}
}

func fmtProcs(ps []proc) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return "[" + strings.Join(s, " ") + "]"
}

func keys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
