package config

import (
	"fmt"
	"strings"

	"github.com/spark2/spark2/internal/contract"
)

// assignment is one --set item, "KEY=VALUE", exported to every worker. KEY
// matches [A-Za-z_][A-Za-z0-9_]* and is not one of the variables that
// spark2 sets for each worker itself (contract.Reserved, which says why);
// VALUE is anything, "" and "=" included, as long as the whole item fits a
// worker's environment (contract.MaxEnvLen).
type assignment string

// keyed: a config file may give --set as an object {"KEY": VALUE}.
func (*assignment) keyed() {}

func (*assignment) accepts() string {
	return "KEY=VALUE with KEY made of A-Z a-z 0-9 _, not starting with a digit"
}

func (a *assignment) UnmarshalText(b []byte) error {
	key, _, ok := strings.Cut(string(b), "=")
	if !ok || !isEnvKey(key) {
		return errWant(a)
	}
	if why, reserved := contract.Reserved[key]; reserved {
		return fmt.Errorf("%s is reserved: %s", key, why)
	}
	if len(b) > contract.MaxEnvLen {
		return fmt.Errorf("%s=VALUE is %d bytes, and Linux passes at most %d to a program's environment (MAX_ARG_STRLEN): shorten it, or put it in a file the workers read", key, len(b), contract.MaxEnvLen)
	}
	*a = assignment(b)
	return nil
}

// isEnvKey reports whether key matches [A-Za-z_][A-Za-z0-9_]*.
func isEnvKey(key string) bool {
	if key == "" || key[0] >= '0' && key[0] <= '9' {
		return false
	}
	return strings.IndexFunc(key, func(r rune) bool { return !isWordRune(r) }) < 0
}
