package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"
)

// trampolineSection is a diagnosis: spark2 starts each worker by exec'ing itself
// in its hidden child mode ("__spark2_exec <report fd> -- COMMAND"), which then
// execs COMMAND. It times exec-to-stamp of the stamp worker directly and
// through that trampoline. The child mode is internal to spark2: when it
// changes, this reports n/a and nothing fails.
func trampolineSection(s *settings, r *report) error {
	const runs = 15
	direct := []string{s.self, "stamp"}
	tramp := []string{s.spark2, "__spark2_exec", "3", "--", s.self, "stamp"}
	var a, b []float64
	for i := 0; i <= runs; i++ {
		x, err1 := execToStamp(direct)
		y, err2 := execToStamp(tramp)
		if err1 != nil || err2 != nil {
			r.detail("Trampoline diagnosis: n/a (%v %v)\n\n", err1, err2)
			return nil
		}
		if i > 0 {
			a, b = append(a, x), append(b, y)
		}
	}
	sa, sb := summarize(a), summarize(b)
	fact("trampoline_ms", sb.median-sa.median)
	r.detail("Where a respawn's time goes (diagnosis, median of %d, exec → the worker's stamp): the worker exec'd directly **%.2f ms**; ", runs, sa.median)
	r.detail("through spark2's child-mode trampoline (`spark2 __spark2_exec 3 -- worker`, a second Go program start before the worker's exec) **%.2f ms**: the trampoline costs **%.2f ms** per worker start.\n\n", sb.median, sb.median-sa.median)
	r.row(fmt.Sprintf("Diagnosis: cost of spark2's exec trampoline per worker start (median of %d)", runs),
		fmt.Sprintf("%.2f ms (%.2f vs %.2f ms direct)", sb.median-sa.median, sb.median, sa.median), "", nil)
	return nil
}

// execToStamp execs argv with a pipe as stdout and one as fd 3, and returns
// the ms from just before the exec to the stamp it prints.
func execToStamp(argv []string) (float64, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer pr.Close()
	er, ew, err := os.Pipe()
	if err != nil {
		pw.Close()
		return 0, err
	}
	defer er.Close()
	null, _ := os.Open(os.DevNull)
	defer null.Close()
	t0 := time.Now()
	p, err := os.StartProcess(argv[0], argv, &os.ProcAttr{Files: []*os.File{null, pw, null, ew}})
	pw.Close()
	ew.Close()
	if err != nil {
		return 0, err
	}
	track(p.Pid)
	defer func() { p.Kill(); p.Wait(); untrack(p.Pid) }()
	pr.SetReadDeadline(time.Now().Add(10 * time.Second))
	l, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		return 0, err
	}
	st, ok := parseStamp(strings.TrimSpace(l))
	if !ok {
		return 0, fmt.Errorf("not a stamp: %q", l)
	}
	return float64(st.ns-t0.UnixNano()) / 1e6, nil
}
