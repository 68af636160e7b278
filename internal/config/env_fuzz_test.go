package config

import (
	"encoding/csv"
	"maps"
	"reflect"
	"strings"
	"testing"
)

// envVar is one env var that Parse reads: an option's own, or the foreign
// one it falls back to (NODE_ENV, PORT, NO_COLOR).
type envVar struct {
	name     string
	opt      *option
	fallback bool
}

// envVars lists the env vars of tab, options' own first, in table order.
func envVars(tab *table) []envVar {
	var vars, fallbacks []envVar
	for _, o := range tab.options {
		if o.env != "" {
			vars = append(vars, envVar{name: o.env, opt: o})
		}
		if name := fallbackEnv[o.long]; name != "" {
			fallbacks = append(fallbacks, envVar{name: name, opt: o, fallback: true})
		}
	}
	return append(vars, fallbacks...)
}

// envGiven is what env gives each option by the package doc's rules: an
// option's own var wins over its fallback, an empty fallback is unset,
// NO_COLOR means true whatever its value, a list var is one CSV record, and
// a --watch-path implies --watch.
func envGiven(t *testing.T, vars []envVar, env map[string]string) map[string][]string {
	given := map[string][]string{}
	for _, v := range vars {
		val, ok := env[v.name]
		if !ok || v.fallback && (val == "" || given[v.opt.long] != nil) {
			continue
		}
		items := []string{val}
		switch {
		case v.opt.kind == listKind:
			r := csv.NewReader(strings.NewReader(val))
			r.TrimLeadingSpace = true
			records, err := r.ReadAll()
			if err != nil || len(records) != 1 {
				t.Fatalf("%s=%q accepted, but it is not one CSV record", v.name, val)
			}
			items = records[0]
		case v.fallback && v.opt.kind == boolKind:
			items = []string{"true"}
		}
		given[v.opt.long] = items
	}
	if len(given["watch-path"]) > 0 {
		given["watch"] = []string{"true"}
	}
	return given
}

// csvRecord writes items as one CSV record, the form of a list env var.
func csvRecord(items []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(items)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// FuzzEnv sets two of the env vars that Parse reads (the same one twice is
// one) to random values, with no argument and an empty working directory.
// Parse never panics; an error is a one-line *UsageError that names a var it
// was given (or, for SPARK2_CONFIG and SPARK2_CHDIR, the path); a SPARK2_*
// var set empty is an error; a var set alone is accepted exactly when the
// doc says its value is valid; an accepted value means what the doc says
// (SPARK2_WORKERS=N gives Workers N), and the canonical text of each
// accepted value, set instead, gives the same Result.
func FuzzEnv(f *testing.F) {
	tab, err := loadTable()
	if err != nil {
		f.Fatal(err)
	}
	vars := envVars(tab)
	cwd := f.TempDir()
	f.Fuzz(func(t *testing.T, i uint8, v string, j uint8, w string) {
		env := map[string]string{}
		for _, kv := range []struct {
			n   uint8
			val string
		}{{i, v}, {j, w}} {
			name := vars[int(kv.n)%len(vars)].name
			if strings.ContainsRune(kv.val, 0) || name == "SPARK2_CONFIG" && noFileAt(kv.val) {
				t.Skip("no env var holds a NUL; a device is no config file")
			}
			env[name] = kv.val
		}
		lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		r, err := fake.parse(nil, lookup, cwd, nil)
		if len(env) == 1 {
			checkValidity(t, vars, env, err)
		}
		if err != nil {
			msg := checkUsageError(t, err)
			for name, val := range env {
				if strings.Contains(msg, name) || (name == "SPARK2_CONFIG" || name == "SPARK2_CHDIR") && strings.Contains(msg, val) {
					return
				}
			}
			t.Fatalf("%q: error names none of the env vars: %s", env, msg)
		}
		for name, val := range env {
			if val == "" && strings.HasPrefix(name, "SPARK2_") {
				t.Fatalf("%s set empty is accepted", name)
			}
		}
		unset := maps.Clone(env)
		maps.DeleteFunc(unset, func(k, v string) bool { return v == "" && !strings.HasPrefix(k, "SPARK2_") })
		if len(unset) < len(env) {
			same, err := fake.parse(nil, func(k string) (string, bool) { v, ok := unset[k]; return v, ok }, cwd, nil)
			if err != nil || !reflect.DeepEqual(same, r) {
				t.Fatalf("%q gives %+v; unset, the empty ones give %+v, %v", env, r, same, err)
			}
		}
		given := envGiven(t, vars, env)
		checkMeaning(t, r.Config, given, cwd)

		canon := maps.Clone(env)
		for _, v := range vars {
			if val, ok := env[v.name]; !ok || val == "" || v.fallback && env[v.opt.env] != "" {
				continue
			}
			items := meaning(v.opt.long, given[v.opt.long], cwd)
			canon[v.name] = items[0]
			if v.opt.kind == listKind {
				canon[v.name] = csvRecord(items)
			}
		}
		again, err := fake.parse(nil, func(k string) (string, bool) { v, ok := canon[k]; return v, ok }, cwd, nil)
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("%q gives %+v;\ncanonical %q gives %+v, %v", env, r, canon, again, err)
		}
	})
}

// listValidity says whether the doc accepts val as a list env var: one CSV
// record (spaces after commas ignored) of valid items.
func listValidity(long, val string) (valid, known bool) {
	r := csv.NewReader(strings.NewReader(val))
	r.TrimLeadingSpace = true
	records, err := r.ReadAll()
	if err != nil || len(records) != 1 {
		return false, true
	}
	for _, item := range records[0] {
		if valid, known := validity(long, item); !valid || !known {
			return valid, known
		}
	}
	return true, true
}

// checkValidity fails t unless Parse accepted the one var of env exactly
// when the doc says its value is valid, for the options that validity knows.
func checkValidity(t *testing.T, vars []envVar, env map[string]string, err error) {
	t.Helper()
	for _, v := range vars {
		val, ok := env[v.name]
		if !ok || v.fallback && v.opt.kind == boolKind {
			continue
		}
		if v.fallback && val == "" {
			if err != nil { // an empty fallback counts as unset
				t.Fatalf("%s set empty: %v", v.name, err)
			}
			continue
		}
		valid, known := validity(v.opt.long, val)
		if v.opt.kind == listKind {
			valid, known = listValidity(v.opt.long, val)
		}
		if val == "" {
			valid, known = false, true // an empty SPARK2_* var is an error
		}
		if known && valid != (err == nil) {
			t.Fatalf("%s=%q: valid by the doc %v, but Parse says %v", v.name, val, valid, err)
		}
	}
}
