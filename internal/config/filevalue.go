package config

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spark2/spark2/internal/jsonv"
)

// decodeValue turns the JSON value raw of option o into a setting. A boolean
// option takes true or false (false means false); a text option takes a
// string, or a number when o is numeric (--workers, --port, --user, --group;
// --stop-timeout, --ready, --ready-timeout: a number of seconds); a list
// option takes an array of strings, and --set (keyed) also an object
// {"KEY": VALUE} whose values are strings, numbers or booleans (items in key
// order). null is refused like any other wrong type, and so is a string with
// a NUL byte (a command line and env vars cannot hold one: only JSON can).
func decodeValue(o *option, src source, raw jsonv.Value) (setting, error) {
	s := setting{opt: o, src: src}
	kind := kindOf(raw)
	switch {
	case o.kind == boolKind && raw.Kind == jsonv.Bool:
		s.text = raw.Text
	case o.kind == textKind && raw.Kind == jsonv.String:
		s.text = raw.Text
	case o.kind == textKind && raw.Kind == jsonv.Number && o.numeric():
		s.text = number(raw.Text)
	case o.kind == listKind && (raw.Kind == jsonv.Array || raw.Kind == jsonv.Object && o.keyed()):
		items, err := listItems(o, raw)
		if err != nil {
			return s, src.invalid(string(raw.Raw), err)
		}
		s.items = items
	default:
		want := o.accepts
		switch {
		case o.kind == boolKind:
			want = "true or false"
		case o.kind == listKind:
			want = listWant(o)
		case o.kind == textKind && !o.numeric():
			want = "a string (" + want + ")"
		}
		return s, fileError(src.file, src.key, "want %s, got %s", want, kind)
	}
	if strings.ContainsRune(s.text, 0) || slices.ContainsFunc(s.items, func(it string) bool { return strings.ContainsRune(it, 0) }) {
		return s, fileError(src.file, src.key, `a string holds a NUL byte ("\u0000"), which no argument or environment variable can carry; remove it`)
	}
	return s, nil
}

// errListType is the error of a --set list item of the wrong JSON type.
var errListType = errors.New(`want an array of "KEY=VALUE" strings or an object whose values are strings, numbers or booleans`)

// listWant says what a config file may give for list option o.
func listWant(o *option) string {
	if o.keyed() {
		return `an array of "KEY=VALUE" strings or an object {"KEY": "VALUE"}`
	}
	return "an array of strings, each " + o.accepts
}

// listItems returns the items of list option o given as a JSON array, or as
// a JSON object of "KEY=VALUE" items when o is keyed. An array's null item
// is "" (as encoding/json reads null into a string).
func listItems(o *option, raw jsonv.Value) ([]string, error) {
	if raw.Kind == jsonv.Array {
		items := make([]string, len(raw.Items))
		for i, it := range raw.Items {
			switch it.Kind {
			case jsonv.String:
				items[i] = it.Text
			case jsonv.Null:
			default:
				if o.keyed() {
					return nil, errListType
				}
				return nil, errors.New("want " + listWant(o))
			}
		}
		return items, nil
	}
	obj := members(raw)
	items := make([]string, 0, len(obj))
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		var val string
		switch v := obj[key]; v.Kind {
		case jsonv.String:
			val = v.Text
		case jsonv.Number, jsonv.Bool:
			val = number(v.Text)
		default:
			return nil, errListType
		}
		if strings.Contains(key, "=") {
			return nil, errWant(new(assignment))
		}
		items = append(items, key+"="+val)
	}
	return items, nil
}

// number returns the text of a JSON number without a needless fraction or
// exponent ("2.0" and "2e0" give "2"); other literals are returned as they are.
func number(text string) string {
	if f, err := strconv.ParseFloat(text, 64); err == nil {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return text
}

// kindOf names the JSON type of v, for messages.
func kindOf(v jsonv.Value) string {
	return [...]string{jsonv.Null: "null", jsonv.Bool: "a boolean", jsonv.Number: "a number",
		jsonv.String: "a string", jsonv.Array: "an array", jsonv.Object: "an object"}[v.Kind]
}
