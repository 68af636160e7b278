package config

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// value is the type of an option that takes a value. UnmarshalText parses one
// value as given by a flag, an env var or the config file, and returns an error
// that says what is accepted ("want ..."); accepts describes a valid value for
// messages about a missing, empty or mistyped one.
type value interface {
	encoding.TextUnmarshaler
	accepts() string
}

// numeric marks a value type that a config file may also give as a JSON number.
type numeric interface{ numeric() }

// keyed marks a list item type "KEY=VALUE" whose list a config file may also
// give as a JSON object {"KEY": VALUE}.
type keyed interface{ keyed() }

// errWant is the error of a value that v does not accept.
func errWant(v value) error { return errors.New("want " + v.accepts()) }

// maxWorkers is the largest --workers; "auto" is capped to it too.
const maxWorkers = 1024

// workersValue is --workers: a count from 1 to maxWorkers, or "auto".
type workersValue struct {
	n    int  // the count; 0 when auto
	auto bool // resolve to the CPUs available to the container
}

func (*workersValue) numeric() {}
func (*workersValue) accepts() string {
	return fmt.Sprintf("a whole number from 1 to %d or \"auto\"", maxWorkers)
}
func (w *workersValue) UnmarshalText(b []byte) error {
	s := string(b)
	if strings.EqualFold(s, "auto") {
		*w = workersValue{auto: true}
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxWorkers {
		return errWant(w)
	}
	*w = workersValue{n: n}
	return nil
}

// restartValue is --restart, one of the Restart constants.
type restartValue Restart

func (*restartValue) accepts() string { return "always, on-failure or no" }
func (r *restartValue) UnmarshalText(b []byte) error {
	switch p := Restart(strings.ToLower(string(b))); p {
	case RestartAlways, RestartOnFailure, RestartNo:
		*r = restartValue(p)
		return nil
	}
	return errWant(r)
}

// maxDuration is the largest --stop-timeout, --ready and --ready-timeout.
const maxDuration = time.Hour

// durationValue is --stop-timeout and --ready-timeout: a Go duration ("5s",
// "1500ms") or a bare number of seconds ("5", "0.5"), above 0 and at most
// maxDuration.
type durationValue time.Duration

func (*durationValue) numeric() {}
func (*durationValue) accepts() string {
	return `a duration above 0 and at most 1h, such as "8s", "1500ms" or a number of seconds`
}
func (d *durationValue) UnmarshalText(b []byte) error {
	t, ok := parseDuration(string(b))
	if !ok || t == 0 {
		return errWant(d)
	}
	*d = durationValue(t)
	return nil
}

// readyValue is --ready: "notify" or "fd" (in any letter case), or a delay
// from 0 to maxDuration in the syntax of durationValue.
type readyValue struct {
	notify bool          // the worker says when it is ready
	fd     bool          // "fd": notify, and the worker gets the readiness pipe
	delay  time.Duration // else it is deemed ready this long after its start
}

func (*readyValue) numeric() {}
func (*readyValue) accepts() string {
	return `notify, fd, or a duration from 0 to 1h such as "1s", "500ms" or a number of seconds`
}
func (r *readyValue) UnmarshalText(b []byte) error {
	switch {
	case strings.EqualFold(string(b), "notify"):
		*r = readyValue{notify: true}
		return nil
	case strings.EqualFold(string(b), "fd"):
		*r = readyValue{notify: true, fd: true}
		return nil
	}
	t, ok := parseDuration(string(b))
	if !ok {
		return errWant(r)
	}
	*r = readyValue{delay: t}
	return nil
}

// parseDuration parses a Go duration ("5s", "1500ms") or a bare number of
// seconds ("5", "0.5"); ok is false unless it is from 0 to maxDuration.
func parseDuration(s string) (t time.Duration, ok bool) {
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(secs) || secs < 0 || secs > maxDuration.Seconds() {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	t, err := time.ParseDuration(s)
	return t, err == nil && t >= 0 && t <= maxDuration
}

// pathValue is a file or directory name; it may not be empty.
type pathValue string

func (*pathValue) accepts() string { return "a non-empty path" }
func (p *pathValue) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		return errWant(p)
	}
	*p = pathValue(b)
	return nil
}

// textValue is free text, such as --comment; anything goes, "" included.
type textValue string

func (*textValue) accepts() string { return "any text" }
func (t *textValue) UnmarshalText(b []byte) error {
	*t = textValue(b)
	return nil
}

// envValue is an environment name (-E): one or more of A-Z a-z 0-9 _ . -.
type envValue string

func (*envValue) accepts() string { return "a name made of A-Z a-z 0-9 _ . -" }
func (e *envValue) UnmarshalText(b []byte) error {
	if len(b) == 0 || strings.IndexFunc(string(b), func(r rune) bool {
		return !isWordRune(r) && r != '.' && r != '-'
	}) >= 0 {
		return errWant(e)
	}
	*e = envValue(b)
	return nil
}

// formatValue is --log-format: text or json.
type formatValue string

func (*formatValue) accepts() string { return "text or json" }
func (f *formatValue) UnmarshalText(b []byte) error {
	switch s := strings.ToLower(string(b)); s {
	case "text", "json":
		*f = formatValue(s)
		return nil
	}
	return errWant(f)
}

// logLevels are the values of --log-level, most verbose first.
var logLevels = []string{"trace", "debug", "info", "warn", "error"}

// levelValue is --log-level, one of logLevels.
type levelValue string

func (*levelValue) accepts() string { return "trace, debug, info, warn or error" }
func (l *levelValue) UnmarshalText(b []byte) error {
	s := strings.ToLower(string(b))
	for _, name := range logLevels {
		if s == name {
			*l = levelValue(s)
			return nil
		}
	}
	return errWant(l)
}

// boolAccepts describes the values of a boolean option.
const boolAccepts = "true, false, 1, 0, yes or no"

// parseBool parses the value of a boolean option, in any letter case.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, errors.New("want " + boolAccepts)
}

// isWordRune reports whether r is one of A-Z a-z 0-9 _.
func isWordRune(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
}
