package status

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// rule is the seed's 66-dash line.
var rule = strings.Repeat("-", 66)

// seedTime is how the seed (JavaScript's Date) printed times.
const seedTime = "Mon Jan 02 2006 15:04:05 GMT-0700 (MST)"

// Report writes the seed's status report for f at now, then a table of the
// workers.
func Report(w io.Writer, f *File, now time.Time) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("%s", rule)
	p(" Showing status for spark2 process at: %d", f.Pid)
	p("%s", rule)
	p("   Current children: %d", len(live(f.Workers)))
	p("   Total # of spawned children: %d", f.Totals.Spawned)
	p("   Total # of open FDs: %d", f.Master.FDs)
	p("   Total # of open pipes(FIFO): %d", f.Master.Pipes)
	p("   Started: %s", f.Started.Local().Format(seedTime))
	p("   Now    : %s", now.Local().Format(seedTime))
	p("%s", rule)
	p(" Memory Usage")
	p("%s", rule)
	p("  rss: %d", f.Master.RSS)
	p("  vsize: %d", f.Master.VSize)
	p("  heapTotal: %d", f.Master.HeapTotal)
	p("  heapUsed: %d", f.Master.HeapUsed)
	p("%s", rule)
	listen := f.Listen
	if listen == "" {
		listen = "nothing (--no-listen)"
	}
	p(" Workers: %s, listening on %s, %s mode, spark2 %s", f.State, listen, f.Env, f.Version)
	p(" Restarts: %d, failed reloads: %d, heartbeat %s ago", f.Totals.Restarts, f.Totals.FailedReloads, now.Sub(f.Heartbeat).Round(time.Millisecond))
	r := f.Totals.Replaced
	p(" Replaced: crashed %d, hung %d, memory %d, lifetime %d, respawn %d", r.Crashed, r.Hung, r.Memory, r.Lifetime, r.Respawn)
	p("%s", rule)
	rows := [][]string{{"  SLOT", "PID", "READY", "UPTIME", "RSS", "RESTARTS", "LAST EXIT", "LAST REPLACED"}}
	for _, wk := range f.Workers {
		pid, ready, uptime := "-", "no", "-"
		if wk.Pid != 0 {
			pid, uptime = fmt.Sprint(wk.Pid), now.Sub(wk.Started).Round(time.Second).String()
		}
		if wk.Ready {
			ready = "yes"
		}
		if wk.Replacement != 0 {
			ready += fmt.Sprintf(" (replacing: %d)", wk.Replacement)
		}
		last := wk.LastExit
		if last == "" {
			last = "-"
		}
		reason := "-"
		if wk.LastReason != "" {
			reason = strconv.Quote(wk.LastReason) // as written, and no control characters from a forged file
			if isReason(wk.LastReason) {
				reason = wk.LastReason
			}
		}
		rows = append(rows, []string{"  " + strconv.Itoa(wk.Slot), pid, ready, uptime, mib(wk.RSS), strconv.Itoa(wk.Restarts), last, reason})
	}
	writeTable(w, rows)
	p("%s", rule)
}

// columnGap is the number of spaces after the widest cell of a column.
const columnGap = 2

// writeTable writes rows as aligned columns: every cell padded with spaces to
// its column's widest cell (in runes) plus columnGap, the last one included.
// It is what text/tabwriter wrote here (minwidth 0, padding 2, ' ', every
// cell tab-terminated), without linking tabwriter (issue 12: binary size).
func writeTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, row := range rows {
		for j, cell := range row {
			if j == len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], utf8.RuneCountInString(cell))
		}
	}
	var line []byte
	for _, row := range rows {
		line = line[:0]
		for j, cell := range row {
			line = append(line, cell...)
			for n := utf8.RuneCountInString(cell); n < widths[j]+columnGap; n++ {
				line = append(line, ' ')
			}
		}
		line = append(line, '\n')
		w.Write(line)
	}
}

func live(ws []Worker) []Worker {
	var out []Worker
	for _, w := range ws {
		if w.Pid != 0 {
			out = append(out, w)
		}
	}
	return out
}

func mib(b uint64) string { return fmt.Sprintf("%.1fMB", float64(b)/(1<<20)) }

// isReason reports whether r is one of the reasons the master writes.
func isReason(r string) bool {
	switch r {
	case ReasonCrashed, ReasonHung, ReasonMemory, ReasonLifetime, ReasonRespawn:
		return true
	}
	return false
}
