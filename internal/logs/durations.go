package logs

import (
	"slices"
	"time"

	"github.com/hashicorp/go-hclog"
)

// jsonDurations makes durations readable in JSON lines. hclog's JSON format
// writes a time.Duration as encoding/json does, an integer of nanoseconds
// ("uptime":2001000000, "stop_timeout":8000000000), where its text format
// writes 2.001s and 8s; a log pipeline then shows numbers whose unit nobody
// can tell. jsonDurations hands each time.Duration field to hclog as its
// String, so both formats say "2.001s", and so do the loggers made from it
// (With, Named).
type jsonDurations struct{ hclog.Logger }

func (l jsonDurations) Log(level hclog.Level, msg string, args ...any) {
	l.Logger.Log(level, msg, durationStrings(args)...)
}
func (l jsonDurations) Trace(msg string, args ...any) { l.Logger.Trace(msg, durationStrings(args)...) }
func (l jsonDurations) Debug(msg string, args ...any) { l.Logger.Debug(msg, durationStrings(args)...) }
func (l jsonDurations) Info(msg string, args ...any)  { l.Logger.Info(msg, durationStrings(args)...) }
func (l jsonDurations) Warn(msg string, args ...any)  { l.Logger.Warn(msg, durationStrings(args)...) }
func (l jsonDurations) Error(msg string, args ...any) { l.Logger.Error(msg, durationStrings(args)...) }

func (l jsonDurations) With(args ...any) hclog.Logger {
	return jsonDurations{l.Logger.With(durationStrings(args)...)}
}
func (l jsonDurations) Named(name string) hclog.Logger { return jsonDurations{l.Logger.Named(name)} }
func (l jsonDurations) ResetNamed(name string) hclog.Logger {
	return jsonDurations{l.Logger.ResetNamed(name)}
}

// durationStrings returns args with each time.Duration value (the odd
// places of key, value pairs) replaced by its String; args itself when it
// holds none, so a line without a duration costs no copy.
func durationStrings(args []any) []any {
	for i := 1; i < len(args); i += 2 {
		if _, ok := args[i].(time.Duration); !ok {
			continue
		}
		out := slices.Clone(args)
		for j := i; j < len(out); j += 2 {
			if d, ok := out[j].(time.Duration); ok {
				out[j] = d.String()
			}
		}
		return out
	}
	return args
}
