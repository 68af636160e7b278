package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// UsageError is an invalid command line, env var or config file. Its Error
// is one line that names the flag (both spellings), the env var, or the
// config file and key, and says what is accepted, so that the app can print
// "spark2: <Error()>" and exit 2. Unwrap returns the underlying error, such
// as the *fs.PathError's cause of an unreadable config file, or nil.
type UsageError struct {
	msg string
	err error
}

func (e *UsageError) Error() string { return e.msg }
func (e *UsageError) Unwrap() error { return e.err }

// usageErrorf returns a *UsageError; the message is forced onto one line.
func usageErrorf(format string, args ...any) *UsageError {
	return &UsageError{msg: oneLine(fmt.Sprintf(format, args...))}
}

// oneLine replaces each line break with a space: those of Unicode (CR LF,
// LF, CR, VT, FF, NEL, LS, PS), which a message holds when it shows what the
// user typed as it is (an unknown option) or an OS or JSON message.
func oneLine(s string) string { return lineBreaker.Replace(s) }

// lineBreaker is the replacer of oneLine.
var lineBreaker = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\v", " ", "\f", " ",
	"\u0085", " ", "\u2028", " ", "\u2029", " ")

// source is where a setting comes from; exactly one group of fields is set.
type source struct {
	flag string // flag as named in messages, "-n/--workers"; or "the default of -n/--workers"
	def  bool   // the option's default tag (flag says so)
	env  string // env var, "SPARK2_WORKERS"
	file string // config file as shown to the user
	key  string // key in file, dotted inside a section: "environments.production.workers"
}

// String names the source for a message: "-n/--workers", "env var
// SPARK2_WORKERS" or `spark2.json key "workers"`.
func (s source) String() string {
	switch {
	case s.env != "":
		return "env var " + s.env
	case s.file != "":
		return fmt.Sprintf("%s key %q", s.file, s.key)
	}
	return s.flag
}

// invalid is the error of value, given by s, that its option refuses for why
// ("want ...").
func (s source) invalid(value string, why error) *UsageError {
	if s.file != "" {
		return usageErrorf("%s: invalid value %s for key %q: %v", s.file, quoted(value), s.key, why)
	}
	return usageErrorf("invalid value %s for %s: %v", quoted(value), s, why)
}

// maxShown is how much of a value an error quotes: a longer one (a 100 KiB
// --set value in a config file, say) is cut, and its length given, so the
// error stays one readable line.
const maxShown = 80

// quoted is value in double quotes, cut to maxShown bytes (at a rune's
// start) with "…" and its length when longer.
func quoted(value string) string {
	if len(value) <= maxShown {
		return strconv.Quote(value)
	}
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(value[cut]) {
		cut--
	}
	return fmt.Sprintf("%q (%d bytes)", value[:cut]+"…", len(value))
}

// fileError is an error about key of config file, such as a wrong JSON type.
func fileError(file, key, format string, args ...any) *UsageError {
	return usageErrorf("%s: key %q: %s", file, key, fmt.Sprintf(format, args...))
}

// emptyEnv is the error of an env var that is set but empty.
func emptyEnv(o *option) *UsageError {
	return usageErrorf("invalid value \"\" for env var %s: it is set but empty; unset it or give %s", o.env, o.accepts)
}
