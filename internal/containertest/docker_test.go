package containertest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// dockerTimeout bounds every docker command (an image build included).
const dockerTimeout = 3 * time.Minute

// requireDocker skips t when the Docker engine does not answer or a tool
// is missing, or fails it when CI=true: CI on this machine has Docker.
func requireDocker(t *testing.T, tools ...string) {
	t.Helper()
	if out, err := dockerOut("info", "--format", "{{.ServerVersion}}"); err != nil {
		unavailable(t, fmt.Sprintf("docker info: %v: %s", err, out))
	}
	requireTools(t, tools...)
}

// requireTools skips or fails t (as requireDocker) unless every tool is in PATH.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range append([]string{"docker"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			unavailable(t, tool+" not found in PATH")
		}
	}
}

func unavailable(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %s", why)
	}
	t.Skip(why)
}

// command runs name with args within dockerTimeout and returns its stdout
// and stderr together, trimmed.
func command(env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), dockerTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, name, args...)
	c.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	err := c.Run()
	return strings.TrimSpace(out.String()), err
}

func dockerOut(args ...string) (string, error) { return command(nil, "docker", args...) }

// docker runs a docker command and fails t if it fails.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := dockerOut(args...)
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// testImages are the images of this run, built once (the offline way).
type testImages struct {
	spark2  string // ./Dockerfile, --target prebuilt: spark2 alone
	node    string // examples/node-image/build.sh: the host's node
	example string // examples/node-image/Dockerfile: node + spark2 + examples/hello
}

var (
	imagesOnce sync.Once
	images     testImages
	imagesErr  error
	built      []string // every image to remove at the end, newest first
	builtMu    sync.Mutex
)

// buildImages returns the images of this run, building them on first use.
func buildImages(t *testing.T) testImages {
	t.Helper()
	requireDocker(t)
	imagesOnce.Do(func() { images, imagesErr = build() })
	if imagesErr != nil {
		t.Fatal(imagesErr)
	}
	return images
}

func build() (testImages, error) {
	im := testImages{
		spark2:  "spark2ct-" + runID + "-spark2:test",
		node:    "spark2ct-" + runID + "-node:20",
		example: "spark2ct-" + runID + "-hello:test",
	}
	// The documented host-binary path, with a build context of its own
	// that holds only bin/spark2 (the default SPARK2_BINARY).
	ctxDir, err := os.MkdirTemp("", "spark2-image-context-")
	if err != nil {
		return im, err
	}
	defer os.RemoveAll(ctxDir)
	if err := copyFile(spark2Bin, filepath.Join(ctxDir, "bin", "spark2"), 0o755); err != nil {
		return im, err
	}
	steps := []struct {
		image string
		name  string
		args  []string
	}{
		{im.spark2, "docker", []string{"build", "-f", filepath.Join(repoRoot, "Dockerfile"), "--target", "prebuilt",
			"--build-arg", "VERSION=" + version, "-t", im.spark2, ctxDir}},
		{im.node, filepath.Join(repoRoot, "examples", "node-image", "build.sh"), []string{im.node}},
		{im.example, "docker", []string{"build", "-f", filepath.Join(repoRoot, "examples", "node-image", "Dockerfile"),
			"--build-arg", "SPARK2_IMAGE=" + im.spark2, "--build-arg", "NODE_IMAGE=" + im.node,
			"-t", im.example, filepath.Join(repoRoot, "examples")}},
	}
	for _, s := range steps {
		remember(s.image)
		if out, err := command(nil, s.name, s.args...); err != nil {
			return im, fmt.Errorf("build %s: %s %s: %v\n%s", s.image, s.name, strings.Join(s.args, " "), err, out)
		}
	}
	return im, nil
}

// remember marks an image for removal at the end of the run.
func remember(image string) {
	builtMu.Lock()
	defer builtMu.Unlock()
	built = append([]string{image}, built...)
}

// removeImages removes every image of the run, the ones built on others first.
func removeImages() {
	builtMu.Lock()
	defer builtMu.Unlock()
	for _, image := range built {
		if out, err := dockerOut("image", "rm", "-f", image); err != nil && !strings.Contains(out, "No such image") {
			fmt.Fprintf(os.Stderr, "remove image %s: %v: %s\n", image, err, out)
		}
	}
	built = nil
}

func copyFile(from, to string, mode os.FileMode) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, b, mode)
}

// waitFor polls cond every 100 ms until it is true or timeout has passed;
// then it fails t with what cond said last.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v; last: %s", what, timeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
