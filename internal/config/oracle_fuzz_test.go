package config

import (
	"errors"
	"math"
	"net/netip"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file holds what the fuzz targets of the package share: the checks of
// an error and the oracle that says what an accepted value must mean, written
// from the package doc rather than from the code that parses it.

// lineBreaks are the characters that end a line in Unicode (LF, CR, VT, FF,
// NEL, LS, PS): a one-line message holds none of them.
const lineBreaks = "\n\r\v\f\u0085\u2028\u2029"

// checkUsageError fails t unless err is a *UsageError whose message is one
// non-empty line, and returns the message.
func checkUsageError(t *testing.T, err error) string {
	t.Helper()
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("error %T is not a *UsageError: %v", err, err)
	}
	msg := err.Error()
	if msg == "" || strings.ContainsAny(msg, lineBreaks) {
		t.Fatalf("error is not one line: %q", msg)
	}
	return msg
}

// noFileAt reports whether reading the path p could block or never end (a
// device, a FIFO or a /proc fd such as stdin): a fuzz target skips such
// inputs, which are not about parsing.
func noFileAt(p string) bool {
	for _, bad := range []string{"/dev", "/proc", "/sys", "/run"} {
		if strings.Contains(p, bad) {
			return true
		}
	}
	return false
}

// canonical is c as the text of each option (its long name), one item for
// a scalar; lists are their items. --verbose has no field of its own (it is
// part of LogLevel) and is missing.
func canonical(c Config) map[string][]string {
	one := func(s string) []string { return []string{s} }
	host := c.Host
	if host == "" {
		host = "*"
	}
	ready := c.ReadyDelay.String()
	if c.ReadyNotify {
		ready = "notify"
	}
	b := strconv.FormatBool
	return map[string][]string{
		"workers": one(strconv.Itoa(c.Workers)), "restart": one(string(c.Restart)),
		"stop-timeout": one(c.StopTimeout.String()), "stop-signal": one(strconv.Itoa(int(c.StopSignal))), "ready": one(ready), "ready-timeout": one(c.ReadyTimeout.String()),
		"port": one(strconv.Itoa(c.Port)), "host": one(host), "no-listen": one(b(c.NoListen)), "balance": one(string(c.Balance)),
		"ssl-key": one(c.SSLKey), "ssl-crt": one(c.SSLCrt), "user": one(c.User), "group": one(c.Group),
		"accesslog": one(c.AccessLog), "chdir": one(c.Chdir), "config": one(c.ConfigFile), "env": one(c.Env),
		"set": c.Set, "include": c.Include, "eval": one(c.Eval), "debug": one(b(c.Debug)),
		"comment": one(c.Comment), "no-color": one(b(c.NoColor)), "log-format": one(c.LogFormat),
		"log-level": one(c.LogLevel), "force": one(b(c.Force)), "stale-after": one(c.StaleAfter.String()),
		"status-file": one(c.StatusFile), "pidfile": one(c.PidFile), "watch": one(b(c.Watch)),
		"watch-path": c.WatchPaths, "watch-ignore": c.WatchIgnore, "watch-poll": one(c.WatchPoll.String()),
	}
}

// boolOptions are the options whose value is true or false.
var boolOptions = []string{"no-listen", "debug", "verbose", "no-color", "force", "watch"}

// meaning returns the canonical text (as canonical gives it) of an accepted
// value of option long, as the package doc defines it; cwd is the directory
// that relative paths are relative to.
func meaning(long string, items []string, cwd string) []string {
	var out []string
	for _, s := range items {
		out = append(out, meaningOf(long, s, cwd))
	}
	return out
}

func meaningOf(long, s, cwd string) string {
	switch long {
	case "workers":
		if strings.EqualFold(s, "auto") {
			return strconv.Itoa(fakeCPUs)
		}
		n, _ := strconv.Atoi(s)
		return strconv.Itoa(n)
	case "restart", "log-format", "log-level", "balance":
		return strings.ToLower(s)
	case "stop-timeout", "ready-timeout", "stale-after", "watch-poll":
		return seconds(s).String()
	case "ready":
		if strings.EqualFold(s, "notify") {
			return "notify"
		}
		return seconds(s).String()
	case "stop-signal":
		return strconv.Itoa(docSignal(s))
	case "port":
		n, _ := strconv.ParseUint(s, 10, 16)
		return strconv.FormatUint(n, 10)
	case "accesslog", "ssl-key", "ssl-crt", "include", "chdir", "config", "watch-path":
		if filepath.IsAbs(s) {
			return filepath.Clean(s)
		}
		return filepath.Join(cwd, s)
	case "status-file", "pidfile":
		return filepath.Clean(s)
	}
	if slices.Contains(boolOptions, long) {
		l := strings.ToLower(s)
		return strconv.FormatBool(l == "true" || l == "1" || l == "yes")
	}
	return s // host, user, group, env, set, eval, comment, watch-ignore: as given
}

// seconds is the doc's duration: a number of seconds, else a Go duration.
func seconds(s string) time.Duration {
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) {
		return time.Duration(f * float64(time.Second))
	}
	d, _ := time.ParseDuration(s)
	return d
}

