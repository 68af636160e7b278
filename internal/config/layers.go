package config

import (
	"encoding"
	"reflect"
)

// setting is one value of one option as found in one layer (the defaults, the
// config file's top level or environment section, the env vars, the flags),
// not yet validated.
type setting struct {
	opt   *option  // the canonical option, never an alias
	src   source   // where the value was given, for messages
	text  string   // the value of a boolKind or textKind option
	items []string // the items of a listKind option
}

// defaultLayer holds every option's default tag that is a value.
func defaultLayer(t *table) []setting {
	var layer []setting
	for _, o := range t.options {
		if o.def == "" || o.def == defaultNone || o.long == keyConfig {
			continue
		}
		layer = append(layer, setting{opt: o, src: source{flag: "the default of " + o.flagName(), def: true}, text: o.def})
	}
	return layer
}

// last returns the last setting of the option named long in layer.
func last(layer []setting, long string) (setting, bool) {
	for i := len(layer) - 1; i >= 0; i-- {
		if layer[i].opt.long == long {
			return layer[i], true
		}
	}
	return setting{}, false
}

// highest returns the setting of the option named long that wins among
// layers, which are given highest first.
func highest(long string, layers ...[]setting) (setting, bool) {
	for _, layer := range layers {
		if s, ok := last(layer, long); ok {
			return s, true
		}
	}
	return setting{}, false
}

// overlay applies layers, lowest first, onto zero options: within a layer a
// later setting beats an earlier one, and the settings of a list option in
// one layer are gathered and replace the list of the layers below. Every
// setting is validated, also one that a higher layer overrides. It returns
// the options and, for each option set, the source of the winning setting.
func overlay(layers ...[]setting) (*options, map[string]source, error) {
	o := &options{}
	won := map[string]source{}
	root := reflect.ValueOf(o).Elem()
	for _, layer := range layers {
		started := map[*option]bool{}
		for _, s := range layer {
			if err := assign(root.FieldByIndex(s.opt.index), s, !started[s.opt]); err != nil {
				return nil, nil, err
			}
			started[s.opt] = true
			won[s.opt.long] = s.src
		}
	}
	return o, won, nil
}

// assign parses s into field f; for a list, replace empties f first.
func assign(f reflect.Value, s setting, replace bool) error {
	switch s.opt.kind {
	case boolKind:
		b, err := parseBool(s.text)
		if err != nil {
			return s.src.invalid(s.text, err)
		}
		f.SetBool(b)
	case textKind:
		if err := f.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s.text)); err != nil {
			return s.src.invalid(s.text, err)
		}
	case listKind:
		if replace {
			f.Set(reflect.MakeSlice(f.Type(), 0, len(s.items)))
		}
		for _, item := range s.items {
			v := reflect.New(s.opt.elem)
			if err := v.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(item)); err != nil {
				return s.src.invalid(item, err)
			}
			f.Set(reflect.Append(f, v.Elem()))
		}
	}
	return nil
}
