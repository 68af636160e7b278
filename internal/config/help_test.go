package config

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/spark2/spark2/internal/contract"
)

// helpEntry returns the part of help that describes option o: from its
// "--long" line up to the next option's line.
func helpEntry(help string, o *option) string {
	start := -1
	for _, end := range []string{" ", ",", "\n"} { // --watch is not --watchdog
		if i := strings.Index(help, "\n  --"+o.long+end); i >= 0 {
			start = i
			break
		}
	}
	if start < 0 {
		return ""
	}
	rest := help[start+1:]
	if end := strings.Index(rest[1:], "\n  -"); end >= 0 {
		return rest[:end+1]
	}
	return rest
}

func TestHelpListsEveryOption(t *testing.T) {
	r, _, err := parseIn(t, world{}, "--help")
	if err != nil || r.Action != ActionHelp {
		t.Fatalf("--help: action %v, err %v", r.Action, err)
	}
	tab, _ := loadTable()
	for _, o := range tab.options {
		entry := helpEntry(r.Help, o)
		if entry == "" {
			t.Errorf("help lacks --%s", o.long)
			continue
		}
		if o.short != "" && !strings.Contains(entry, "-"+o.short) {
			t.Errorf("help of --%s lacks -%s: %q", o.long, o.short, entry)
		}
		if o.env != "" && !strings.Contains(entry, "env: "+o.env) {
			t.Errorf("help of --%s lacks its env var %s: %q", o.long, o.env, entry)
		}
		switch {
		case o.def != "":
			if !strings.Contains(entry, "default: "+o.def) {
				t.Errorf("help of --%s lacks its default %q: %q", o.long, o.def, entry)
			}
		case o.alias == "" && fileOnlyCommandLine[o.long] == "" && !strings.Contains(entry, "by default") && !strings.Contains(entry, "(default: "):
			// An option with no default tag says what it defaults to, unless
			// it is a command-line action or modifier such as -V or --json.
			t.Errorf("help of --%s says nothing of its default: %q", o.long, entry)
		}
	}
	for _, want := range []string{Usage(), "--help, -h", "NODE_ENV", "NO_COLOR", `"--"`, "environments", "first word that is not an option",
		"start no server", "--probe live|ready", "livenessProbe", "no COMMAND", "--watch-path implies --watch",
		"default: $XDG_RUNTIME_DIR or $TMPDIR or /tmp, /spark2-<uid>/status-<port>-<hash>.json"} {
		if !strings.Contains(r.Help, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if strings.Count(r.Help, "Usage:") != 1 {
		t.Errorf("help has %d usage lines, want 1", strings.Count(r.Help, "Usage:"))
	}
}

func TestUsage(t *testing.T) {
	if u := Usage(); !strings.HasPrefix(u, "Usage: spark2 ") || strings.Contains(u, "\n") {
		t.Errorf("Usage() = %q", u)
	}
}

func TestDocListsEveryOption(t *testing.T) {
	// doc.go is the reference: every option, env var and default must be in it.
	doc := readDoc(t)
	tab, _ := loadTable()
	for _, o := range tab.options {
		for _, want := range []string{"--" + o.long, o.env} {
			if !strings.Contains(doc, want) {
				t.Errorf("doc.go lacks %q", want)
			}
		}
		if o.def != "" && o.def != defaultNone && o.long != keyConfig && !strings.Contains(doc, o.def) {
			t.Errorf("doc.go lacks the default %q of --%s", o.def, o.long)
		}
	}
	for name := range contract.Reserved {
		if !strings.Contains(doc, name) {
			t.Errorf("doc.go lacks the reserved --set key %s", name)
		}
	}
}

func TestTableRejectsUnspelledOptions(t *testing.T) {
	for _, v := range []any{
		struct {
			Workers int `arg:"-n"`
		}{},
		struct {
			Workers string `arg:"--workers,env"`
		}{},
		struct {
			Workers string `arg:"--workers,required"`
		}{},
		struct {
			A bool `arg:"--a"`
			B bool `arg:"--a"`
		}{},
		struct {
			Mode envValue `arg:"--mode" alias:"nothing"`
		}{},
	} {
		if _, err := newTable(reflect.TypeOf(v)); err == nil {
			t.Errorf("newTable(%T): no error", v)
		}
	}
}

// readDoc returns the text of doc.go; tests run in the package directory.
func readDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
