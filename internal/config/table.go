package config

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// kind says how an option takes its value.
type kind int

const (
	boolKind kind = iota // no value on the command line; true/false elsewhere
	textKind             // one value, parsed by the field's value type
	listKind             // repeatable; each item parsed by the element's value type
)

// option is one option of spark2, read from a field of options and its tags.
type option struct {
	long    string // long name without "--"; also the config file key
	short   string // one-letter name without "-"; "" for none
	env     string // env var; "" for none
	def     string // default tag as shown in --help; "" for none
	alias   string // long name of the option this one is a spelling of; "" for none
	kind    kind
	index   []int        // field index in options
	elem    reflect.Type // value type of a textKind field or of a listKind item
	accepts string       // what a value may be, for messages
}

// flagName is how messages name the option on the command line: "-n/--workers".
func (o *option) flagName() string {
	if o.short == "" {
		return "--" + o.long
	}
	return "-" + o.short + "/--" + o.long
}

// table is the set of options of spark2, in the order of the options struct.
type table struct {
	options []*option
	byLong  map[string]*option
	byShort map[string]*option
}

// canonical is the option whose value o sets: o itself unless o is an alias.
func (t *table) canonical(o *option) *option {
	if o.alias != "" {
		return t.byLong[o.alias]
	}
	return o
}

// loadTable returns the table of the options struct, built once.
var loadTable = sync.OnceValues(func() (*table, error) { return newTable(reflect.TypeFor[options]()) })

// newTable reads the options from the tags of struct type st. It fails on a
// field whose names are not spelled out or whose type is not supported.
func newTable(st reflect.Type) (*table, error) {
	t := &table{byLong: map[string]*option{}, byShort: map[string]*option{}}
	for i := range st.NumField() {
		f := st.Field(i)
		o, err := newOption(f)
		if err != nil {
			return nil, fmt.Errorf("options.%s: %w", f.Name, err)
		}
		if t.byLong[o.long] != nil || o.short != "" && t.byShort[o.short] != nil {
			return nil, fmt.Errorf("options.%s: name used twice", f.Name)
		}
		t.options = append(t.options, o)
		t.byLong[o.long] = o
		if o.short != "" {
			t.byShort[o.short] = o
		}
	}
	for _, o := range t.options {
		if o.alias != "" && (t.byLong[o.alias] == nil || t.byLong[o.alias].alias != "") {
			return nil, fmt.Errorf("--%s: alias of unknown option %q", o.long, o.alias)
		}
	}
	return t, nil
}

// newOption reads one field's go-arg tag ("-n,--workers,env:SPARK2_WORKERS"),
// its default and alias tags, and its type.
func newOption(f reflect.StructField) (*option, error) {
	o := &option{index: f.Index, def: f.Tag.Get("default"), alias: f.Tag.Get("alias")}
	for part := range strings.SplitSeq(f.Tag.Get("arg"), ",") {
		switch {
		case strings.HasPrefix(part, "--"):
			o.long = part[2:]
		case strings.HasPrefix(part, "-") && len(part) == 2:
			o.short = part[1:]
		case strings.HasPrefix(part, "env:") && len(part) > 4:
			o.env = part[4:]
		default:
			return nil, fmt.Errorf("arg tag part %q: want -x, --name or env:NAME", part)
		}
	}
	if o.long == "" {
		return nil, fmt.Errorf("no --name in the arg tag")
	}
	valueType := reflect.TypeFor[value]()
	switch t := f.Type; {
	case t.Kind() == reflect.Bool:
		o.kind, o.accepts = boolKind, boolAccepts
	case t.Kind() == reflect.Slice && reflect.PointerTo(t.Elem()).Implements(valueType):
		o.kind, o.elem = listKind, t.Elem()
	case reflect.PointerTo(t).Implements(valueType):
		o.kind, o.elem = textKind, t
	default:
		return nil, fmt.Errorf("type %s is neither bool, a value nor a list of values", t)
	}
	if o.elem != nil {
		o.accepts = reflect.New(o.elem).Interface().(value).accepts()
	}
	return o, nil
}

// numeric reports whether a config file may give o's value as a JSON number.
func (o *option) numeric() bool {
	return o.kind == textKind && reflect.PointerTo(o.elem).Implements(reflect.TypeFor[numeric]())
}

// keyed reports whether o is a list of "KEY=VALUE" items (--set), which a
// config file may give as a JSON object.
func (o *option) keyed() bool {
	return o.kind == listKind && reflect.PointerTo(o.elem).Implements(reflect.TypeFor[keyed]())
}
