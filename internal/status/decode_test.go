package status

import (
	"encoding/json"
	"reflect"
	"testing"
)

// decodeSamples are status files, and documents that are not quite, that
// decode must read as encoding/json does.
func decodeSamples(t testing.TB) []string {
	full := string(sampleFile().AppendJSON(nil))
	return []string{
		full, `{}`, `null`, `[]`, `"x"`, `{"format":1,"pid":2}`,
		`{"FORMAT":1,"Pid":2,"pId":3}`,                   // keys in any case; the last wins
		`{"format":1.0}`, `{"format":1e2}`, `{"pid":-0}`, // not integers
		`{"start_time_ticks":-1}`, `{"pid":9223372036854775808}`,
		`{"exit_code":null}`, `{"exit_code":3,"exit_code":null}`, `{"exit_code":"3"}`,
		`{"started":"2026-12-06T23:59:01.12+01:00"}`, `{"started":null}`, `{"started":1}`, `{"started":"yesterday"}`,
		`{"command":["a",null,"b"]}`, `{"command":null}`, `{"command":[1]}`, `{"command":"a"}`,
		`{"workers":[null,{"slot":1,"ready":true,"replaced":{"hung":2}}]}`, `{"workers":[{"ready":"yes"}]}`,
		`{"workers":{}}`, `{"totals":null,"master":{"rss_bytes":5}}`, `{"totals":[]}`,
		`{"unknown":{"deep":[1,2,{"x":null}]},"pid":7}`, `{"state":"running","state":"stopped"}`,
		`{"ſtate":"folded"}`, `{"pid":1} x`, `{"pid":`,
	}
}

// agreeWithUnmarshal fails t unless decode and json.Unmarshal read b
// alike: both fail, or both give the same File.
func agreeWithUnmarshal(t *testing.T, b []byte) {
	t.Helper()
	var got, want File
	err := decode(b, &got)
	wantErr := json.Unmarshal(b, &want)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("%s: decode error %v, json.Unmarshal error %v", b, err, wantErr)
	case err == nil && !reflect.DeepEqual(got, want):
		t.Fatalf("%s:\ndecode         %+v\njson.Unmarshal %+v", b, got, want)
	}
}

func TestDecodeIsUnmarshal(t *testing.T) {
	for _, s := range decodeSamples(t) {
		agreeWithUnmarshal(t, []byte(s))
	}
}

func FuzzDecodeIsUnmarshal(f *testing.F) {
	for _, s := range decodeSamples(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { agreeWithUnmarshal(t, b) })
}
