package config

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// jsonText is the text of a JSON scalar as an option value: a string's
// content, "true" or "false", or a number's value without a needless
// fraction or exponent ("2.0" is "2"); ok is false for anything else.
func jsonText(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b), true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return "", false
	}
	if f, err := strconv.ParseFloat(string(n), 64); err == nil {
		return strconv.FormatFloat(f, 'f', -1, 64), true
	}
	return string(n), true
}

// fileLayer is what one object of an accepted config file gives each
// option, by the package doc: "mode" is "env", an array is a list of
// strings, a --set object is its "KEY=VALUE" items in key order, and a
// non-empty --watch-path implies --watch.
func fileLayer(t *testing.T, obj map[string]json.RawMessage) map[string][]string {
	t.Helper()
	layer := map[string][]string{}
	for key, raw := range obj {
		if key == keySections {
			continue
		}
		if key == "mode" {
			key = keyEnv
		}
		if _, ok := canonical(Config{})[key]; !ok && key != "verbose" || key == keyConfig {
			t.Fatalf("key %q accepted: the doc allows the long option names but config", key)
		}
		var items []string
		var arr []string
		var set map[string]json.RawMessage
		switch {
		case json.Unmarshal(raw, &arr) == nil:
			items = arr
		case json.Unmarshal(raw, &set) == nil:
			for _, k := range slices.Sorted(maps.Keys(set)) {
				v, ok := jsonText(set[k])
				if !ok {
					t.Fatalf("key %q: item %q accepted: %s", key, k, set[k])
				}
				items = append(items, k+"="+v)
			}
		default:
			v, ok := jsonText(raw)
			if !ok {
				t.Fatalf("key %q: value accepted: %s", key, raw)
			}
			items = []string{v}
		}
		layer[key] = items
	}
	if len(layer["watch-path"]) > 0 {
		layer["watch"] = []string{"true"}
	}
	return layer
}

// fileGiven is what an accepted config file gives each option: its top
// level, overlaid key by key by the section of the environment name that
// the top level gives (else "development"); and that name.
func fileGiven(t *testing.T, data []byte) (map[string][]string, string) {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatalf("file accepted, but it is not a JSON object: %v", err)
	}
	given := fileLayer(t, top)
	name := "development"
	if env, ok := given[keyEnv]; ok {
		name = env[0]
	}
	var sections map[string]map[string]json.RawMessage
	if raw, ok := top[keySections]; ok {
		if err := json.Unmarshal(raw, &sections); err != nil {
			t.Fatalf("environments accepted: %v", err)
		}
	}
	maps.Copy(given, fileLayer(t, sections[name]))
	return given, name
}

// canonicalFile is a config file that gives every option of given its
// canonical value (meaning) at the top level, with the environment name
// set, and --watch in that environment's section (so that it is not
// overridden by the --watch that a top-level --watch-path implies).
func canonicalFile(given map[string][]string, name, cwd string) []byte {
	top := map[string]any{keyEnv: name}
	for long, items := range given {
		vals := meaning(long, items, cwd)
		switch {
		case long == keyEnv || long == keyWatch:
		case slices.Contains(boolOptions, long):
			top[long] = vals[0] == "true"
		case slices.Contains([]string{"set", "include", "watch-path", "watch-ignore"}, long):
			top[long] = append([]string{}, vals...)
		default:
			top[long] = vals[0]
		}
	}
	if w, ok := given[keyWatch]; ok {
		top[keySections] = map[string]any{name: map[string]bool{keyWatch: meaning(keyWatch, w, cwd)[0] == "true"}}
	}
	b, _ := json.Marshal(top)
	return b
}

// FuzzConfigFile runs Parse with random bytes as ./spark2.json, with no
// argument and no env var. It never panics; an error is a one-line
// *UsageError that names spark2.json; an accepted file was loaded, each
// value it gives (the environment's section over the top level) means what
// the doc says, and a file that gives the canonical text of each of these
// values at its top level gives the same Result.
func FuzzConfigFile(f *testing.F) {
	cwd := f.TempDir()
	path := filepath.Join(cwd, defaultFile)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := fake.parse(nil, nil, cwd, nil)
		if err != nil {
			if msg := checkUsageError(t, err); !strings.Contains(msg, defaultFile) {
				t.Fatalf("error does not name %s: %s", defaultFile, msg)
			}
			return
		}
		if r.Action != ActionRun || r.Config.ConfigFile != path {
			t.Fatalf("action %v, config file %q; want a run with %q", r.Action, r.Config.ConfigFile, path)
		}
		given, name := fileGiven(t, data)
		checkMeaning(t, r.Config, given, cwd)

		canon := canonicalFile(given, name, cwd)
		if err := os.WriteFile(path, canon, 0o644); err != nil {
			t.Fatal(err)
		}
		again, err := fake.parse(nil, nil, cwd, nil)
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("file gives %+v;\ncanonical %s gives %+v, %v", r, canon, again, err)
		}
	})
}
