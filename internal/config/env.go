package config

import (
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
)

// envLayer reads the env var of every option that has one. A SPARK2_* var
// that is set but empty is an error. When an option's own var is unset, its
// fallback (fallbackEnv) is read if it is set and not empty: NODE_ENV gives
// -E its value, and NO_COLOR, whatever its value, means --no-color. The var
// of a list option (SPARK2_SET, SPARK2_INCLUDE) is one CSV record, as go-arg
// reads it: comma-separated items, an item holding a comma in double quotes.
func envLayer(t *table, lookupEnv func(string) (string, bool)) ([]setting, error) {
	var layer []setting
	for _, o := range t.options {
		if o.env == "" {
			continue
		}
		val, ok := lookupEnv(o.env)
		if !ok {
			if s, ok := fallback(o, lookupEnv); ok {
				layer = append(layer, s)
			}
			continue
		}
		if val == "" {
			return nil, emptyEnv(o)
		}
		s := setting{opt: o, src: source{env: o.env}, text: val}
		if o.kind == listKind {
			items, ok := splitList(val)
			if !ok {
				return nil, s.src.invalid(val, errListCSV(o))
			}
			s.items = items
		}
		layer = append(layer, s)
	}
	return layer, nil
}

// fallback returns the setting that o's fallback env var gives, if any.
func fallback(o *option, lookupEnv func(string) (string, bool)) (setting, bool) {
	name := fallbackEnv[o.long]
	if name == "" {
		return setting{}, false
	}
	val, ok := lookupEnv(name)
	if !ok || val == "" {
		return setting{}, false
	}
	if o.kind == boolKind {
		val = "true"
	}
	return setting{opt: o, src: source{env: name}, text: val}, true
}

// splitList splits an env var list: one CSV record, spaces after commas
// ignored. ok is false when val is not one CSV record.
func splitList(val string) (items []string, ok bool) {
	r := csv.NewReader(strings.NewReader(val))
	r.TrimLeadingSpace = true
	records, err := r.ReadAll()
	if err != nil || len(records) != 1 {
		return nil, false
	}
	return records[0], true
}

// errListCSV is the error of the env var of list option o that is not one
// CSV record.
func errListCSV(o *option) error {
	if o.keyed() {
		return errors.New(`want comma-separated KEY=VALUE items; quote an item that holds a comma: "K=a,b"`)
	}
	return fmt.Errorf(`want comma-separated items, each %s; quote an item that holds a comma: "a,b"`, o.accepts)
}
