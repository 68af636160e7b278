package readmetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// module makes a module whose README.md is readme, and runs the test from
// a package directory two levels below its root, as the tree's tests run.
func module(t *testing.T, readme string) {
	root := t.TempDir()
	pkg := filepath.Join(root, "internal", "pkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/m\n"), 0o644)
	os.WriteFile(filepath.Join(root, "README.md"), []byte(readme), 0o644)
	t.Chdir(pkg)
}

const readme = "# m\n\nintro\n\n## First\n\none\n\n### Sub\n\ntwo\n\n## Second\n\nthree\n"

func TestSectionRunsToTheNextHeadingOfItsLevel(t *testing.T) {
	module(t, readme)
	if got, want := Section(t, "First"), "\none\n\n### Sub\n\ntwo\n"; got != want {
		t.Errorf("Section(First) = %q, want %q", got, want)
	}
	if got, want := Section(t, "Second"), "\nthree\n"; got != want {
		t.Errorf("Section(Second) = %q, want %q", got, want)
	}
}

func TestSectionMissingIsAnError(t *testing.T) {
	module(t, readme)
	for _, name := range []string{"Third", "Sub", "Firs"} {
		if _, err := section(name); err == nil || !strings.Contains(err.Error(), `"`+name+`"`) {
			t.Errorf("section(%q): err = %v, want one naming the section", name, err)
		}
	}
}

func TestSectionOutsideAModuleIsAnError(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := section("First"); err == nil || !strings.Contains(err.Error(), "go.mod") {
		t.Fatalf("err = %v, want one saying there is no go.mod", err)
	}
}
