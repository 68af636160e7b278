package status

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spark2/spark2/internal/jsonv"
)

// decode reads a status file's JSON into f as encoding/json's Unmarshal
// into a File would (FuzzDecodeIsUnmarshal holds them equal): keys match
// the json tags exactly, else case-insensitively; unknown keys are
// skipped; a later key overwrites an earlier one; null leaves a field as it
// is (ExitCode: nil); a value of the wrong type is an error. It is written
// out because a probe reads the file once per run, and encoding/json's
// first decoding of a type (its reflection, its field cache) was about
// 190 µs of the probe's 1.3 ms.
func decode(b []byte, f *File) error {
	v, err := jsonv.Parse(b)
	if err != nil {
		return err
	}
	return object(v, "File", func(key string, v jsonv.Value) error {
		switch {
		case is(key, "format"):
			return intValue(v, &f.Format)
		case is(key, "pid"):
			return intValue(v, &f.Pid)
		case is(key, "start_time_ticks"):
			return uintValue(v, &f.StartTime)
		case is(key, "started"):
			return timeValue(v, &f.Started)
		case is(key, "version"):
			return stringValue(v, &f.Version)
		case is(key, "heartbeat"):
			return timeValue(v, &f.Heartbeat)
		case is(key, "state"):
			return stringValue(v, &f.State)
		case is(key, "exit_code"):
			if v.Kind == jsonv.Null {
				f.ExitCode = nil
				return nil
			}
			var code int
			if err := intValue(v, &code); err != nil {
				return err
			}
			f.ExitCode = &code
			return nil
		case is(key, "stop_timeout_ms"):
			ms := int(f.StopTimeoutMS) // int is 64 bits where spark2 runs
			err := intValue(v, &ms)
			f.StopTimeoutMS = int64(ms)
			return err
		case is(key, "listen"):
			return stringValue(v, &f.Listen)
		case is(key, "env"):
			return stringValue(v, &f.Env)
		case is(key, "command"):
			return stringsValue(v, &f.Command)
		case is(key, "workers_wanted"):
			return intValue(v, &f.WorkersWanted)
		case is(key, "workers"):
			return workersValue(v, &f.Workers)
		case is(key, "totals"):
			return totalsValue(v, &f.Totals)
		case is(key, "master"):
			return usageValue(v, &f.Master)
		}
		return nil
	})
}

// is says whether a key names the field of json tag name: encoding/json
// takes an exact match, else one that differs only in case (which this
// package's tags cannot tell apart from another field's).
func is(key, name string) bool { return key == name || strings.EqualFold(key, name) }

// object calls each for every member of v, an object (null: none), in
// document order; typ names v's type in errors.
func object(v jsonv.Value, typ string, each func(key string, v jsonv.Value) error) error {
	switch v.Kind {
	case jsonv.Null:
		return nil
	case jsonv.Object:
		for _, m := range v.Members {
			if err := each(m.Key, m.Value); err != nil {
				return err
			}
		}
		return nil
	}
	return wrongType(v, typ)
}

