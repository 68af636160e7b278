package logs

import (
	"io"

	"github.com/hashicorp/go-hclog"
	"github.com/mattn/go-isatty"
)

// RootName is the name of the root logger: text lines read "[INFO]  spark2: ...",
// JSON lines carry "@module":"spark2", so spark2's own lines stand out among the
// workers' lines on the same stream.
const RootName = "spark2"

// New returns spark2's one root logger, writing one whole entry per Write to w.
//
// format is "json" for one JSON object per line (hclog's keys: "@timestamp",
// "@level", "@module", "@message", then the fields; a duration is a string
// such as "2.001s", as in text lines); any other value, "text"
// included, gives hclog's text format. level is "trace", "debug", "info",
// "warn", "error" or "off", in any case; any other value, "" included, means
// "info". Config validates both before New is called.
//
// Text lines are coloured (level header and field names) only when noColor is
// false and w is a terminal; w is a terminal when it, or the writer under a
// *Queue or *Sink, is an *os.File (or has an Fd method) whose descriptor is a tty. JSON
// is never coloured.
//
// Pass a *Queue over the *Sink that forwards the workers' stderr as w: spark2's
// own lines and the workers' lines then never interleave mid-line, and
// logging never blocks on a stalled reader of stderr.
func New(w io.Writer, format, level string, noColor bool) hclog.Logger {
	lvl := hclog.LevelFromString(level)
	if lvl == hclog.NoLevel {
		lvl = hclog.Info
	}
	json := format == "json"
	color := hclog.ColorOff
	if !json && !noColor && isTerminal(w) {
		color = hclog.ForceColor
	}
	l := hclog.New(&hclog.LoggerOptions{
		Name:       RootName,
		Level:      lvl,
		Output:     w,
		JSONFormat: json,
		Color:      color,
		// Colour the header and fields inside the line: colouring the whole
		// entry would put the reset code after the newline, on the next line.
		ColorHeaderAndFields: true,
	})
	if json {
		return jsonDurations{l}
	}
	return l
}

// isTerminal reports whether w, or the writer under a *Queue or *Sink, has a file
// descriptor that is a terminal. A writer without an Fd method is not one.
func isTerminal(w io.Writer) bool {
	if q, ok := w.(*Queue); ok {
		w = q.writer()
	}
	if s, ok := w.(*Sink); ok {
		w = s.writer()
	}
	f, ok := w.(interface{ Fd() uintptr })
	return ok && isatty.IsTerminal(f.Fd())
}
