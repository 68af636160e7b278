package launch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exe := write("app", 0o755)
	noexec := write("script.sh", 0o644)
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "twice"), []byte("x"), 0o644) // first in PATH, not executable
	os.WriteFile(filepath.Join(dir, "twice"), []byte("x"), 0o755)
	path := []string{"PATH=" + other + ":" + dir}
	cases := []struct {
		name string
		env  []string
		code int // 0: runs
		want string
	}{
		{exe, nil, 0, ""},
		{"app", path, 0, ""},
		{"twice", path, 0, ""}, // a later PATH entry that works wins, as in a shell
		{"sh", []string{"PATH=/usr/bin:/bin"}, 0, ""},
		{"app", []string{"PATH=/nonexistent"}, 127, "exec app: not found (PATH=/nonexistent)"},
		{"app", nil, 127, "not found (PATH=)"},
		{filepath.Join(dir, "missing"), nil, 127, "no such file"},
		{filepath.Join(exe, "x"), nil, 127, "no such file"},
		{noexec, nil, 126, "is not executable"},
		{"script.sh", path, 126, "is not executable"},
		{sub, nil, 126, "is a directory"},
		{"sub", path, 127, "exec sub: not found"}, // a directory in PATH is skipped, as bash skips it
		{".", path, 127, "exec .: not found"},     // not the PATH entry itself
		{"/dev/null", nil, 126, "not a regular file"},
	}
	for _, c := range cases {
		err := Check(c.name, c.env)
		if c.code == 0 {
			if err != nil {
				t.Errorf("Check(%q, %v) = %v, want nil", c.name, c.env, err)
			}
			continue
		}
		var ee *ExecError
		if !errors.As(err, &ee) || ee.Code != c.code || !strings.Contains(ee.Msg, c.want) || strings.Contains(ee.Msg, "\n") {
			t.Errorf("Check(%q, %v) = %v, want code %d and one line with %q", c.name, c.env, err, c.code, c.want)
		}
	}
}
