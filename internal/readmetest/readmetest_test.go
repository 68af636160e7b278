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

const codes = `package p

// Shown (README.md, "First"): the
// doc may break the line anywhere.
const (
	A = 1
	B = A + 1
)

// Not named here.
const C = 3

// Words (README.md,
// "Second").
const (
	D = "d"
)
`

func TestConstBlockIsTheBlockThatNamesTheSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.go")
	os.WriteFile(path, []byte(codes), 0o644)
	first := ConstBlock(t, path, "First")
	if len(first) != 2 || first["A"].String() != "1" || first["B"].String() != "2" {
		t.Errorf("First = %v, want A 1 and B 2", first)
	}
	if second := ConstBlock(t, path, "Second"); len(second) != 1 || second["D"].String() != `"d"` {
		t.Errorf("Second = %v, want D \"d\"", second)
	}
}

func TestConstBlockNoneOrTwoIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.go")
	os.WriteFile(path, []byte(codes+"\n// Again (README.md, \"First\").\nconst E = 5\n"), 0o644)
	for section, want := range map[string]string{"First": "two const blocks", "Third": "no const block"} {
		if _, err := constBlock(path, section); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), `"`+section+`"`) {
			t.Errorf("constBlock(%s): err = %v, want %q naming the section", section, err, want)
		}
	}
}
