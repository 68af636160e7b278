package config

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spark2/spark2/internal/jsonv"
)

// fileLayers are the settings of a config file: its top level and its
// environment sections by name.
type fileLayers struct {
	top      []setting
	sections map[string][]setting
}

// loadFile reads and checks config file f: a JSON object whose keys are long
// option names, plus "environments", an object of sections (objects of
// option keys) by environment name. Every section is checked, not just the
// selected one. A section cannot set env/mode, config or environments. The
// keys config, version and help are refused: they only make sense on the
// command line. A malformed file is reported with its line and column.
func loadFile(t *table, f configFile) (fileLayers, error) {
	data, err := f.read()
	if err != nil {
		return fileLayers{}, err
	}
	doc, err := jsonv.Parse(data)
	if err != nil {
		var syn *jsonv.SyntaxError
		if !errors.As(err, &syn) {
			return fileLayers{}, usageErrorf("%s: malformed JSON: %v", f.shown, err)
		}
		line, col := position(data, syn.Offset)
		return fileLayers{}, usageErrorf("%s:%d:%d: malformed JSON: %v", f.shown, line, col, syn)
	}
	if doc.Kind != jsonv.Object {
		return fileLayers{}, usageErrorf("%s: want a JSON object whose keys are option names, got %s", f.shown, kindOf(doc))
	}
	top := members(doc)
	var fl fileLayers
	rawSections, hasSections := top[keySections]
	delete(top, keySections)
	if fl.top, err = decodeObject(t, f.shown, "", top); err != nil {
		return fileLayers{}, err
	}
	if !hasSections {
		return fl, nil
	}
	if fl.sections, err = decodeSections(t, f.shown, rawSections); err != nil {
		return fileLayers{}, err
	}
	return fl, nil
}

// decodeSections checks and decodes the value of the "environments" key.
func decodeSections(t *table, file string, raw jsonv.Value) (map[string][]setting, error) {
	if raw.Kind != jsonv.Object {
		return nil, fileError(file, keySections, "want an object of environment sections by name, got %s", kindOf(raw))
	}
	sections := members(raw)
	out := map[string][]setting{}
	for _, name := range slices.Sorted(maps.Keys(sections)) {
		prefix := keySections + "." + name
		if sections[name].Kind != jsonv.Object {
			return nil, fileError(file, prefix, "want an object of options, got %s", kindOf(sections[name]))
		}
		obj := members(sections[name])
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			if key == keySections {
				return nil, fileError(file, prefix+"."+key, "environment sections do not nest")
			}
			if o := t.byLong[key]; o != nil && t.canonical(o).long == keyEnv {
				return nil, fileError(file, prefix+"."+key, "an environment section cannot set the environment name, which selects it")
			}
		}
		settings, err := decodeObject(t, file, prefix+".", obj)
		if err != nil {
			return nil, err
		}
		if _, _, err := overlay(settings); err != nil { // values too, even if not selected
			return nil, err
		}
		out[name] = settings
	}
	return out, nil
}

// decodeObject turns the keys of one object of file into settings, in key
// order; prefix is prepended to the keys in messages.
func decodeObject(t *table, file, prefix string, obj map[string]jsonv.Value) ([]setting, error) {
	if _, env := obj[keyEnv]; env {
		for key := range obj {
			if o := t.byLong[key]; o != nil && o.alias == keyEnv {
				return nil, fileError(file, prefix+key, "both %q and %q set the environment name; keep one", keyEnv, key)
			}
		}
	}
	var layer []setting
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		if why, ok := fileOnlyCommandLine[key]; ok {
			return nil, fileError(file, prefix+key, "not allowed in a config file: %s", why)
		}
		o := t.byLong[key]
		if o == nil {
			sections := ""
			if prefix == "" {
				sections = fmt.Sprintf(" and %q", keySections)
			}
			return nil, usageErrorf("%s: unknown key %q: the keys are the long option names (%s)%s",
				file, prefix+key, strings.Join(fileKeys(t), ", "), sections)
		}
		s, err := decodeValue(t.canonical(o), source{file: file, key: prefix + key}, obj[key])
		if err != nil {
			return nil, err
		}
		layer = append(layer, s)
	}
	return layer, nil
}

// members are the members of object v by key; of a key given twice, the
// last (as encoding/json reads an object into a map).
func members(v jsonv.Value) map[string]jsonv.Value {
	m := make(map[string]jsonv.Value, len(v.Members))
	for _, mb := range v.Members {
		m[mb.Key] = mb.Value
	}
	return m
}

// fileKeys are the option keys that a config file may set.
func fileKeys(t *table) []string {
	var keys []string
	for _, o := range t.options {
		if _, no := fileOnlyCommandLine[o.long]; !no {
			keys = append(keys, o.long)
		}
	}
	return keys
}

// position turns a byte offset of data into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	prefix := data[:min(max(offset, 0), int64(len(data)))]
	line = bytes.Count(prefix, []byte("\n")) + 1
	col = len(prefix) - (bytes.LastIndexByte(prefix, '\n') + 1)
	return line, max(col, 1)
}
