package nodeapp

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		files map[string]string // "" content makes a directory
		want  string            // the file Find returns, or "" for an error
	}{
		{"app.js before server.js", map[string]string{"app.js": "x", "server.js": "x"}, "app.js"},
		{"server.js alone", map[string]string{"server.js": "x"}, "server.js"},
		{"a directory named app.js does not count", map[string]string{"app.js/": "", "server.js": "x"}, "server.js"},
		{"neither", map[string]string{"index.js": "x"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, content := range c.files {
				path := filepath.Join(dir, name)
				var err error
				if content == "" {
					err = os.Mkdir(path, 0o755)
				} else {
					err = os.WriteFile(path, []byte(content), 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			got, err := Find(dir)
			if c.want == "" {
				want := "app not found: no app.js or server.js in " + dir + "; give a COMMAND to run, or -C DIR"
				if err == nil || err.Error() != want {
					t.Fatalf("Find: %q, %v; want error %q", got, err, want)
				}
				return
			}
			if want := filepath.Join(dir, c.want); err != nil || got != want {
				t.Fatalf("Find: %q, %v; want %q", got, err, want)
			}
		})
	}
}

func TestFindRelativeDirGivesAbsolutePath(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "server.js"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if got, err := Find("."); err != nil || got != filepath.Join(dir, "server.js") {
		t.Fatalf("Find(\".\"): %q, %v; want %q", got, err, filepath.Join(dir, "server.js"))
	}
}

func TestFindMissingDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "gone")
	_, err := Find(dir)
	want := "app not found: no directory " + dir + "; give a COMMAND to run, or -C DIR"
	if err == nil || err.Error() != want {
		t.Fatalf("Find: %v; want %q", err, want)
	}
}
