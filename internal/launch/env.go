package launch

import (
	"slices"
	"strings"

	"github.com/spark2/spark2/internal/contract"
)

// Env returns a worker's environment: base (spark2's own, normally) without the
// variables of contract.NotInherited, then overrides as With applies them.
// base is not modified.
func Env(base []string, overrides ...string) []string {
	env := make([]string, 0, len(base)+len(overrides))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(contract.NotInherited, k) {
			env = append(env, kv)
		}
	}
	return With(env, overrides...)
}

// With returns env with each "KEY=VALUE" of overrides applied: a KEY already
// there is replaced in place, a new one appended. env is not modified.
func With(env []string, overrides ...string) []string {
	out := make([]string, len(env), len(env)+len(overrides))
	copy(out, env)
	index := make(map[string]int, len(out))
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range overrides {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}
