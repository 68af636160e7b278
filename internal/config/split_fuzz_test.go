package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// argv decodes a fuzz input into arguments: each one ends at a NUL, which no
// argument can hold, and a last one without its NUL counts too. So "" is no
// argument, "\x00" one empty argument, and "-n\x002\x00node" is -n 2 node.
func argv(s string) []string {
	args := strings.Split(s, "\x00")
	if args[len(args)-1] == "" {
		args = args[:len(args)-1]
	}
	return args
}

// commandStart is the package doc's rule, written apart from split: options
// end at "--" (dropped) or at the first word that is not an option ("-"
// alone is a word); an option with a value and no "=" takes the next word,
// whatever it looks like, except "--", which is a missing value. It
// returns where the COMMAND starts in args, or -1 if a value is missing;
// and whether -h/--help was among the options before that.
func commandStart(tab *table, args []string) (start int, help bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return i + 1, help
		case a == "-" || !strings.HasPrefix(a, "-"):
			return i, help
		case a == "-h" || a == "--help":
			help = true
			continue
		}
		name, _, attached := strings.Cut(a, "=")
		if o := tab.lookup(name); o != nil && o.kind != boolKind && !attached {
			if i+1 == len(args) || args[i+1] == "--" {
				return -1, help // a missing value
			}
			i++
		}
	}
	return len(args), help
}

// flagsGiven is what opts, the words before the COMMAND of a command line
// that split accepts, give each option by the package doc: its last value
// ("true" for a boolean without "="), all values of a list option in order,
// and --watch after each --watch-path, which implies it. values are the
// values given, each as {long name, value}; the long name is "" for an
// unknown option and for -V.
func flagsGiven(tab *table, opts []string) (given map[string][]string, values [][2]string) {
	given = map[string][]string{}
	for i := 0; i < len(opts); i++ {
		name, val, attached := strings.Cut(opts[i], "=")
		o := tab.lookup(name)
		switch {
		case opts[i] == "--" || opts[i] == "-h" || opts[i] == "--help":
			continue
		case o == nil || o.long == keyVersion:
			values = append(values, [2]string{"", opts[i]}) // an unknown option; -V, not a setting
			continue
		}
		if !attached && o.kind == boolKind {
			val = "true"
		} else if !attached {
			i++
			val = opts[i]
		}
		long := tab.canonical(o).long
		values = append(values, [2]string{long, val})
		if o.kind != listKind {
			given[long] = []string{val}
			continue
		}
		given[long] = append(given[long], val)
		if long == keyWatchPath {
			given[keyWatch] = []string{"true"}
		}
	}
	return given, values
}

// withDashes is args with "--" inserted where the COMMAND starts, unless
// "--" already ends the options there.
func withDashes(args []string, start int) []string {
	if start > 0 && args[start-1] == "--" {
		return args
	}
	return slices.Concat(args[:start], []string{"--"}, args[start:])
}

// FuzzSplitArgs checks split on random command lines: it fails only with a
// one-line *UsageError and never changes args; on success the COMMAND is
// exactly the words after the options, an explicit "--" there changes
// nothing, and a word appended to the command line lands at the COMMAND's end.
func FuzzSplitArgs(f *testing.F) {
	tab, err := loadTable()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := argv(s)
		orig := slices.Clone(args)
		cl, err := split(tab, args)
		if !slices.Equal(args, orig) {
			t.Fatalf("split changed its args: %q, was %q", args, orig)
		}
		if err != nil {
			checkUsageError(t, err)
			return
		}
		start, help := commandStart(tab, args)
		if start < 0 {
			t.Fatalf("%q: a missing value is accepted: %+v", args, cl)
		}
		if !slices.Equal(cl.command, args[start:]) {
			t.Fatalf("%q: COMMAND %q, want %q", args, cl.command, args[start:])
		}
		if cl.help != help {
			t.Fatalf("%q: help %v, want %v", args, cl.help, help)
		}
		explicit, err := split(tab, withDashes(args, start))
		if err != nil || !reflect.DeepEqual(explicit.flags, cl.flags) || !slices.Equal(explicit.command, cl.command) ||
			explicit.help != cl.help || explicit.version != cl.version {
			t.Fatalf("%q: with an explicit -- gives %+v, %v; without %+v", args, explicit, err, cl)
		}
		longer, err := split(tab, append(slices.Clone(args), "x"))
		if err != nil || !slices.Equal(longer.command, append(slices.Clone(args[start:]), "x")) {
			t.Fatalf("%q + x: COMMAND %q, %v; want %q", args, longer.command, err, append(args[start:], "x"))
		}
	})
}

