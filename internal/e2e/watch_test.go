package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func versionApp(v string) string {
	return `module.exports = require('http').createServer((req, res) => res.end('` + v + `'));` + "\n"
}

// atomicSave writes like an editor: a temporary file renamed over the target.
func atomicSave(t *testing.T, path, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestWatchServesNewCodeWithoutFailures(t *testing.T) {
	dir := appDir(t, versionApp("v1"))
	m := run(t, plain, nil, "-C", dir, "-n", "2", "--watch")
	port, _ := m.banners(2)
	url := "http://127.0.0.1:" + port + "/"
	ls := startLoads(t, url, 10, 2*time.Minute)
	eventually(t, "load flowing", func() bool { return ls.ok() > 200 })
	for _, v := range []string{"v2", "v3"} {
		atomicSave(t, filepath.Join(dir, "app.js"), versionApp(v))
		eventually(t, "the new code served", func() bool {
			body, err := get(httpClient(), url)
			return err == nil && body == v
		})
	}
	// An ignored file changes nothing: no new banner follows.
	os.WriteFile(filepath.Join(dir, "app.js.swp"), []byte("x"), 0o644)
	os.MkdirAll(filepath.Join(dir, "node_modules", "x"), 0o755)
	os.WriteFile(filepath.Join(dir, "node_modules", "x", "index.js"), []byte("x"), 0o644)
	after := ls.ok()
	eventually(t, "load flowing", func() bool { return ls.ok() > after+500 })
	ls.finishClean()
	if n := strings.Count(m.Stderr(), "files changed; respawning"); n != 2 {
		t.Fatalf("%d respawns for 2 saves and 2 ignored files, want 2:\n%s", n, m.Stderr())
	}
}

func TestWatchPolling(t *testing.T) {
	dir := appDir(t, versionApp("v1"))
	m := run(t, plain, nil, "-C", dir, "--watch-path", dir, "--watch-poll", "50ms")
	port, _ := m.banners(1)
	os.WriteFile(filepath.Join(dir, "app.js"), []byte(versionApp("v2")), 0o644)
	eventually(t, "the new code served", func() bool {
		body, err := get(httpClient(), "http://127.0.0.1:"+port+"/")
		return err == nil && body == "v2"
	})
}
