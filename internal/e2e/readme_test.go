package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spark2/spark2/internal/readmetest"
)

// Tests that hold README.md's tables, which are contracts, to the binary:
// exit codes (exitcode_test.go), options and env vars (options_test.go), the
// worker contract (contract_test.go); the Signals table is TestEverySignal's.

// readmeTable returns the rows of the first table in README.md's section
// name, header and separator left out, as trimmed cells ("\|" inside a
// cell is a "|").
func readmeTable(t *testing.T, name string) [][]string {
	t.Helper()
	var rows [][]string
	header := true
	for _, l := range strings.Split(readmetest.Section(t, name), "\n") {
		if !strings.HasPrefix(l, "|") {
			if len(rows) > 0 || !header {
				break
			}
			continue
		}
		l = strings.ReplaceAll(strings.Trim(l, "|"), `\|`, "\x00")
		var cells []string
		for _, c := range strings.Split(l, "|") {
			cells = append(cells, strings.ReplaceAll(strings.TrimSpace(c), "\x00", "|"))
		}
		switch {
		case header:
			header = false
		case strings.HasPrefix(cells[0], "---"):
		default:
			rows = append(rows, cells)
		}
	}
	if len(rows) == 0 {
		t.Fatalf("README.md's %q section has no table", name)
	}
	return rows
}

// TestSecurityNamesTestsThatExist: every test and fuzz target SECURITY.md
// names exists (a func of that name in a _test.go file of the tree), and
// each of issue 10's items 1 to 3 has a row that names at least one.
func TestSecurityNamesTestsThatExist(t *testing.T) {
	b, err := os.ReadFile("../../SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	defined := map[string]bool{}
	err = filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		for _, m := range testFunc.FindAllStringSubmatch(string(src), -1) {
			defined[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range namedTest.FindAllStringSubmatch(page, -1) {
		if !defined[m[1]] {
			t.Errorf("SECURITY.md names %s, which no _test.go file defines", m[1])
		}
	}
	for item := 1; item <= 3; item++ {
		found := false
		for _, l := range strings.Split(page, "\n") {
			if strings.Contains(l, "(issue 10 item "+strconv.Itoa(item)+")") && namedTest.MatchString(l) {
				found = true
			}
		}
		if !found {
			t.Errorf("SECURITY.md has no row for issue 10 item %d that names its test", item)
		}
	}
}

var (
	testFunc  = regexp.MustCompile(`(?m)^func ((?:Test|Fuzz)[A-Z]\w*)\(`)
	namedTest = regexp.MustCompile("`(?:[a-z]+\\.)?((?:Test|Fuzz)[A-Z]\\w*)`")
)
