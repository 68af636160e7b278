package containertest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var (
	// repoRoot is the repository's root: Dockerfile, docker-compose.yml, k8s/.
	repoRoot string
	// spark2Bin is spark2 built once by TestMain the way the Dockerfile's
	// build stage does: static, stripped, stamped with version.
	spark2Bin string
	// runID makes every name this run gives to Docker objects unique.
	runID string
	// version is the version stamped into spark2Bin.
	version string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if repoRoot, err = filepath.Abs(filepath.Join("..", "..")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := os.Stat(filepath.Join(repoRoot, "Dockerfile")); err != nil {
		fmt.Fprintln(os.Stderr, "repository root not found:", err)
		return 1
	}
	b := make([]byte, 4)
	rand.Read(b)
	runID = hex.EncodeToString(b)
	version = "containertest-" + runID
	dir, err := os.MkdirTemp("", "spark2-containertest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	spark2Bin = filepath.Join(dir, "spark2")
	build := exec.Command("go", "build", "-trimpath",
		"-ldflags", "-s -w -X github.com/spark2/spark2/internal/config.Version="+version,
		"-o", spark2Bin, ".")
	build.Dir = repoRoot
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build spark2: %v\n%s", err, out)
		return 1
	}
	defer removeImages()
	return m.Run()
}
