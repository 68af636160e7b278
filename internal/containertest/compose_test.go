package containertest

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// compose is one docker-compose project of docker-compose.yml, named for
// this run, with its env (the file's variables).
type compose struct {
	t       *testing.T
	project string
	env     []string
}

func (c *compose) run(args ...string) string {
	c.t.Helper()
	args = append([]string{"-p", c.project, "-f", filepath.Join(repoRoot, "docker-compose.yml")}, args...)
	out, err := command(c.env, "docker-compose", args...)
	if err != nil {
		c.t.Fatalf("docker-compose %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestComposeWatchServesSavedCode(t *testing.T) {
	requireDocker(t, "docker-compose")
	im := buildImages(t)
	hello, err := os.ReadFile(filepath.Join(repoRoot, "examples", "hello", "app.js"))
	if err != nil {
		t.Fatal(err)
	}
	src := appDir(t, map[string]string{"app.js": string(hello)})
	port := freePort(t)
	c := &compose{t: t, project: "spark2ct" + runID, env: []string{
		"SPARK2_EXAMPLE_IMAGE=spark2ct-" + runID + "-compose:test",
		"SPARK2_IMAGE=" + im.spark2,
		"NODE_IMAGE=" + im.node,
		"SPARK2_EXAMPLE_SRC=" + src,
		"SPARK2_EXAMPLE_PORT=" + strconv.Itoa(port),
	}}
	remember("spark2ct-" + runID + "-compose:test")
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := command(c.env, "docker-compose", "-p", c.project, "-f", filepath.Join(repoRoot, "docker-compose.yml"), "logs", "--no-color", "--tail", "60")
			t.Logf("docker-compose logs:\n%s", out)
		}
		command(c.env, "docker-compose", "-p", c.project, "-f", filepath.Join(repoRoot, "docker-compose.yml"), "down", "-v", "--timeout", "10")
	})
	c.run("build") // offline: every FROM of the build is a local image
	c.run("up", "-d")
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	waitFor(t, 30*time.Second, "GET "+url, func() (bool, string) {
		body, err := getOnce(url)
		if err != nil {
			return false, err.Error()
		}
		return strings.HasPrefix(body, "Hello World"), body
	})

	l := startLoad(t, url, 20, 40*time.Second)
	waitFor(t, 10*time.Second, "load under way", func() (bool, string) { return l.ok() >= 100, l.String() })
	// An editor's save: write a temp file, rename it over app.js.
	edited := strings.Replace(string(hello), "Hello World", "Hello Watch "+runID, 1)
	tmp := filepath.Join(src, ".app.js.swp-save")
	if err := os.WriteFile(tmp, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	saved := time.Now()
	if err := os.Rename(tmp, filepath.Join(src, "app.js")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the new code served", func() (bool, string) {
		body, err := getOnce(url)
		if err != nil {
			return false, err.Error()
		}
		return strings.HasPrefix(body, "Hello Watch "+runID), body
	})
	took := time.Since(saved)
	t.Logf("saved file to new response: %v", took.Round(10*time.Millisecond))
	if took > 3*time.Second {
		t.Errorf("the new code was served %v after the save, want within a couple of seconds", took)
	}
	before := l.ok()
	waitFor(t, 10*time.Second, "requests after the reload", func() (bool, string) { return l.ok() >= before+100, l.String() })
	l.check(t, 200)
}
