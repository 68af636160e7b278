package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/spark2/spark2/internal/config"
	"github.com/spark2/spark2/internal/exitcode"
	"github.com/spark2/spark2/internal/logs"
)

// openFds lists this process's open fds.
func openFds(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var fds []string
	for _, e := range ents {
		fds = append(fds, e.Name())
	}
	return fds
}

// TestSetupFailureReleasesWhatItOpened: a failure after the port is bound,
// the access log opened and the notify socket made (here: a pid file whose
// directory does not exist) prints one line, returns the code and nil, and
// leaves no fd of those open.
func TestSetupFailureReleasesWhatItOpened(t *testing.T) {
	dir := t.TempDir()
	c := config.Config{
		Command: []string{"true"}, Workers: 1, Env: "test", Host: "127.0.0.1", Port: 0,
		AccessLog: filepath.Join(dir, "access.log"), StatusFile: filepath.Join(dir, "status", "s.json"),
		PidFile: filepath.Join(dir, "no", "such", "dir", "spark2.pid"),
	}
	var out strings.Builder
	before := openFds(t)
	m, code := setup(c, &out, logs.NewSink(&out), hclog.NewNullLogger())
	if m != nil || code != exitcode.Usage {
		t.Fatalf("setup = %v, %d; want nil and %d", m, code, exitcode.Usage)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "spark2.pid") {
		t.Errorf("output %q, want one line naming the pid file", out.String())
	}
	if after := openFds(t); !slices.Equal(after, before) {
		t.Errorf("fds before setup %v, after its failure %v", before, after)
	}
}
