package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

func startupSection(s *settings, r *report) error {
	ns := []int{1, 4, 16}
	sp := map[int][]float64{}
	di := map[int][]float64{}
	cpu := map[int][]float64{}
	for run := 0; run <= s.runs; run++ {
		for _, n := range ns {
			a, c, err := startupSpark2(s, n)
			if err != nil {
				return fmt.Errorf("spark2 -n %d: %w", n, err)
			}
			b, err := startupDirect(s, n)
			if err != nil {
				return fmt.Errorf("direct, %d workers: %w", n, err)
			}
			if run > 0 { // run 0 warms the page cache
				sp[n] = append(sp[n], a)
				di[n] = append(di[n], b)
				cpu[n] = append(cpu[n], c)
			}
		}
	}
	r.detail("### 3. Start-up: exec of spark2 to the last of N workers started\n\n")
	r.detail("The worker is this program in `stamp` mode: its first act (a package-level initialiser) reads CLOCK_REALTIME; it prints that. ")
	r.detail("spark2 (plain mode): from just before the exec of `spark2 -n N spark2bench stamp` to the latest of the N stamps. ")
	r.detail("Direct: from just before a Go loop of N `os.StartProcess` of the same command (stdout to one pipe) to the latest stamp. ")
	r.detail("Median of %d runs after one warm-up, runs interleaved. Master CPU: what the spark2 master itself (all its threads, not the workers) had used on the CPU when the last stamp arrived.\n\n", s.runs)
	r.detail("| N | spark2 median | spark2 min–max | direct median | direct min–max | spark2 extra | extra per worker | master CPU |\n|---|---|---|---|---|---|---|---|\n")
	for _, n := range ns {
		a, b := summarize(sp[n]), summarize(di[n])
		fact(fmt.Sprintf("startup_ms.%d.spark2", n), a.median)
		fact(fmt.Sprintf("startup_ms.%d.direct", n), b.median)
		r.detail("| %d | %.2f ms | %.2f–%.2f | %.2f ms | %.2f–%.2f | %+.2f ms | %+.2f ms | %.1f ms |\n", n, a.median, a.min, a.max, b.median, b.min, b.max,
			a.median-b.median, (a.median-b.median)/float64(n), summarize(cpu[n]).median)
		r.row(fmt.Sprintf("Start-up to %d worker(s) running, spark2 vs direct (median of %d)", n, a.n),
			fmt.Sprintf("%.2f ms vs %.2f ms", a.median, b.median), "", nil)
	}
	r.detail("\n")
	return nil
}

// startupSpark2 returns the ms from exec to the last stamp, and the master's
// CPU time by then.
func startupSpark2(s *settings, n int) (float64, float64, error) {
	m, err := startMaster(plain, s.spark2, nil, "-n", strconv.Itoa(n), "--stop-timeout", "2s", s.self, "stamp")
	if err != nil {
		return 0, 0, err
	}
	seen := map[string]bool{}
	var last int64
	for len(seen) < n {
		st, err := m.nextStamp(10 * time.Second)
		if err != nil {
			m.kill()
			return 0, 0, err
		}
		seen[st.slot] = true
		last = max(last, st.ns)
	}
	c := cpuMs(m.pid)
	d := float64(last-m.t0.UnixNano()) / 1e6
	return d, c, m.stop(10 * time.Second)
}

func startupDirect(s *settings, n int) (float64, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer pr.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		return 0, err
	}
	defer null.Close()
	env := os.Environ()
	var procs []*os.Process
	defer func() {
		for _, p := range procs {
			p.Kill()
			p.Wait()
			untrack(p.Pid)
		}
	}()
	argv := []string{s.self, "stamp"}
	t0 := time.Now()
	for i := 0; i < n; i++ {
		p, err := os.StartProcess(s.self, argv, &os.ProcAttr{
			Env:   append(env[:len(env):len(env)], "SPARK2_WORKER_ID="+strconv.Itoa(i)),
			Files: []*os.File{null, pw, null},
		})
		if err != nil {
			pw.Close()
			return 0, err
		}
		track(p.Pid)
		procs = append(procs, p)
	}
	pw.Close()
	pr.SetReadDeadline(time.Now().Add(10 * time.Second))
	var buf []byte
	var last int64
	got := 0
	chunk := make([]byte, 4096)
	for got < n {
		k, err := pr.Read(chunk)
		buf = append(buf, chunk[:k]...)
		for {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				break
			}
			if st, ok := parseStamp(string(buf[:i])); ok {
				got++
				last = max(last, st.ns)
			}
			buf = buf[i+1:]
		}
		if err != nil && got < n {
			return 0, err
		}
	}
	return float64(last-t0.UnixNano()) / 1e6, nil
}
