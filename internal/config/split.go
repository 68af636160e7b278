package config

import (
	"slices"
	"strings"
)

// commandLine is spark2's arguments split into its options and the COMMAND.
type commandLine struct {
	flags   []setting // the options' values, in the order given
	command []string  // COMMAND and its arguments; nil when none
	help    bool      // -h/--help was given
	version bool      // -V/--version was given (and not =false)
}

// split walks args: options end at "--" (which is dropped) or at the first
// word that is not an option ("-" alone is a word); the rest is the COMMAND.
// An option is --long or -s (one letter), and its value is either attached
// with "=" (--workers=2, -n=2) or the next word, whatever it looks like
// (-n -3 gives the value "-3"), except "--". A boolean option takes no next
// word; "=" may give it a value (--verbose=false). -n3 and -vK are not
// supported, as in go-arg. It fails on an unknown option or a missing value,
// and does not validate values: overlay does.
func split(t *table, args []string) (commandLine, error) {
	var cl commandLine
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			cl.command = slices.Clone(args[i+1:])
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			cl.command = slices.Clone(args[i:])
			break
		}
		name, val, attached := strings.Cut(arg, "=")
		if !attached && (name == "-h" || name == "--help") {
			cl.help = true
			continue
		}
		o := t.lookup(name)
		if o == nil {
			return cl, unknownOption(t, arg, name)
		}
		if o.kind != boolKind && !attached {
			if i+1 == len(args) || args[i+1] == "--" {
				return cl, usageErrorf("missing value for %s: want %s", o.flagName(), o.accepts)
			}
			i++
			val = args[i]
		} else if o.kind == boolKind && !attached {
			val = "true"
		}
		if o.long == keyVersion {
			on, err := parseBool(val)
			if err != nil {
				return cl, source{flag: o.flagName()}.invalid(val, err)
			}
			cl.version = on
			continue
		}
		s := setting{opt: t.canonical(o), src: source{flag: o.flagName()}, text: val}
		if o.kind == listKind {
			s.items = []string{val}
		}
		cl.flags = append(cl.flags, s)
	}
	if len(cl.command) > 0 && cl.command[0] == "" && !cl.help {
		return cl, usageErrorf(`the COMMAND's program is "" (an empty word): give the program to run, or no COMMAND to run the node app`)
	}
	return cl, nil
}

// lookup finds the option spelled name ("--workers" or "-n"); nil if none.
func (t *table) lookup(name string) *option {
	if long, ok := strings.CutPrefix(name, "--"); ok {
		return t.byLong[long]
	}
	if len(name) == 2 {
		return t.byShort[name[1:]]
	}
	return nil
}

// unknownOption is the error of arg, an option that split does not know.
func unknownOption(t *table, arg, name string) *UsageError {
	if len(name) > 2 && name[1] != '-' {
		if o := t.byShort[name[1:2]]; o != nil {
			if o.kind == boolKind {
				return usageErrorf("unknown option %s: short options do not combine; write each one apart, e.g. -%s %s", arg, o.short, "-"+name[2:3])
			}
			return usageErrorf("unknown option %s: write -%s %s or -%s=%s", arg, o.short, name[2:], o.short, name[2:])
		}
	}
	return usageErrorf("unknown option %s; see spark2 --help", name)
}
