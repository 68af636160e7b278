package watch

import (
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// poller is the poll mode's state: the identity of every file seen by the
// last pass, and nothing else.
type poller struct {
	files map[string]*polled
	gen   uint32 // the current pass
	path  []byte // scratch: the path being looked at, so that looking up a file allocates nothing
}

type polled struct {
	fileStat
	gen uint32 // the last pass that saw the file
}

func newPoller() *poller { return &poller{files: make(map[string]*polled)} }

// pass walks every root once and calls report (unless nil: the first pass)
// for each file that was created, changed (modification time, size or inode,
// following symlinks) or removed since the last pass. Ignored paths are
// neither walked nor recorded; directories themselves are not recorded.
func (p *poller) pass(roots []*root, extra []string, report func(string)) {
	p.gen++
	for _, r := range roots {
		if !r.dir {
			if s, ok := statPath(r.path); ok {
				p.path = append(p.path[:0], r.path...)
				p.see(p.files[r.path], s, report)
			}
			continue
		}
		if info, err := os.Stat(r.path); err == nil && info.IsDir() {
			p.walk(r.path, "", extra, report)
		}
	}
	for path, f := range p.files {
		if f.gen != p.gen {
			delete(p.files, path)
			if report != nil {
				report(path)
			}
		}
	}
}

// walk records every file under dir (rel from its root) that is not ignored.
// Symlinks are not followed into directories: a link's own entry records
// what it points to.
func (p *poller) walk(dir, rel string, extra []string, report func(string)) {
	f, err := os.Open(dir)
	if err != nil {
		return // gone or unreadable: its files count as removed
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return
	}
	fd, base := int(f.Fd()), dir+"/"
	if dir == "/" {
		base = dir
	}
	for _, name := range names {
		if builtinIgnored(name) || matchAny(extra, name) || (rel != "" && len(extra) > 0 && matchAny(extra, rel+"/"+name)) {
			continue
		}
		var st unix.Stat_t
		if unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW) != nil {
			continue // removed since it was listed: the sweep reports it
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			p.walk(base+name, path.Join(rel, name), extra, report)
			continue
		case unix.S_IFLNK:
			_ = unix.Fstatat(fd, name, &st, 0) // what it points to; a dangling link keeps its own
		}
		p.path = append(append(p.path[:0], base...), name...)
		p.see(p.files[string(p.path)], fileStat{mtime: st.Mtim.Nano(), size: st.Size, ino: st.Ino}, report)
	}
}

// see records for this pass the file at p.path, known as f (nil: new), with
// its identity s, and reports it if it is new or changed. The path is copied
// to a string only then.
func (p *poller) see(f *polled, s fileStat, report func(string)) {
	switch {
	case f == nil:
		f = &polled{fileStat: s, gen: p.gen}
		p.files[string(p.path)] = f
	case f.gen == p.gen:
		return // seen already through another root
	case f.fileStat == s:
		f.gen = p.gen
		return
	default:
		f.fileStat, f.gen = s, p.gen
	}
	if report != nil {
		report(string(p.path))
	}
}
