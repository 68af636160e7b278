package config

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The real-time signals spark2 accepts as a stop signal: 32 and 33 belong to
// the C library.
const (
	sigRTMin = 34
	sigRTMax = 64
)

// stopSignalValue is --stop-signal: a signal name with or without SIG, in
// any letter case (TERM, SIGQUIT, sigwinch), RTMIN+N or RTMAX-N, or a number
// from 1 to 64 (32 and 33 excepted). The job-control signals STOP, TSTP,
// TTIN and TTOU are refused: they pause a process instead of stopping it.
type stopSignalValue syscall.Signal

func (*stopSignalValue) numeric() {}
func (*stopSignalValue) accepts() string {
	return `a signal name with or without SIG (TERM, QUIT, INT, KILL, ...), RTMIN+N, or a number from 1 to 64`
}
func (v *stopSignalValue) UnmarshalText(b []byte) error {
	sg, ok := parseSignal(string(b))
	if !ok {
		return errWant(v)
	}
	switch sg {
	case syscall.SIGSTOP, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU:
		return fmt.Errorf("%s pauses a process instead of stopping it; use TERM (the default), QUIT, INT or the signal your server stops gracefully on", unix.SignalName(sg))
	}
	*v = stopSignalValue(sg)
	return nil
}

// parseSignal parses a signal name or number; ok is false for anything else.
func parseSignal(s string) (syscall.Signal, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > sigRTMax || n == 32 || n == 33 {
			return 0, false
		}
		return syscall.Signal(n), true
	}
	name := strings.TrimPrefix(strings.ToUpper(s), "SIG")
	if name == "" {
		return 0, false
	}
	for base, prefix := range map[int]string{sigRTMin: "RTMIN", sigRTMax: "RTMAX"} {
		rest, found := strings.CutPrefix(name, prefix)
		if !found {
			continue
		}
		off := 0
		if rest != "" {
			n, err := strconv.Atoi(rest)
			if err != nil || (base == sigRTMin) != (rest[0] == '+') || (base == sigRTMax) != (rest[0] == '-') {
				return 0, false
			}
			off = n
		}
		if sg := base + off; sg >= sigRTMin && sg <= sigRTMax {
			return syscall.Signal(sg), true
		}
		return 0, false
	}
	sg := unix.SignalNum("SIG" + name)
	return sg, sg != 0
}
