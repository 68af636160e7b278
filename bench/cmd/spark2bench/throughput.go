package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// tpResult is one throughput run: the workers' writing span (first write to
// the return of the last, read from their "lines-timing" lines) and the
// whole time from exec to exit, in seconds.
type tpResult struct{ span, e2e float64 }

func throughputSection(s *settings, r *report) error {
	type variant struct {
		name    string
		n       int
		lines   int
		perLine bool
	}
	// -n 4 writes the same lines as -n 1, a quarter from each worker.
	vs := []variant{{"64 KiB writes", 1, s.lines, false}, {"64 KiB writes", 4, s.lines / 4, false}}
	if s.perLine > 0 {
		vs = append(vs, variant{"one write per line", 1, s.perLine, true})
	}
	r.detail("### 6. Output throughput\n\n")
	r.detail("Each worker (`spark2bench lines`) writes its lines (%d bytes, newline included) to stdout and exits. Compared: ", s.lineSize)
	r.detail("**direct** (`worker >/dev/null`), **pipe** (worker → one pipe → a Go reader that discards: the bare cost of capturing output through a pipe; not a strict floor, since a slower reader wakes less often) and **spark2** (`spark2 --restart no -n N worker >/dev/null`). ")
	r.detail("MB/s and lines/s are over the workers' writing span: each worker reads the clock before its first write and after its last one returns (with spark2, at most one pipe's worth, 64 KiB, is still to forward then); ")
	r.detail("*end-to-end* is from the exec of spark2 to its exit, start-up and stop included. Median of %d runs after one warm-up, interleaved. ", s.tpRuns)
	r.detail("A check run reads spark2's stdout and counts: every byte and line arrives.\n\n")
	r.detail("| worker writes | N | total | direct MB/s | pipe MB/s | spark2 MB/s | spark2 lines/s | spark2 ÷ direct | spark2 ÷ pipe | spark2 end-to-end MB/s |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, v := range vs {
		args := []string{s.self, "lines", strconv.Itoa(v.lines), strconv.Itoa(s.lineSize)}
		if v.perLine {
			args = append(args, "line")
		}
		total := float64(v.n) * float64(v.lines) * float64(s.lineSize)
		if err := checkForwarded(s, v.n, args, int64(total), v.n*v.lines); err != nil {
			return fmt.Errorf("%s, n=%d: %w", v.name, v.n, err)
		}
		var direct, pipe, sp, e2e []float64
		for run := 0; run <= s.tpRuns; run++ {
			a, err := tpDirect(v.n, args, false)
			if err != nil {
				return err
			}
			b, err := tpDirect(v.n, args, true)
			if err != nil {
				return err
			}
			c, err := tpSpark2(s, v.n, args)
			if err != nil {
				return err
			}
			if run > 0 {
				direct, pipe, sp, e2e = append(direct, a.span), append(pipe, b.span), append(sp, c.span), append(e2e, c.e2e)
			}
		}
		d, p, c, e := summarize(direct), summarize(pipe), summarize(sp), summarize(e2e)
		mbs := func(sec float64) float64 { return total / sec / 1e6 }
		lps := func(sec float64) float64 { return float64(v.n*v.lines) / sec / 1e6 }
		r.detail("| %s | %d | %d × %d lines, %.0f MB | %.0f | %.0f | %.0f | %.2fM | %.3f | %.2f | %.0f |\n", v.name, v.n, v.n, v.lines, total/1e6,
			mbs(d.median), mbs(p.median), mbs(c.median), lps(c.median), d.median/c.median, p.median/c.median, mbs(e.median))
		r.row(fmt.Sprintf("Output throughput, %s, -n %d: spark2 vs direct >/dev/null (median of %d)", v.name, v.n, c.n),
			fmt.Sprintf("%.0f MB/s, %.2fM lines/s vs %.0f MB/s, %.2fM lines/s (×%.3f; bare pipe %.0f MB/s)", mbs(c.median), lps(c.median),
				mbs(d.median), lps(d.median), d.median/c.median, mbs(p.median)), "", nil)
	}
	r.detail("\n")
	return nil
}

