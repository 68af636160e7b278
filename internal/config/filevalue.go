package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// decodeValue turns the JSON value raw of option o into a setting. A boolean
// option takes true or false (false means false); a text option takes a
// string, or a number when o is numeric (--workers, --port, --user, --group;
// --stop-timeout, --ready, --ready-timeout: a number of seconds); a list
// option takes an array of strings, and --set (keyed) also an object
// {"KEY": VALUE} whose values are strings, numbers or booleans (items in key
// order). null is refused like any other wrong type.
func decodeValue(o *option, src source, raw json.RawMessage) (setting, error) {
	s := setting{opt: o, src: src}
	kind := kindOf(raw)
	switch {
	case o.kind == boolKind && kind == "a boolean":
		s.text = string(bytes.TrimSpace(raw))
	case o.kind == textKind && kind == "a string":
		_ = json.Unmarshal(raw, &s.text)
	case o.kind == textKind && kind == "a number" && o.numeric():
		s.text = number(raw)
	case o.kind == listKind && (kind == "an array" || kind == "an object" && o.keyed()):
		items, err := listItems(o, raw)
		if err != nil {
			return s, src.invalid(string(raw), err)
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
// a JSON object of "KEY=VALUE" items when o is keyed.
func listItems(o *option, raw json.RawMessage) ([]string, error) {
	if kindOf(raw) == "an array" {
		var items []string
		if json.Unmarshal(raw, &items) != nil {
			if o.keyed() {
				return nil, errListType
			}
			return nil, errors.New("want " + listWant(o))
		}
		return items, nil
	}
	var obj map[string]json.RawMessage
	_ = json.Unmarshal(raw, &obj)
	items := make([]string, 0, len(obj))
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		var val string
		switch kindOf(obj[key]) {
		case "a string":
			_ = json.Unmarshal(obj[key], &val)
		case "a number", "a boolean":
			val = number(obj[key])
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
func number(raw json.RawMessage) string {
	s := string(bytes.TrimSpace(raw))
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return s
}

// kindOf names the JSON type of raw, which is valid JSON, for messages.
func kindOf(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
