package jsonv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// plain turns v into what encoding/json's Decoder with UseNumber gives:
// maps (the last of repeated keys wins), slices, strings, json.Number,
// bools and nil.
func plain(v Value) any {
	switch v.Kind {
	case Bool:
		return v.Text == "true"
	case Number:
		return json.Number(v.Text)
	case String:
		return v.Text
	case Array:
		out := []any{}
		for _, it := range v.Items {
			out = append(out, plain(it))
		}
		return out
	case Object:
		out := map[string]any{}
		for _, m := range v.Members {
			out[m.Key] = plain(m.Value)
		}
		return out
	}
	return nil
}

// viaEncodingJSON is b as encoding/json reads it, or its error.
func viaEncodingJSON(b []byte) (any, error) {
	var v any
	if err := json.Unmarshal(b, new(json.RawMessage)); err != nil { // the syntax check alone
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// agree fails t unless Parse and encoding/json read b alike: both accept it
// with the same content and raw bytes, or both refuse it with the same
// message at the same offset.
func agree(t *testing.T, b []byte) {
	t.Helper()
	got, err := Parse(b)
	want, wantErr := viaEncodingJSON(b)
	switch {
	case err != nil && wantErr != nil:
		var syn *SyntaxError
		var wantSyn *json.SyntaxError
		if !errors.As(err, &syn) || !errors.As(wantErr, &wantSyn) || syn.Error() != wantSyn.Error() || syn.Offset != wantSyn.Offset {
			t.Fatalf("%q: error %v (%+v), encoding/json %v (%+v)", b, err, syn, wantErr, wantSyn)
		}
	case err != nil || wantErr != nil:
		t.Fatalf("%q: Parse error %v, encoding/json error %v", b, err, wantErr)
	case !reflect.DeepEqual(plain(got), want):
		t.Fatalf("%q: Parse %#v, encoding/json %#v", b, plain(got), want)
	case !bytes.Equal(got.Raw, bytes.TrimSpace(b)):
		t.Fatalf("%q: Raw %q", b, got.Raw)
	}
}

var samples = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e-3`, `true`, `false`, `null`, ` {"a":1} `,
	`{"a":[1,{"b":null}],"a":"again"}`, `["\u00e9\ud83d\ude00\ud800x\udc00\\/\b\f\n\r\t\""]`,
	"\"\xff\xfe\"", `"é"`, `{"k":"v",}`, `[1,]`, `[01]`, `-`, `1.`, `1e`, `1e+`, `.5`, `+1`,
	`tru`, `nul`, `{"a" 1}`, `{a:1}`, `"\x01"`, `"\q"`, `"\u12g4"`, `[1 2]`, `{} {}`, ``, ` `,
	`"abc`, `[`, `{"a":`, "\"\t\"", `'x'`, "\x7f", "[\xc3\xa9]", `{"format":1,"pid":42}`,
}

func TestParseAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range samples {
		agree(t, []byte(s))
	}
}

// TestParseDepth: nesting deeper than encoding/json's limit is refused as
// it refuses it; at the limit, a document is read.
func TestParseDepth(t *testing.T) {
	for _, open := range []string{"[", `{"a":`} {
		agree(t, bytes.Repeat([]byte(open), maxDepth))
		agree(t, bytes.Repeat([]byte(open), maxDepth+1))
	}
	agree(t, append(bytes.Repeat([]byte("["), maxDepth), bytes.Repeat([]byte("]"), maxDepth)...))
}

func FuzzParseAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { agree(t, b) })
}

func ExampleParse() {
	v, _ := Parse([]byte(`{"pid": 42, "command": ["sleep", "1"]}`))
	for _, m := range v.Members {
		fmt.Println(m.Key, string(m.Value.Raw))
	}
	// Output:
	// pid 42
	// command ["sleep", "1"]
}
