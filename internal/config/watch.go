package config

import (
	"errors"
	"path"
	"time"
)

// minPoll and maxPoll bound a --watch-poll interval other than 0.
const (
	minPoll = 10 * time.Millisecond
	maxPoll = time.Minute
)

// pollValue is --watch-poll: 0, watch with filesystem events; or a poll
// interval from minPoll to maxPoll, in the syntax of durationValue.
type pollValue time.Duration

func (*pollValue) numeric() {}
func (*pollValue) accepts() string {
	return `0 (filesystem events), or a poll interval from 10ms to 1m such as "100ms", "1s" or a number of seconds`
}
func (p *pollValue) UnmarshalText(b []byte) error {
	t, ok := parseDuration(string(b))
	if !ok || t != 0 && (t < minPoll || t > maxPoll) {
		return errWant(p)
	}
	*p = pollValue(t)
	return nil
}

// globValue is a --watch-ignore pattern: not empty, in path.Match syntax.
type globValue string

func (*globValue) accepts() string {
	return `a path.Match pattern such as "*.log" or "tmp/*"`
}
func (g *globValue) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		return errWant(g)
	}
	if _, err := path.Match(string(b), ""); err != nil {
		return errors.New("malformed pattern (an unclosed [ or a trailing \\); want " + g.accepts())
	}
	*g = globValue(b)
	return nil
}

// impliedWatch returns layer with a setting of --watch true after each
// --watch-path setting that names at least one path, from the same source:
// --watch-path implies --watch within its layer, so that only a --watch
// false given after it (on the command line) or by a higher layer turns
// watching off. The layer itself is not changed.
func impliedWatch(t *table, layer []setting) []setting {
	var out []setting
	for _, s := range layer {
		out = append(out, s)
		if s.opt.long == keyWatchPath && len(s.items) > 0 {
			out = append(out, setting{opt: t.byLong[keyWatch], src: s.src, text: "true"})
		}
	}
	return out
}
