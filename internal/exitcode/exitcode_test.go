package exitcode

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spark2/spark2/internal/readmetest"
)

// block returns the codes of exitcode.go's const block whose doc comment
// names README.md's section.
func block(t *testing.T, section string) map[string]int {
	t.Helper()
	codes := map[string]int{}
	for name, v := range readmetest.ConstBlock(t, "exitcode.go", section) {
		n, _ := constant.Int64Val(v)
		codes[name] = int(n)
	}
	return codes
}

// codeWord is a code in README's table: "137", or "128+N" (SignalBase).
var codeWord = regexp.MustCompile(`\b(\d+)(\+N)?\b`)

// TestReadmeExitCodesAreTheTable (issue 13 item 2): README's "Exit codes"
// table lists exactly the codes of the server block, each once, and its
// 128+N is SignalBase.
func TestReadmeExitCodesAreTheTable(t *testing.T) {
	server := block(t, "Exit codes")
	var readme []int
	base := -1
	rows := 0
	for _, l := range strings.Split(readmetest.Section(t, "Exit codes"), "\n") {
		cells := strings.Split(strings.Trim(l, "|"), "|")
		if !strings.HasPrefix(l, "|") || len(cells) != 2 || strings.HasPrefix(cells[0], "---") || strings.TrimSpace(cells[1]) == "code" {
			continue
		}
		rows++
		for _, m := range codeWord.FindAllStringSubmatch(cells[1], -1) {
			n, _ := strconv.Atoi(m[1])
			if m[2] != "" {
				base = n
				continue
			}
			if slices.Contains(readme, n) && n != OK { // 0 is also "else 0" of the 128+N row
				t.Errorf("README's exit code %d is in two rows", n)
			}
			if !slices.Contains(readme, n) {
				readme = append(readme, n)
			}
		}
	}
	if rows == 0 {
		t.Fatal("README's Exit codes section has no table rows")
	}
	if base != SignalBase {
		t.Errorf("README's table says %d+N for a worker killed by signal N; SignalBase is %d", base, SignalBase)
	}
	var want []int
	for name, v := range server {
		if slices.Contains(want, v) {
			t.Errorf("exit code %d is defined twice (%s)", v, name)
		}
		want = append(want, v)
		if !slices.Contains(readme, v) {
			t.Errorf("%s = %d is not in README's Exit codes table", name, v)
		}
	}
	for _, n := range readme {
		if !slices.Contains(want, n) {
			t.Errorf("README's Exit codes table has %d, which internal/exitcode does not define", n)
		}
	}
}

// probeCodes finds "N what" after "Other exit codes:" in README's Status
// section: ": 1 unhealthy (...), 3 not running (...), 4 the status file...".
var probeCodes = regexp.MustCompile(`(?:^|[:,] )(\d+) [a-z]`)

// TestReadmeProbeExitCodesAreTheTable: the probes' exit codes in README's
// "Status and probes" (the table's "exit 0 when", then "Other exit codes")
// are those of the probe block, which has OK's 0 for a pass.
func TestReadmeProbeExitCodesAreTheTable(t *testing.T) {
	probe := block(t, "Status and probes")
	sec := readmetest.Section(t, "Status and probes")
	if !strings.Contains(sec, "| exit 0 when |") {
		t.Errorf("README's probe table has no \"exit 0 when\" column; a passing probe exits OK = %d", OK)
	}
	_, other, ok := strings.Cut(sec, "Other exit codes:")
	if !ok {
		t.Fatal(`README's Status and probes section has no "Other exit codes:"`)
	}
	other, _, _ = strings.Cut(other, "\n\n")
	var readme []int
	for _, m := range probeCodes.FindAllStringSubmatch(strings.TrimSpace(strings.ReplaceAll(other, "\n", " ")), -1) {
		n, _ := strconv.Atoi(m[1])
		readme = append(readme, n)
	}
	var want []int
	for _, v := range probe {
		want = append(want, v)
	}
	slices.Sort(readme)
	slices.Sort(want)
	if !slices.Equal(readme, want) {
		t.Errorf("README's other probe exit codes are %v; internal/exitcode's probe block has %v", readme, want)
	}
}

// TestNoOtherExitCodeConstants: exit codes are defined here only (issue 13
// item 2): no package of spark2 declares a constant named Exit*, and a
// package that names the probe verdicts takes their values from here.
func TestNoOtherExitCodeConstants(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || filepath.Base(filepath.Dir(path)) == "exitcode" {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				for _, id := range s.(*ast.ValueSpec).Names {
					if strings.HasPrefix(id.Name, "Exit") {
						t.Errorf("%s: constant %s: exit codes belong in internal/exitcode", fset.Position(id.Pos()), id.Name)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
