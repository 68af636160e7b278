package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// summary of a sample: median and spread.
type summary struct {
	n                            int
	min, p25, med, p75, max, p99 float64
}

// pct is the nearest-rank percentile of sorted xs.
func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func summarize(xs []float64) summary {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		nan := math.NaN()
		return summary{0, nan, nan, nan, nan, nan, nan}
	}
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return summary{len(s), s[0], pct(s, 25), med, pct(s, 75), s[len(s)-1], pct(s, 99)}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// f formats a number with a sensible number of digits.
func f(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case x >= 1000:
		return fmt.Sprintf("%.0f", x)
	case x >= 100:
		return fmt.Sprintf("%.1f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

func mib(kb float64) string { return fmt.Sprintf("%.2f MiB", kb/1024) }

// report collects the Markdown report.
type report struct {
	mu sync.Mutex
	b  strings.Builder
}

func (r *report) p(format string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.b, format, a...)
}

func (r *report) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b.String()
}

// table writes a Markdown table.
func (r *report) table(head []string, rows [][]string) {
	r.p("| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	for _, row := range rows {
		r.p("| %s |\n", strings.Join(row, " | "))
	}
	r.p("\n")
}

// csvFile writes rows to dir/name.
func csvFile(dir, name string, head []string, rows [][]string) error {
	var b strings.Builder
	b.WriteString(strings.Join(head, ",") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644)
}

func progress(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "peerbench: "+format+"\n", a...)
}
