// Package watch tells spark2's master when the files of a development tree
// change, so that --watch can replace every worker (the readiness-gated rolling
// respawn). It reports debounced bursts, not single events: one editor save, or
// a checkout that touches a thousand files, gives one Change.
//
// # Modes
//
// With Options.Poll zero the Watcher uses inotify (through fsnotify). Every
// directory of a watched tree gets a watch of its own, including directories
// created later; a new directory is scanned once right after its watch is
// added, so files created in it before the watch existed are reported too.
// The parent directory of every watched path is watched as well, so that
// replacing the path itself is seen: an editor's atomic save (write a temp file,
// rename it over the target), a Kubernetes ConfigMap update (the ..data symlink
// re-pointed to a new timestamped directory), a tree deleted and checked out
// again. A watched file that is a symlink into another directory has that
// directory watched too, re-resolved whenever the link changes. Chmod-only
// events are ignored, and so is a new directory by itself (the files in it
// are reported).
//
// With Options.Poll > 0 (for bind mounts that deliver no events) the Watcher
// walks its trees every Poll and compares each file's modification
// time, size and inode (following symlinks) with the previous pass. It keeps
// nothing else: no file contents, one small map entry per file.
//
// When inotify runs out of watches (ENOSPC, fs.inotify.max_user_watches) or
// instances (EMFILE, fs.inotify.max_user_instances), at start or later, the
// Watcher falls back to polling every 500ms and says so once on Warnings, with
// the sysctl that raises the limit.
//
// # Bursts
//
// A Change is sent once no change has come for Options.Debounce; a stream of
// changes that never pauses that long still gives a Change every 10 Debounce
// times (2s at least), so that a file written non-stop is seen, and named, in
// the log. Paths are absolute: a file's path under its watched root (a
// directory moved away is named itself in events mode, and by its files when
// polling). A receiver slower than the bursts gets them merged into one
// Change.
//
// # Ignored files
//
// Ignored holds the rules, the same for both modes: a path is ignored when one
// of its components is .git or node_modules, or an editor's swap, backup or
// probe file (*.swp, *.swx, *~, .#*, #*#, 4913, *.tmp), or matches one of the
// extra patterns of Options.Ignore. Ignored directories are not descended into,
// which also keeps node_modules from eating inotify watches. ConfigMap entries
// (..data, ..2024_01_02_03_04_05.123) are not ignored.
package watch
