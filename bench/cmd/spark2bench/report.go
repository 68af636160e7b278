package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

type report struct {
	rows    [][5]string
	details bytes.Buffer
	failed  bool
}

func (r *report) row(fig, result, goal string, met *bool) {
	v := ""
	if met != nil {
		v = "yes"
		if !*met {
			v = "**NO**"
		}
	}
	r.rows = append(r.rows, [5]string{strconv.Itoa(len(r.rows) + 1), fig, result, goal, v})
}

func (r *report) detail(format string, a ...any) { fmt.Fprintf(&r.details, format, a...) }

func (r *report) print(w io.Writer) {
	if len(spark2Base) > 0 {
		fmt.Fprintf(w, "Every spark2 below runs with `%s` (its listening socket on a free loopback port, handed to each worker).\n\n", strings.Join(spark2Base, " "))
	}
	fmt.Fprintln(w, "## Summary")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| # | figure | result | goal | met |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, x := range r.rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", x[0], x[1], x[2], x[3], x[4])
	}
	fmt.Fprintln(w)
	w.Write(r.details.Bytes())
}

func yes(b bool) *bool { return &b }

// ---- statistics ----

type stats struct {
	n                     int
	median, min, max, avg float64
}

func summarize(xs []float64) stats {
	if len(xs) == 0 {
		return stats{median: math.NaN(), min: math.NaN(), max: math.NaN(), avg: math.NaN()}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	st := stats{n: len(s), min: s[0], max: s[len(s)-1]}
	if len(s)%2 == 1 {
		st.median = s[len(s)/2]
	} else {
		st.median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	for _, x := range s {
		st.avg += x
	}
	st.avg /= float64(len(s))
	return st
}

func mib(kb int) string { return fmt.Sprintf("%.2f MiB", float64(kb)/1024) }
