package containertest

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// container is a running container of this run, removed when its test ends.
type container struct {
	t    *testing.T
	name string
	url  string // http://127.0.0.1:PORT/ of the published port
}

var containerSeq atomic.Int64

// runContainer starts image detached, its port 3000 published on a free
// port of 127.0.0.1, with the docker run options opts and the COMMAND
// (spark2's arguments) cmd.
func runContainer(t *testing.T, image string, opts []string, cmd ...string) *container {
	t.Helper()
	return runContainerPort(t, image, 3000, opts, cmd...)
}

// runContainerPort is runContainer for a container that listens on port.
func runContainerPort(t *testing.T, image string, port int, opts []string, cmd ...string) *container {
	t.Helper()
	c := &container{t: t, name: fmt.Sprintf("spark2ct-%s-%d", runID, containerSeq.Add(1))}
	args := append([]string{"run", "-d", "--name", c.name, "-p", "127.0.0.1::" + strconv.Itoa(port)}, opts...)
	args = append(append(args, image), cmd...)
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := dockerOut("logs", "--tail", "60", c.name)
			t.Logf("docker logs %s (last lines):\n%s", c.name, out)
		}
		dockerOut("rm", "-f", "-v", c.name)
	})
	docker(t, args...)
	addr := docker(t, "port", c.name, strconv.Itoa(port)+"/tcp")
	addr = strings.Fields(addr)[0] // one line per address family
	c.url = "http://" + addr + "/"
	return c
}

// logs returns what the container printed so far, stdout and stderr.
func (c *container) logs() string {
	out, _ := dockerOut("logs", c.name)
	return out
}

// inspect returns a docker inspect --format field of the container.
func (c *container) inspect(format string) string {
	c.t.Helper()
	return docker(c.t, "inspect", "--format", format, c.name)
}

// hostPid is the host pid of the container's PID 1.
func (c *container) hostPid() int {
	c.t.Helper()
	pid, err := strconv.Atoi(c.inspect("{{.State.Pid}}"))
	if err != nil || pid <= 0 {
		c.t.Fatalf("container %s has no pid (%v): %s", c.name, err, c.logs())
	}
	return pid
}

// waitServing waits until GET / answers 200 and returns the body.
func (c *container) waitServing(timeout time.Duration) string {
	c.t.Helper()
	var body string
	waitFor(c.t, timeout, "GET "+c.url, func() (bool, string) {
		b, err := getOnce(c.url)
		body = b
		if err != nil {
			return false, err.Error()
		}
		return true, ""
	})
	return body
}

// workers returns the processes whose parent is PID 1: spark2's workers
// (and any orphan it has adopted).
func (c *container) workers() []proc {
	c.t.Helper()
	pid1 := c.hostPid()
	var kids []proc
	for _, p := range c.procs() {
		if p.ppid == pid1 {
			kids = append(kids, p)
		}
	}
	return kids
}

// procs lists every process of the container, read from the host's /proc.
func (c *container) procs() []proc {
	c.t.Helper()
	ps, err := namespaceProcs(c.hostPid())
	if err != nil {
		c.t.Fatal(err)
	}
	return ps
}

// getOnce sends one GET on a connection of its own.
func getOnce(url string) (string, error) {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", resp.Status, b)
	}
	return string(b), err
}

// appDir writes files into a new directory that the container's user
// (65534) can read, to bind-mount as /app.
func appDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
