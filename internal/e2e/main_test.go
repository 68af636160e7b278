// Package e2e tests the spark2 binary from the outside, as users run it: as a
// plain process (a child subreaper) and as PID 1 of a new PID namespace. Its
// workers are this very test binary, re-run as helper programs (see
// helpers_test.go), that handshake on stdout.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// spark2Bin is the binary under test, built once by TestMain.
var spark2Bin string

// selfBin is this test binary, which workers re-run as helpers.
var selfBin string

func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "helper" {
		os.Exit(runHelper(os.Args[2], os.Args[3:]))
	}
	dir, err := os.MkdirTemp("", "spark2-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Chmod(dir, 0o755) // workers dropped to -u nobody re-run spark2 from here
	spark2Bin = filepath.Join(dir, "spark2")
	build := exec.Command("go", "build", "-o", spark2Bin, "github.com/spark2/spark2")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build spark2: %v\n%s", err, out)
		os.Exit(1)
	}
	if selfBin, err = os.Executable(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// helper returns a COMMAND that runs the named helper program.
func helper(name string, args ...string) []string {
	return append([]string{selfBin, "helper", name}, args...)
}
