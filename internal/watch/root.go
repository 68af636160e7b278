package watch

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// root is one of Options.Paths.
type root struct {
	path   string   // clean, absolute
	dir    bool     // a directory, watched recursively; else a single file
	parent string   // the directory holding path, watched too
	target string   // a file root that is a symlink: the directory of what it resolves to, if not parent
	prefix string   // path with a trailing slash: what paths under a directory root start with
	stat   fileStat // a file root's identity at the last look (events mode)
	gone   bool     // its vanishing was reported
}

func newRoot(p string, info fs.FileInfo) *root {
	r := &root{path: p, dir: info.IsDir(), parent: filepath.Dir(p), prefix: p}
	if !strings.HasSuffix(p, "/") {
		r.prefix += "/"
	}
	if !r.dir {
		r.stat = statOf(info)
		r.resolve()
	}
	return r
}

// resolve finds the directory a file root's symlinks lead to, and reports
// whether it differs from the one known.
func (r *root) resolve() bool {
	target := ""
	if real, err := filepath.EvalSymlinks(r.path); err == nil && filepath.Dir(real) != r.parent {
		target = filepath.Dir(real)
	}
	changed := target != r.target
	r.target = target
	return changed
}

// rel returns p relative to a directory root, with forward slashes, and
// whether p is under it at all.
func (r *root) rel(p string) (string, bool) {
	if !r.dir || !strings.HasPrefix(p, r.prefix) {
		return "", false
	}
	return filepath.ToSlash(p[len(r.prefix):]), true
}

// fileStat is what polling compares: a file is changed when one of these is.
type fileStat struct {
	mtime int64 // nanoseconds
	size  int64
	ino   uint64
}

func statOf(info fs.FileInfo) fileStat {
	s := fileStat{mtime: info.ModTime().UnixNano(), size: info.Size()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		s.ino = st.Ino
	}
	return s
}

// statPath returns the identity of the file at p, following symlinks (a
// dangling symlink gives its own), and whether p exists.
func statPath(p string) (fileStat, bool) {
	info, err := os.Stat(p)
	if err != nil {
		if info, err = os.Lstat(p); err != nil {
			return fileStat{}, false
		}
	}
	return statOf(info), true
}