func workersValue(v jsonv.Value, out *[]Worker) error {
	if v.Kind == jsonv.Null {
		*out = nil
		return nil
	}
	if v.Kind != jsonv.Array {
		return wrongType(v, "[]Worker")
	}
	ws := make([]Worker, len(v.Items))
	for i, it := range v.Items {
		w := &ws[i]
		err := object(it, "Worker", func(key string, v jsonv.Value) error {
			switch {
			case is(key, "slot"):
				return intValue(v, &w.Slot)
			case is(key, "pid"):
				return intValue(v, &w.Pid)
			case is(key, "started"):
				return timeValue(v, &w.Started)
			case is(key, "ready"):
				return boolValue(v, &w.Ready)
			case is(key, "restarts"):
				return intValue(v, &w.Restarts)
			case is(key, "last_exit"):
				return stringValue(v, &w.LastExit)
			case is(key, "replacement"):
				return intValue(v, &w.Replacement)
			case is(key, "rss_bytes"):
				return uintValue(v, &w.RSS)
			case is(key, "last_reason"):
				return stringValue(v, &w.LastReason)
			case is(key, "replaced"):
				return replacedValue(v, &w.Replaced)
			case is(key, "respawn_at"):
				return timeValue(v, &w.RespawnAt)
			case is(key, "deaths_in_a_row"):
				return intValue(v, &w.Deaths)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	*out = ws
	return nil
}

func totalsValue(v jsonv.Value, t *Totals) error {
	return object(v, "Totals", func(key string, v jsonv.Value) error {
		switch {
		case is(key, "spawned"):
			return intValue(v, &t.Spawned)
		case is(key, "restarts"):
			return intValue(v, &t.Restarts)
		case is(key, "failed_reloads"):
			return intValue(v, &t.FailedReloads)
		case is(key, "replaced"):
			return replacedValue(v, &t.Replaced)
		}
		return nil
	})
}

func replacedValue(v jsonv.Value, r *Replaced) error {
	return object(v, "Replaced", func(key string, v jsonv.Value) error {
		switch {
		case is(key, "crashed"):
			return intValue(v, &r.Crashed)
		case is(key, "hung"):
			return intValue(v, &r.Hung)
		case is(key, "memory"):
			return intValue(v, &r.Memory)
		case is(key, "lifetime"):
			return intValue(v, &r.Lifetime)
		case is(key, "respawn"):
			return intValue(v, &r.Respawn)
		}
		return nil
	})
}

func usageValue(v jsonv.Value, u *Usage) error {
	return object(v, "Usage", func(key string, v jsonv.Value) error {
		switch {
		case is(key, "fds"):
			return intValue(v, &u.FDs)
		case is(key, "pipes"):
			return intValue(v, &u.Pipes)
		case is(key, "rss_bytes"):
			return uintValue(v, &u.RSS)
		case is(key, "vsize_bytes"):
			return uintValue(v, &u.VSize)
		case is(key, "heap_total_bytes"):
			return uintValue(v, &u.HeapTotal)
		case is(key, "heap_used_bytes"):
			return uintValue(v, &u.HeapUsed)
		case is(key, "threads"):
			return intValue(v, &u.Threads)
		case is(key, "goroutines"):
			return intValue(v, &u.Goroutine)
		}
		return nil
	})
}

// intValue stores a number that is an integer (no fraction, no exponent)
// in *n; null leaves it.
func intValue(v jsonv.Value, n *int) error {
	switch v.Kind {
	case jsonv.Null:
		return nil
	case jsonv.Number:
		i, err := strconv.ParseInt(v.Text, 10, strconv.IntSize)
		if err != nil {
			return wrongType(v, "int")
		}
		*n = int(i)
		return nil
	}
	return wrongType(v, "int")
}

// uintValue stores a number that is a non-negative integer in *n; null
// leaves it.
func uintValue(v jsonv.Value, n *uint64) error {
	switch v.Kind {
	case jsonv.Null:
		return nil
	case jsonv.Number:
		u, err := strconv.ParseUint(v.Text, 10, 64)
		if err != nil {
			return wrongType(v, "uint64")
		}
		*n = u
		return nil
	}
	return wrongType(v, "uint64")
}

func boolValue(v jsonv.Value, b *bool) error {
	switch v.Kind {
	case jsonv.Null:
		return nil
	case jsonv.Bool:
		*b = v.Text == "true"
		return nil
	}
	return wrongType(v, "bool")
}

func stringValue(v jsonv.Value, s *string) error {
	switch v.Kind {
	case jsonv.Null:
		return nil
	case jsonv.String:
		*s = v.Text
		return nil
	}
	return wrongType(v, "string")
}

// stringsValue stores an array of strings (a null item gives "") in *out;
// null gives nil.
func stringsValue(v jsonv.Value, out *[]string) error {
	switch v.Kind {
	case jsonv.Null:
		*out = nil
		return nil
	case jsonv.Array:
		ss := make([]string, len(v.Items))
		for i, it := range v.Items {
			if err := stringValue(it, &ss[i]); err != nil {
				return err
			}
		}
		*out = ss
		return nil
	}
	return wrongType(v, "[]string")
}

// timeValue is time.Time's own UnmarshalJSON, as encoding/json calls it.
func timeValue(v jsonv.Value, t *time.Time) error { return t.UnmarshalJSON(v.Raw) }

// wrongType is the error of a value that does not fit its field.
func wrongType(v jsonv.Value, typ string) error {
	kinds := [...]string{jsonv.Null: "null", jsonv.Bool: "bool", jsonv.Number: "number " + v.Text,
		jsonv.String: "string", jsonv.Array: "array", jsonv.Object: "object"}
	return fmt.Errorf("cannot read %s as %s", kinds[v.Kind], typ)
}
