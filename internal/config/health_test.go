package config

import (
	"reflect"
	"testing"
	"time"
)

// TestHealthOptionsEveryLayer gives --watchdog, --max-lifetime and
// --max-memory from each layer alone and expects the same Config.
func TestHealthOptionsEveryLayer(t *testing.T) {
	type health struct {
		Watchdog, Lifetime time.Duration
		Memory             uint64
	}
	get := func(c Config) health { return health{c.Watchdog, c.MaxLifetime, c.MaxMemory} }
	for _, tc := range []struct {
		name  string
		flags []string
		env   map[string]string
		json  string
		want  health
	}{
		{"defaults: off", nil, nil, `"workers": 1`, health{}},
		{"watchdog", []string{"--watchdog", "1500ms"}, map[string]string{"SPARK2_WATCHDOG": "1.5s"}, `"watchdog": "1500ms"`,
			health{Watchdog: 1500 * time.Millisecond}},
		{"watchdog 100ms", []string{"--watchdog=100ms"}, map[string]string{"SPARK2_WATCHDOG": "100ms"}, `"watchdog": "0.1s"`,
			health{Watchdog: 100 * time.Millisecond}},
		{"max-lifetime", []string{"--max-lifetime", "1h30m"}, map[string]string{"SPARK2_MAX_LIFETIME": "90m"}, `"max-lifetime": "5400s"`,
			health{Lifetime: 90 * time.Minute}},
		{"max-memory MiB", []string{"--max-memory", "512MiB"}, map[string]string{"SPARK2_MAX_MEMORY": "512Mi"}, `"max-memory": "0.5GiB"`,
			health{Memory: 512 << 20}},
		{"max-memory M", []string{"--max-memory", "300M"}, map[string]string{"SPARK2_MAX_MEMORY": "300MB"}, `"max-memory": "0.3G"`,
			health{Memory: 300e6}},
		{"max-memory 1GiB", []string{"--max-memory", "1GiB"}, map[string]string{"SPARK2_MAX_MEMORY": "1073741824B"}, `"max-memory": "1Gi"`,
			health{Memory: 1 << 30}},
		{"all off", []string{"--watchdog", "0", "--max-lifetime", "0", "--max-memory", "0"},
			map[string]string{"SPARK2_WATCHDOG": "0", "SPARK2_MAX_LIFETIME": "0", "SPARK2_MAX_MEMORY": "0"},
			`"watchdog": "0", "max-lifetime": "0", "max-memory": "0"`, health{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, layer := range []struct {
				name string
				w    world
				args []string
			}{
				{"flags", world{}, tc.flags},
				{"env", world{env: tc.env}, nil},
				{"file", file("{" + tc.json + "}"), nil},
				{"section", file(`{"environments": {"development": {` + tc.json + `}}}`), nil},
			} {
				c, _ := mustParse(t, layer.w, layer.args...)
				if got := get(c); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("from %s: got %+v, want %+v", layer.name, got, tc.want)
				}
			}
		})
	}
}

// TestHealthOptionsPrecedence: a flag beats the env var, which beats the file.
func TestHealthOptionsPrecedence(t *testing.T) {
	w := world{env: map[string]string{"SPARK2_WATCHDOG": "2s", "SPARK2_MAX_MEMORY": "2GiB"},
		files: map[string]string{"spark2.json": `{"watchdog": "3s", "max-memory": "3GiB", "max-lifetime": "3h"}`}}
	c, _ := mustParse(t, w, "--watchdog", "1s")
	if c.Watchdog != time.Second || c.MaxMemory != 2<<30 || c.MaxLifetime != 3*time.Hour {
		t.Errorf("got watchdog %v, max-memory %d, max-lifetime %v; want 1s (flag), 2GiB (env), 3h (file)", c.Watchdog, c.MaxMemory, c.MaxLifetime)
	}
}

func TestHealthOptionsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    world
		args []string
		want []string
	}{
		{"max-memory 12XB", world{}, []string{"--max-memory", "12XB"}, []string{`"12XB"`, "--max-memory", "512MiB", "1MiB"}},
		{"max-memory unit-less", world{}, []string{"--max-memory", "512"}, []string{`"512"`, "--max-memory", "at least 1MiB"}},
		{"max-memory negative", world{}, []string{"--max-memory=-1GiB"}, []string{"--max-memory"}},
		{"max-memory too small", world{}, []string{"--max-memory", "100KiB"}, []string{"--max-memory", "at least 1MiB"}},
		{"max-memory empty env", env("SPARK2_MAX_MEMORY", ""), nil, []string{"SPARK2_MAX_MEMORY"}},
		{"max-memory env", env("SPARK2_MAX_MEMORY", "lots"), nil, []string{`"lots"`, "SPARK2_MAX_MEMORY", "512MiB"}},
		{"max-memory file number", file(`{"max-memory": 512}`), nil, []string{"max-memory", "a string"}},
		{"watchdog 50ms", world{}, []string{"--watchdog", "50ms"}, []string{`"50ms"`, "--watchdog", "100ms to 1h"}},
		{"watchdog unit-less", world{}, []string{"--watchdog", "10"}, []string{`"10"`, "--watchdog", "with a unit"}},
		{"watchdog negative", world{}, []string{"--watchdog=-5s"}, []string{`"-5s"`, "--watchdog"}},
		{"watchdog 2h", world{}, []string{"--watchdog", "2h"}, []string{"--watchdog", "1h"}},
		{"watchdog env", env("SPARK2_WATCHDOG", "99ms"), nil, []string{"SPARK2_WATCHDOG", "100ms"}},
		{"watchdog file", file(`{"watchdog": "1"}`), nil, []string{"spark2.json", "watchdog", "with a unit"}},
		{"watchdog file number", file(`{"watchdog": 5}`), nil, []string{"watchdog", "a string"}},
		{"max-lifetime unit-less", world{}, []string{"--max-lifetime", "3600"}, []string{`"3600"`, "--max-lifetime", "with a unit"}},
		{"max-lifetime negative", world{}, []string{"--max-lifetime", "-1h"}, []string{`"-1h"`, "--max-lifetime"}},
		{"max-lifetime 500ms", world{}, []string{"--max-lifetime", "500ms"}, []string{"--max-lifetime", "1s to 10000h"}},
		{"max-lifetime env", env("SPARK2_MAX_LIFETIME", "forever"), nil, []string{"SPARK2_MAX_LIFETIME"}},
		{"max-lifetime section", file(`{"environments": {"development": {"max-lifetime": "1d"}}}`), nil, []string{"max-lifetime", "development"}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantUsageError(t, tc.w, tc.args, tc.want) })
	}
}

func TestParseSize(t *testing.T) {
	for s, want := range map[string]uint64{"0": 0, "1MiB": 1 << 20, "1.5GiB": 3 << 29, "2G": 2e9, "4096k": 4096e3, "1Ti": 1 << 40, "2000000B": 2e6} {
		if got, err := parseSize(s); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "MiB", "12XB", "1.2.3M", "1mib", "0.5KiB", "-1M", "1e9B", " 1M", "1M ", "99999999999T"} {
		if got, err := parseSize(s); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", s, got)
		}
	}
}