// parseTimings returns the span from the earliest "lines-timing" start to the
// latest end in out, and how many workers reported.
func parseTimings(out string) (float64, int) {
	var first, last int64
	n := 0
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] != "lines-timing" {
			continue
		}
		a, err1 := strconv.ParseInt(f[1], 10, 64)
		b, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		if n == 0 || a < first {
			first = a
		}
		last = max(last, b)
		n++
	}
	return float64(last-first) / 1e9, n
}

// tpDirect runs n workers straight to /dev/null, or into one pipe read by
// this program.
func tpDirect(n int, args []string, viaPipe bool) (tpResult, error) {
	null := devNull()
	defer null.Close()
	out := null
	var pr *os.File
	if viaPipe {
		var err error
		if pr, out, err = os.Pipe(); err != nil {
			return tpResult{}, err
		}
		defer pr.Close()
	}
	er, ew, err := os.Pipe()
	if err != nil {
		return tpResult{}, err
	}
	defer er.Close()
	in, _ := os.Open(os.DevNull)
	defer in.Close()
	t0 := time.Now()
	var procs []*os.Process
	for i := 0; i < n && err == nil; i++ {
		var p *os.Process
		if p, err = os.StartProcess(args[0], args, &os.ProcAttr{Files: []*os.File{in, out, ew}}); err == nil {
			track(p.Pid)
			procs = append(procs, p)
		}
	}
	ew.Close()
	if viaPipe {
		out.Close()
	}
	errOut := make(chan string, 1)
	go func() { b, _ := io.ReadAll(er); errOut <- string(b) }()
	drained := make(chan struct{})
	go func() {
		if viaPipe {
			buf := make([]byte, 64<<10)
			for {
				if _, err := pr.Read(buf); err != nil {
					break
				}
			}
		}
		close(drained)
	}()
	for _, p := range procs {
		st, werr := p.Wait()
		untrack(p.Pid)
		if werr == nil && !st.Success() {
			werr = fmt.Errorf("worker: %v", st)
		}
		if werr != nil && err == nil {
			err = werr
		}
	}
	<-drained
	res := tpResult{e2e: time.Since(t0).Seconds()}
	stderr := <-errOut
	if err != nil {
		return res, fmt.Errorf("%v; stderr:\n%s", err, tail(stderr))
	}
	var k int
	if res.span, k = parseTimings(stderr); k != n {
		return res, fmt.Errorf("%d of %d workers reported their timing; stderr:\n%s", k, n, tail(stderr))
	}
	return res, nil
}

func tpSpark2(s *settings, n int, args []string) (tpResult, error) {
	null := devNull()
	defer null.Close()
	m, err := startMaster(plain, s.spark2, null, append([]string{"--restart", "no", "-n", strconv.Itoa(n)}, args...)...)
	if err != nil {
		return tpResult{}, err
	}
	code, err := m.wait(60 * time.Second)
	res := tpResult{e2e: time.Since(m.t0).Seconds()}
	if err == nil && code != 0 {
		err = fmt.Errorf("spark2 exited %d; stderr:\n%s", code, tail(m.stderr.String()))
	}
	if err != nil {
		return res, err
	}
	var k int
	if res.span, k = parseTimings(m.stderr.String()); k != n {
		return res, fmt.Errorf("%d of %d workers reported their timing; stderr:\n%s", k, n, tail(m.stderr.String()))
	}
	return res, nil
}

// checkForwarded runs spark2 once with its stdout in a pipe and checks that
// every byte and line arrives.
func checkForwarded(s *settings, n int, args []string, wantBytes int64, wantLines int) error {
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	defer pr.Close()
	m, err := startMaster(plain, s.spark2, pw, append([]string{"--restart", "no", "-n", strconv.Itoa(n)}, args...)...)
	pw.Close()
	if err != nil {
		return err
	}
	var got int64
	lines := 0
	buf := make([]byte, 64<<10)
	for {
		k, err := pr.Read(buf)
		got += int64(k)
		lines += bytes.Count(buf[:k], []byte{'\n'})
		if err != nil {
			break
		}
	}
	if code, err := m.wait(30 * time.Second); err != nil || code != 0 {
		return fmt.Errorf("check run: spark2 exit %d, %v; stderr:\n%s", code, err, tail(m.stderr.String()))
	}
	if got != wantBytes || lines != wantLines {
		return fmt.Errorf("check run: spark2 forwarded %d bytes in %d lines, want %d in %d", got, lines, wantBytes, wantLines)
	}
	return nil
}
