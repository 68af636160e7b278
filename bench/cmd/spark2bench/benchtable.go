package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// benchTable turns "go test -bench" output into a Markdown table: one row per
// benchmark, one column per unit (ns/op, MB/s, B/op, ...). Other lines (goos,
// cpu, PASS, ok, FAIL) are kept under the table. It returns 1 when no
// benchmark line was found or the output says FAIL.
func benchTable(r io.Reader, w io.Writer) int {
	type row struct {
		name, iters string
		vals        map[string]string
	}
	var rows []row
	var units, notes []string
	seen := map[string]bool{}
	failed := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		f := strings.Fields(l)
		if len(f) >= 4 && strings.HasPrefix(f[0], "Benchmark") && len(f)%2 == 0 {
			rw := row{name: f[0], iters: f[1], vals: map[string]string{}}
			for i := 2; i+1 < len(f); i += 2 {
				u := f[i+1]
				rw.vals[u] = f[i]
				if !seen[u] {
					seen[u] = true
					units = append(units, u)
				}
			}
			rows = append(rows, rw)
			continue
		}
		if strings.HasPrefix(l, "FAIL") || strings.HasPrefix(l, "--- FAIL") {
			failed = true
		}
		if l != "" {
			notes = append(notes, l)
		}
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "No benchmark results. Output:")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "```")
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
		fmt.Fprintln(w, "```")
		return 1
	}
	fmt.Fprintf(w, "| benchmark | iterations | %s |\n", strings.Join(units, " | "))
	fmt.Fprintf(w, "|---|---:|%s\n", strings.Repeat("---:|", len(units)))
	for _, rw := range rows {
		var cells []string
		for _, u := range units {
			cells = append(cells, rw.vals[u])
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", rw.name, rw.iters, strings.Join(cells, " | "))
	}
	fmt.Fprintln(w)
	for _, n := range notes {
		fmt.Fprintf(w, "%s  \n", n)
	}
	if failed {
		return 1
	}
	return 0
}