// FuzzParseArgs checks Parse on random command lines, with no env var and an
// empty working directory: it never panics and never changes args; an error
// is a one-line *UsageError with a zero Result; one option alone is
// accepted exactly when the doc says its value is valid; -h/--help among the
// options gives ActionHelp; a COMMAND whose program is "" is refused;
// otherwise the COMMAND is exactly the words after the options, in an array
// of its own, each option's value means what the doc says, and an explicit
// "--" before the COMMAND changes nothing.
func FuzzParseArgs(f *testing.F) {
	tab, err := loadTable()
	if err != nil {
		f.Fatal(err)
	}
	cwd := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		args := argv(s)
		if slices.ContainsFunc(args, noFileAt) {
			t.Skip("names a device or /proc file")
		}
		orig := slices.Clone(args)
		r, err := fake.parse(args, nil, cwd, nil)
		if !slices.Equal(args, orig) {
			t.Fatalf("Parse changed its args: %q, was %q", args, orig)
		}
		start, help := commandStart(tab, args)
		if start >= 0 && start < len(args) && args[start] == "" && !help {
			if err == nil {
				t.Fatalf("%q: a COMMAND whose program is \"\" is accepted: %+v", args, r)
			}
			checkUsageError(t, err)
			return
		}
		var given map[string][]string
		if start >= 0 && !help {
			var values [][2]string
			given, values = flagsGiven(tab, args[:start])
			if len(values) == 1 {
				valid, known := validity(values[0][0], values[0][1])
				if known && valid != (err == nil) {
					t.Fatalf("%q: valid by the doc %v, but Parse says %v", args, valid, err)
				}
			}
		}
		if err != nil {
			checkUsageError(t, err)
			if !reflect.DeepEqual(r, Result{}) {
				t.Fatalf("%q: error %v with a Result %+v", args, err, r)
			}
			return
		}
		switch {
		case (r.Action == ActionHelp) != help:
			t.Fatalf("%q: action %v, help among the options %v", args, r.Action, help)
		case help:
			if !strings.HasSuffix(r.Help, "\n") || !strings.Contains(r.Help, Usage()) {
				t.Fatalf("%q: help text %q", args, r.Help)
			}
			return
		case start < 0:
			t.Fatalf("%q: a missing value is accepted: %+v", args, r)
		case r.Action == ActionVersion:
			if !reflect.DeepEqual(r.Config, Config{}) {
				t.Fatalf("%q: version with a Config %+v", args, r.Config)
			}
			return
		}
		if !slices.Equal(r.Config.Command, args[start:]) {
			t.Fatalf("%q: COMMAND %q, want %q", args, r.Config.Command, args[start:])
		}
		if r.Action != ActionRun {
			delete(given, keyForce) // Config.Force is false for a control command
		}
		checkMeaning(t, r.Config, given, cwd)
		if len(args[start:]) > 0 {
			args[start] += "!"
			if r.Config.Command[0] == args[start] {
				t.Fatalf("%q: the COMMAND shares its array with args", orig)
			}
			args[start] = orig[start]
		}
		explicit, err := fake.parse(withDashes(args, start), nil, cwd, nil)
		if err == nil && len(explicit.Config.Command) == 0 && len(r.Config.Command) == 0 {
			explicit.Config.Command = r.Config.Command // nil and empty are both no COMMAND
		}
		if err != nil || !reflect.DeepEqual(explicit, r) {
			t.Fatalf("%q: with an explicit -- gives %+v, %v; without %+v", args, explicit, err, r)
		}
	})
}

// TestUnknownOptionIsOneLine: an unknown option is shown as typed, so each
// of Unicode's line breaks in it becomes a space (found by the seeds of
// FuzzSplitArgs: "-x\vy" gave a message on two lines).
func TestUnknownOptionIsOneLine(t *testing.T) {
	for _, r := range lineBreaks {
		_, _, err := parseIn(t, world{}, "--a"+string(r)+"b")
		if want := "unknown option --a b; see spark2 --help"; err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %q", r, err, want)
		}
	}
}
