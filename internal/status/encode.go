package status

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends f as the status file holds it: the bytes that
// encoding/json's Encoder with SetIndent("", "  ") writes, newline included
// (FuzzAppendJSONIsEncodingJSON holds them equal). It is written out by
// hand because the master writes the file about once a second: through
// reflection every write left garbage (each time field's MarshalJSON
// allocates), enough for an idle master's heap to grow to its first
// collection within minutes.
func (f *File) AppendJSON(b []byte) []byte {
	e := encoder{b: b}
	e.open('{')
	e.int("format", int64(f.Format))
	e.int("pid", int64(f.Pid))
	e.uint("start_time_ticks", f.StartTime)
	e.time("started", f.Started)
	e.string("version", f.Version)
	e.time("heartbeat", f.Heartbeat)
	e.string("state", f.State)
	if f.ExitCode != nil {
		e.int("exit_code", int64(*f.ExitCode))
	}
	if f.StopTimeoutMS != 0 {
		e.int("stop_timeout_ms", f.StopTimeoutMS)
	}
	e.string("listen", f.Listen)
	e.string("env", f.Env)
	e.strings("command", f.Command)
	e.int("workers_wanted", int64(f.WorkersWanted))
	e.workers("workers", f.Workers)
	e.key("totals")
	e.open('{')
	e.int("spawned", int64(f.Totals.Spawned))
	e.int("restarts", int64(f.Totals.Restarts))
	e.int("failed_reloads", int64(f.Totals.FailedReloads))
	e.replaced("replaced", f.Totals.Replaced)
	e.close('}')
	e.key("master")
	e.open('{')
	u := f.Master
	e.int("fds", int64(u.FDs))
	e.int("pipes", int64(u.Pipes))
	e.uint("rss_bytes", u.RSS)
	e.uint("vsize_bytes", u.VSize)
	e.uint("heap_total_bytes", u.HeapTotal)
	e.uint("heap_used_bytes", u.HeapUsed)
	e.int("threads", int64(u.Threads))
	e.int("goroutines", int64(u.Goroutine))
	e.close('}')
	e.close('}')
	return append(e.b, '\n')
}

func (e *encoder) workers(name string, ws []Worker) {
	e.key(name)
	if ws == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.open('[')
	for _, w := range ws {
		e.next()
		e.open('{')
		e.int("slot", int64(w.Slot))
		e.int("pid", int64(w.Pid))
		e.time("started", w.Started)
		e.bool("ready", w.Ready)
		e.int("restarts", int64(w.Restarts))
		if w.LastExit != "" {
			e.string("last_exit", w.LastExit)
		}
		if w.Replacement != 0 {
			e.int("replacement", int64(w.Replacement))
		}
		e.uint("rss_bytes", w.RSS)
		if w.LastReason != "" {
			e.string("last_reason", w.LastReason)
		}
		e.replaced("replaced", w.Replaced)
		if !w.RespawnAt.IsZero() {
			e.time("respawn_at", w.RespawnAt)
		}
		e.int("deaths_in_a_row", int64(w.Deaths))
		e.close('}')
	}
	e.close(']')
}

func (e *encoder) replaced(name string, r Replaced) {
	e.key(name)
	e.open('{')
	e.int("crashed", int64(r.Crashed))
	e.int("hung", int64(r.Hung))
	e.int("memory", int64(r.Memory))
	e.int("lifetime", int64(r.Lifetime))
	e.int("respawn", int64(r.Respawn))
	e.close('}')
}

// encoder appends indented JSON to b. depth is the nesting of the open
// object or array; empty says that nothing has been put in it yet.
type encoder struct {
	b     []byte
	depth int
	empty bool
}

// next starts a member or an element: a comma after the last, a new line
// and the indent.
func (e *encoder) next() {
	if !e.empty {
		e.b = append(e.b, ',')
	}
	e.empty = false
	e.newline()
}

func (e *encoder) newline() {
	e.b = append(e.b, '\n')
	for range e.depth {
		e.b = append(e.b, "  "...)
	}
}

func (e *encoder) open(c byte) {
	e.b = append(e.b, c)
	e.depth++
	e.empty = true
}

// close ends an object or array; an empty one stays on its line ([] or {}).
func (e *encoder) close(c byte) {
	e.depth--
	if !e.empty {
		e.newline()
	}
	e.empty = false
	e.b = append(e.b, c)
}

func (e *encoder) key(name string) {
	e.next()
	e.b = appendString(e.b, name)
	e.b = append(e.b, ": "...)
}

func (e *encoder) int(name string, v int64) {
	e.key(name)
	e.b = strconv.AppendInt(e.b, v, 10)
}

func (e *encoder) uint(name string, v uint64) {
	e.key(name)
	e.b = strconv.AppendUint(e.b, v, 10)
}

func (e *encoder) bool(name string, v bool) {
	e.key(name)
	e.b = strconv.AppendBool(e.b, v)
}

func (e *encoder) string(name, v string) {
	e.key(name)
	e.b = appendString(e.b, v)
}

// time is v as time.Time's MarshalJSON puts it (RFC 3339, nanoseconds
// without trailing zeros).
func (e *encoder) time(name string, v time.Time) {
	e.key(name)
	e.b = append(e.b, '"')
	e.b = v.AppendFormat(e.b, time.RFC3339Nano)
	e.b = append(e.b, '"')
}

func (e *encoder) strings(name string, vs []string) {
	e.key(name)
	if vs == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.open('[')
	for _, v := range vs {
		e.next()
		e.b = appendString(e.b, v)
	}
	e.close(']')
}

const hex = "0123456789abcdef"

// appendString appends s quoted as encoding/json quotes it: control
// characters, <, > and & as \u00XX (but \n, \r, \t, \b and \f by name),
// U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
