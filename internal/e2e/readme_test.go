package e2e

import (
	"os"
	"strings"
	"testing"
)

// Tests that hold README.md's tables, which are contracts, to the binary:
// exit codes (exitcode_test.go), options and env vars (options_test.go), the
// worker contract (contract_test.go); the Signals table is TestEverySignal's.

// readmeSection returns the text of README.md's "## name" section.
func readmeSection(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## "+name+"\n")
	if !ok {
		t.Fatalf("README.md has no %q section", name)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	return sec
}

// readmeTable returns the rows of the first table in README.md's section
// name, header and separator left out, as trimmed cells ("\|" inside a
// cell is a "|").
func readmeTable(t *testing.T, name string) [][]string {
	t.Helper()
	var rows [][]string
	header := true
	for _, l := range strings.Split(readmeSection(t, name), "\n") {
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
