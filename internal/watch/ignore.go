package watch

import (
	"fmt"
	"path"
	"strings"
)

// builtinNames are directory or file names ignored wherever they appear.
var builtinNames = []string{".git", "node_modules", "4913"} // 4913: vim's probe for a writable directory

// builtinPatterns are the editors' swap, backup and temporary files.
var builtinPatterns = []string{"*.swp", "*.swx", "*~", ".#*", "#*#", "*.tmp"}

// Ignored reports whether rel, a path relative to a watched root with forward
// slashes, is ignored. It is when any of its components is a built-in name
// (.git, node_modules, 4913) or matches a built-in pattern (*.swp, *.swx, *~,
// .#*, #*#, *.tmp), or when any component, or any leading part of rel
// ("a", "a/b", "a/b/c.js" for "a/b/c.js"), matches one of the extra path.Match
// patterns. So an ignored directory ignores everything under it, and an extra
// pattern such as "dist" or "build/gen" ignores a whole subtree. The root itself
// ("" or ".") is never ignored; a malformed extra pattern matches nothing (New
// rejects them).
func Ignored(rel string, extra []string) bool {
	rel = strings.Trim(rel, "/")
	if rel == "" || rel == "." {
		return false
	}
	for start := 0; start <= len(rel); {
		end := strings.IndexByte(rel[start:], '/')
		if end < 0 {
			end = len(rel)
		} else {
			end += start
		}
		if lastIgnored(rel[:end], start, extra) {
			return true
		}
		start = end + 1
	}
	return false
}

// lastIgnored reports whether the last component of rel, the one that starts
// at start, is ignored by itself: the components before it are not looked at.
func lastIgnored(rel string, start int, extra []string) bool {
	name := rel[start:]
	return builtinIgnored(name) || matchAny(extra, name) || (start > 0 && matchAny(extra, rel))
}

func builtinIgnored(name string) bool {
	for _, n := range builtinNames {
		if name == n {
			return true
		}
	}
	return matchAny(builtinPatterns, name)
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// checkPatterns returns an error naming the first malformed pattern.
func checkPatterns(patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("ignore pattern %q: %w", p, err)
		}
	}
	return nil
}