// checkMeaning fails t unless Config c, resolved with the working directory
// cwd, holds what given says: the winning value (text items, as given) of
// each option that some layer set, with "mode" already folded into "env"
// and the --watch that a --watch-path implies already added.
func checkMeaning(t *testing.T, c Config, given map[string][]string, cwd string) {
	t.Helper()
	got := canonical(c)
	for long, items := range given {
		if _, ok := got[long]; !ok && long != "verbose" {
			continue // a control command or its modifier
		}
		want := meaning(long, items, cwd)
		switch long {
		case "verbose":
			if want[0] == "true" && c.LogLevel != "trace" && c.LogLevel != "debug" {
				t.Errorf("verbose %q gave log level %q, want trace or debug", items[0], c.LogLevel)
			}
			continue
		case "log-level":
			if v, ok := given["verbose"]; ok && meaningOf("verbose", v[0], cwd) == "true" && want[0] != "trace" {
				want = []string{"debug"} // -v means debug, unless the level is already more verbose
			}
		}
		if !slices.Equal(got[long], want) {
			t.Errorf("%s %q: got %q, want %q", long, items, got[long], want)
		}
	}
}

// envKey is the doc's KEY of --set KEY=VALUE.
var envKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// reservedByDoc are the variables that the doc says --set may not set.
var reservedByDoc = []string{"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "PORT", "SPARK2_HOST",
	"NOTIFY_SOCKET", "SPARK2_READY_FD", "SPARK2_WORKER_ID", "SPARK2_ENV", "NODE_ENV", "SPARK2_SSL_KEY",
	"SPARK2_SSL_CRT", "SPARK2_SSL_KEY_PEM", "SPARK2_SSL_CRT_PEM", "SPARK2_APP", "SPARK2_BOOTSTRAP",
	"SPARK2_EVAL", "SPARK2_COMMENT", "WATCHDOG_USEC", "WATCHDOG_PID"}

// idName is the doc's user or group name (at most 32 characters in all).
var idName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*\$?$`)

// validity says whether the package doc accepts s as the value of option
// long (an item of a list) from an env var or a flag, for the options whose
// validity needs no other option and no file; known is false for the
// others.
func validity(long, s string) (valid, known bool) {
	within := func(d time.Duration, lo, hi time.Duration) bool { return d >= lo && d <= hi }
	duration := func() (time.Duration, bool) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return time.Duration(f * float64(time.Second)), !math.IsNaN(f) && f >= 0 && f <= 3600
		}
		d, err := time.ParseDuration(s)
		return d, err == nil && within(d, 0, time.Hour)
	}
	switch long {
	case "workers":
		n, err := strconv.Atoi(s)
		return strings.EqualFold(s, "auto") || err == nil && n >= 1 && n <= 1024, true
	case "port":
		_, err := strconv.ParseUint(s, 10, 16)
		return err == nil, true
	case "restart":
		return slices.Contains([]string{"always", "on-failure", "no"}, strings.ToLower(s)), true
	case "balance":
		return slices.Contains([]string{"shared", "reuseport"}, strings.ToLower(s)), true
	case "log-format":
		return slices.Contains([]string{"text", "json"}, strings.ToLower(s)), true
	case "log-level":
		return slices.Contains([]string{"trace", "debug", "info", "warn", "error"}, strings.ToLower(s)), true
	case "stop-timeout", "ready-timeout", "stale-after":
		d, ok := duration()
		return ok && d > 0, true
	case "ready": // alone: below the default --ready-timeout, 30s
		d, ok := duration()
		return ok && d < 30*time.Second || strings.EqualFold(s, "notify"), true
	case "stop-signal":
		n := docSignal(s)
		return n != 0 && !slices.Contains([]int{19, 20, 21, 22}, n), true
	case "watch-poll":
		d, ok := duration()
		return ok && (d == 0 || within(d, 10*time.Millisecond, time.Minute)), true
	case "host":
		_, err := netip.ParseAddr(s)
		return s == "*" || err == nil, true
	case "group":
		return false, true // alone: -g needs -u
	case "user":
		n, err := strconv.ParseUint(s, 10, 32)
		return err == nil && n <= 1<<32-2 || len(s) <= 32 && idName.MatchString(s), true
	case "env":
		return regexp.MustCompile(`^[A-Za-z0-9_.-]+$`).MatchString(s), true
	case "eval", "comment":
		return true, true
	case "accesslog":
		return s != "", true
	case "set":
		key, _, ok := strings.Cut(s, "=")
		return ok && envKey.MatchString(key) && !slices.Contains(reservedByDoc, key), true
	case "watch-ignore":
		_, err := path.Match(s, "")
		return s != "" && err == nil, true
	}
	if slices.Contains(boolOptions, long) {
		return slices.Contains([]string{"true", "false", "1", "0", "yes", "no"}, strings.ToLower(s)), true
	}
	return false, false
}

// docSignal is the signal number that the package doc says s names (a name
// with or without SIG, RTMIN+N, RTMAX-N, or a number from 1 to 64 but 32
// and 33); 0 for none.
func docSignal(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 1 && n <= 64 && n != 32 && n != 33 {
			return n
		}
		return 0
	}
	name := strings.TrimPrefix(strings.ToUpper(s), "SIG")
	names := map[string]int{"HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7, "FPE": 8,
		"KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17,
		"CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25, "VTALRM": 26,
		"PROF": 27, "WINCH": 28, "IO": 29, "POLL": 29, "PWR": 30, "SYS": 31, "RTMIN": 34, "RTMAX": 64}
	if n, ok := names[name]; ok {
		return n
	}
	for base, sign := range map[string]int{"RTMIN+": 34, "RTMAX-": 64} {
		if rest, ok := strings.CutPrefix(name, base); ok {
			if n, err := strconv.Atoi(rest); err == nil && n >= 0 && n <= 30 && rest[0] != '+' && rest[0] != '-' {
				if base == "RTMIN+" {
					return sign + n
				}
				return sign - n
			}
		}
	}
	return 0
}
