package containertest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBalanceReuseportInDocker: --balance reuseport as users run it. As the
// image's user, or as root with Docker's default capabilities, spark2
// cannot load its round-robin program (no CAP_BPF; the seccomp profile
// refuses bpf(2)): it says so and picks a worker at random, both workers
// serving. Started as root with CAP_BPF (--cap-add BPF; Docker 20.10 does
// not know that name, and CAP_SYS_ADMIN gives it there) and -u to drop, it
// hands new connections to the workers in turn, the drop notwithstanding:
// 20 new connections are 10 and 10.
func TestBalanceReuseportInDocker(t *testing.T) {
	im := buildImages(t)
	bpfCap := "BPF"
	if out, err := dockerOut("run", "--rm", "--cap-add", "BPF", im.example, "--version"); err != nil {
		if !strings.Contains(out, "unknown capability") {
			t.Fatalf("docker run --cap-add BPF: %v\n%s", err, out)
		}
		bpfCap = "SYS_ADMIN"
	}
	for _, tc := range []struct {
		name    string
		opts    []string
		inTurn  bool
		warning string
	}{
		{"image's user", nil, false, "at random, not in turn"},
		{"root, default capabilities", []string{"--user", "0:0", "-e", "SPARK2_USER=65534", "-e", "SPARK2_GROUP=65534"}, false, "at random, not in turn"},
		{"root, cap-add " + bpfCap, []string{"--user", "0:0", "-e", "SPARK2_USER=65534", "-e", "SPARK2_GROUP=65534", "--cap-add", bpfCap}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]string{"-e", "SPARK2_WORKERS=2", "-e", "SPARK2_BALANCE=reuseport"}, tc.opts...)
			c := runContainer(t, im.example, opts)
			c.waitServing(30 * time.Second)
			// Each slot's socket is served once its worker has started:
			// wait until both have answered.
			seen := map[string]bool{}
			waitFor(t, 20*time.Second, "answers from workers 0 and 1", func() (bool, string) {
				if body, err := getOnce(c.url); err == nil {
					if f := strings.Fields(body); len(f) > 4 {
						seen[f[4]] = true
					}
				}
				return seen["0"] && seen["1"], "seen " + strings.Join(keys(seen), ",")
			})
			logs := c.logs()
			if tc.warning != "" && !strings.Contains(logs, tc.warning) {
				t.Fatalf("logs lack %q:\n%s", tc.warning, logs)
			}
			if tc.warning == "" && strings.Contains(logs, "not in turn") {
				t.Fatalf("round robin refused with --cap-add %s:\n%s", bpfCap, logs)
			}
			byWorker := map[string]int{}
			for range 20 {
				body, err := getOnce(c.url)
				if err != nil {
					t.Fatal(err)
				}
				f := strings.Fields(body)
				if len(f) < 5 {
					t.Fatalf("GET / = %q, want examples/hello's answer", body)
				}
				byWorker[f[4]]++
			}
			split := fmt.Sprint(byWorker)
			if tc.inTurn && (byWorker["0"] != 10 || byWorker["1"] != 10) {
				t.Fatalf("20 new connections went to workers %s: want 10 and 10, in turn", split)
			}
			t.Logf("20 new connections: %s", split)
		})
	}
}
