package config

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// The bounds of the worker health options (--watchdog, --max-lifetime,
// --max-memory); 0 turns each one off.
const (
	minWatchdog = 100 * time.Millisecond // a shorter heartbeat costs more than it finds
	maxWatchdog = time.Hour
	minLifetime = time.Second
	maxLifetime = 10000 * time.Hour // about 14 months
	minMemory   = 1 << 20           // 1MiB: a bare "512" is a mistake, not a limit
)

// healthDuration parses a health duration: "0", or a Go duration with a unit
// ("30s", "1h30m") from lo to hi. A bare number other than 0 is refused: is
// "30" seconds or minutes? ok is false when s is not accepted.
func healthDuration(s string, lo, hi time.Duration) (time.Duration, bool) {
	if s == "0" {
		return 0, true
	}
	t, err := time.ParseDuration(s)
	if err != nil || t != 0 && (t < lo || t > hi) {
		return 0, false
	}
	return t, true
}

// setHealthDuration sets *d to b, a health duration from lo to hi, or says
// what option v accepts.
func setHealthDuration(d *time.Duration, b []byte, lo, hi time.Duration, v value) error {
	t, ok := healthDuration(string(b), lo, hi)
	if !ok {
		return errWant(v)
	}
	*d = t
	return nil
}

// watchdogValue is --watchdog: 0 (off), or the longest a ready worker may
// stay silent on the watchdog protocol, 100ms to 1h.
type watchdogValue time.Duration

func (*watchdogValue) accepts() string {
	return `0 (off), or a duration with a unit from 100ms to 1h, such as "10s" or "500ms"`
}
func (d *watchdogValue) UnmarshalText(b []byte) error {
	return setHealthDuration((*time.Duration)(d), b, minWatchdog, maxWatchdog, d)
}

// lifetimeValue is --max-lifetime: 0 (off), or the age at which a worker is
// replaced, 1s to 10000h.
type lifetimeValue time.Duration

func (*lifetimeValue) accepts() string {
	return `0 (off), or a duration with a unit from 1s to 10000h, such as "1h" or "30m"`
}
func (d *lifetimeValue) UnmarshalText(b []byte) error {
	return setHealthDuration((*time.Duration)(d), b, minLifetime, maxLifetime, d)
}

// sizeValue is --max-memory: 0 (off), or a number of bytes with a unit:
// B; k, K, KB, M, MB, G, GB, T, TB (powers of 1000); Ki, KiB, Mi, MiB, Gi,
// GiB, Ti, TiB (powers of 1024). The number may have a fraction ("1.5GiB");
// the result is at least 1MiB.
type sizeValue uint64

func (*sizeValue) accepts() string {
	return `0 (off), or a size of at least 1MiB with a unit, such as "512MiB", "1GiB", "300M" (M, G: powers of 1000; MiB, GiB: of 1024)`
}
func (v *sizeValue) UnmarshalText(b []byte) error {
	n, err := parseSize(string(b))
	if err != nil {
		return errWant(v)
	}
	*v = sizeValue(n)
	return nil
}

// sizeUnits are the units of parseSize, by name.
var sizeUnits = map[string]float64{
	"B": 1,
	"k": 1e3, "K": 1e3, "KB": 1e3, "M": 1e6, "MB": 1e6, "G": 1e9, "GB": 1e9, "T": 1e12, "TB": 1e12,
	"Ki": 1 << 10, "KiB": 1 << 10, "Mi": 1 << 20, "MiB": 1 << 20, "Gi": 1 << 30, "GiB": 1 << 30, "Ti": 1 << 40, "TiB": 1 << 40,
}

// parseSize parses sizeValue's syntax.
func parseSize(s string) (uint64, error) {
	if s == "0" {
		return 0, nil
	}
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, errors.New("no number followed by a unit")
	}
	unit, ok := sizeUnits[s[i:]]
	if !ok {
		return 0, errors.New("unknown unit")
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, err
	}
	bytes := n * unit
	if bytes < minMemory || bytes > 1<<62 {
		return 0, errors.New("out of range")
	}
	return uint64(bytes), nil
}
