package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The "Show it" of issue 9: examples/hello, as a user runs it (the node
// bootstrap's drain), with -n 2 and -n 4, as a plain process and as PID 1,
// replaced by SIGCONT one respawn after another (3; 20 with SPARK2_SOAK=1)
// under 50 keep-alive connections and 50 that open a connection per
// request, all back to back and never retrying: no request fails, none is
// refused.
func TestHelloRespawnsUnderLoadZeroFailures(t *testing.T) {
	hello, err := filepath.Abs(filepath.Join("..", "..", "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	bothModes(t, func(t *testing.T, md mode) {
		for _, n := range []int{2, 4} {
			t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
				m := run(t, md, nil, "-C", hello, "-n", fmt.Sprint(n))
				port, _ := m.banners(n)
				url := "http://127.0.0.1:" + port + "/"
				if body, err := get(httpClient(), url); err != nil || !strings.HasPrefix(body, "Hello World from worker ") {
					t.Fatalf("GET %s = %q, %v; want examples/hello's answer", url, body, err)
				}
				ls := startLoads(t, url, 50, 5*time.Minute)
				eventually(t, "load flowing", func() bool { return ls.ok() > 500 })
				respawns := shortOrSoak(3, 20)
				for i := 0; i < respawns; i++ {
					m.signal(syscall.SIGCONT)
					m.banners(n) // every slot has a new worker
					eventually(t, "the rolling respawn done", func() bool { return m.logCount("rolling respawn done") >= i+1 })
				}
				after := ls.ok()
				eventually(t, "load after the respawns", func() bool { return ls.ok() > after+500 })
				ls.finishClean()
			})
		}
	})
}
