package e2e

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// helpOption is one option as `spark2 --help` lists it.
type helpOption struct {
	names []string // "--workers", "-n"
	def   string   // "" when --help gives no default
	env   string   // "SPARK2_WORKERS", "" for command-line only
	text  string   // the whole entry, description included
}

var (
	helpBracket = regexp.MustCompile(`\[(?:default: (.*?))?(?:, )?(?:env: (SPARK2_[A-Z_]+))?\]$`)
	optionWord  = regexp.MustCompile(`(?:^|[\s,(\[])(--?[a-zA-Z][a-zA-Z-]*)`)
	envWord     = regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*\b`)
)

// helpOptions parses the Options section of `spark2 --help`, by long name.
func helpOptions(t *testing.T) map[string]*helpOption {
	t.Helper()
	code, help, stderr := cli(t, t.TempDir(), nil, "--help")
	if code != 0 {
		t.Fatalf("--help: exit %d, %s", code, stderr)
	}
	_, sec, _ := strings.Cut(help, "\nOptions:\n")
	sec, _, _ = strings.Cut(sec, "\n\n")
	opts := map[string]*helpOption{}
	var cur *helpOption
	for _, l := range strings.Split(sec, "\n") {
		if strings.HasPrefix(l, "  -") {
			head, _, _ := strings.Cut(strings.TrimSpace(l), "  ")
			cur = &helpOption{}
			for _, alt := range strings.Split(head, ", ") {
				cur.names = append(cur.names, strings.Fields(alt)[0])
			}
			opts[cur.names[0]] = cur
		}
		if cur == nil {
			t.Fatalf("--help's Options start with %q", l)
		}
		cur.text += " " + strings.TrimSpace(l)
	}
	for _, o := range opts {
		if m := helpBracket.FindStringSubmatch(o.text); m != nil {
			o.def, o.env = m[1], m[2]
		}
	}
	return opts
}

// readmeDefault is a README default in --help's words: "off" is false,
// "unchanged" is none, a parenthesis is a remark.
func readmeDefault(d string) string {
	d, _, _ = strings.Cut(d, " (")
	switch d {
	case "off":
		return "false"
	case "unchanged":
		return "none"
	case "all interfaces":
		return "*"
	}
	return d
}

// TestReadmeOptionsTableIsTheBinarys: README's options table (Usage) lists
// every option of `spark2 --help`, each once, with the same short names, the
// same SPARK2_* env vars (and the fallbacks PORT, NODE_ENV, NO_COLOR that
// --help names too) and the same default; a row for an option --help lacks
// fails too.
func TestReadmeOptionsTableIsTheBinarys(t *testing.T) {
	help := helpOptions(t)
	seen := map[string]bool{}
	for _, row := range readmeTable(t, "Usage") {
		if len(row) != 4 {
			t.Fatalf("README options row %q: want 4 cells", row)
		}
		var longs, names []string
		for _, chunk := range strings.Split(row[0], "`")[1:] {
			for _, m := range optionWord.FindAllStringSubmatch(chunk, -1) {
				names = append(names, m[1])
				if strings.HasPrefix(m[1], "--") {
					longs = append(longs, m[1])
				}
			}
		}
		if len(longs) == 0 {
			t.Fatalf("README options row %q names no option", row[0])
		}
		var helpEnvs, helpNames []string
		texts := ""
		envs := envWord.FindAllString(row[1], -1)
		for _, long := range longs {
			o := help[long]
			if o == nil {
				t.Errorf("README lists %s, which spark2 --help does not", long)
				continue
			}
			if seen[long] {
				t.Errorf("README lists %s in two rows", long)
			}
			seen[long] = true
			helpNames = append(helpNames, o.names...)
			if o.env != "" {
				helpEnvs = append(helpEnvs, o.env)
			}
			texts += o.text
			if row[2] != "" && o.def != "" && readmeDefault(row[2]) != o.def {
				t.Errorf("README's default of %s is %q; --help says %q", long, row[2], o.def)
			}
		}
		var spark2Envs []string
		for _, e := range envs {
			switch {
			case strings.HasPrefix(e, "SPARK2_"):
				spark2Envs = append(spark2Envs, e)
			case !strings.Contains(texts, "env "+e):
				t.Errorf("README says %v also come from env %s; --help does not say so", longs, e)
			}
		}
		slices.Sort(names)
		slices.Sort(helpNames)
		if !slices.Equal(names, helpNames) {
			t.Errorf("README row %q names %v; --help has %v", row[0], names, helpNames)
		}
		slices.Sort(spark2Envs)
		slices.Sort(helpEnvs)
		if !slices.Equal(spark2Envs, helpEnvs) {
			t.Errorf("README row %q: env %v; --help says %v", row[0], spark2Envs, helpEnvs)
		}
	}
	for long := range help {
		if !seen[long] {
			t.Errorf("spark2 --help has %s, which README's options table lacks", long)
		}
	}
}
