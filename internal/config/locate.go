package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// defaultFile is the config file read when -c/SPARK2_CONFIG is not given.
const defaultFile = "spark2.json"

// configFile is the config file of one run, as found by locateFile.
type configFile struct {
	abs   string // absolute path; "" when there is none
	shown string // path in messages: as given, or spark2.json joined to -C as given
	from  source // the flag or env var that named it; zero for the default
}

// resolveDir returns dir, relative to cwd unless absolute, after checking
// that it names an existing directory; src names it in the error.
func resolveDir(cwd, dir string, src source) (string, error) {
	abs := absPath(cwd, dir)
	fi, err := os.Stat(abs)
	if err != nil {
		e := src.invalid(dir, fmt.Errorf("want an existing directory; %w", errCause(err)))
		e.err = err
		return "", e
	}
	if !fi.IsDir() {
		return "", src.invalid(dir, errors.New("want an existing directory; it is not a directory"))
	}
	return abs, nil
}

// resolveExisting returns p, relative to cwd unless absolute, after checking
// that it names an existing file or directory; src names it in the error.
func resolveExisting(cwd, p string, src source) (string, error) {
	abs := absPath(cwd, p)
	if _, err := os.Stat(abs); err != nil {
		e := src.invalid(p, fmt.Errorf("want an existing file or directory; %w", errCause(err)))
		e.err = err
		return "", e
	}
	return abs, nil
}

// locateFile finds the config file from the winning -c setting among
// layers (flags, then env vars): an explicit file must exist. Without one,
// ./spark2.json is used if it exists, looked up in the -C directory that
// chdir gives (as given and resolved, from the flags or env vars) or else in
// cwd. A relative -c is relative to cwd.
func locateFile(cwd string, chdir setting, chdirAbs string, layers ...[]setting) (configFile, error) {
	if s, ok := highest(keyConfig, layers...); ok {
		var p pathValue
		if err := p.UnmarshalText([]byte(s.text)); err != nil {
			return configFile{}, s.src.invalid(s.text, err)
		}
		return configFile{abs: absPath(cwd, s.text), shown: s.text, from: s.src}, nil
	}
	f := configFile{abs: filepath.Join(cwd, defaultFile), shown: defaultFile}
	if chdirAbs != "" {
		f = configFile{abs: filepath.Join(chdirAbs, defaultFile), shown: filepath.Join(chdir.text, defaultFile)}
	}
	if _, err := os.Stat(f.abs); errors.Is(err, fs.ErrNotExist) {
		return configFile{}, nil
	}
	return f, nil
}

// maxFileSize bounds what spark2 reads of a config file: a spark2.json is
// a few KiB, and -c /dev/zero (or a FIFO that never ends) must be an error,
// not a master that reads until the kernel kills it.
const maxFileSize = 1 << 20

// read returns the contents of f, or a *UsageError naming it.
func (f configFile) read() ([]byte, error) {
	data, err := readConfig(f.abs)
	if err == nil {
		return data, nil
	}
	by := ""
	if f.from != (source{}) {
		by = " (" + f.from.String() + ")"
	}
	var refused *refusedFile
	switch {
	case errors.Is(err, errTooLarge):
		return nil, usageErrorf("read config file %q%s: it is larger than 1 MiB; a spark2 config file is a small JSON object: name the right file", f.shown, by)
	case errors.As(err, &refused):
		return nil, usageErrorf("config file %q%s refused: %v", f.shown, by, refused.why)
	}
	e := usageErrorf("read config file %q%s: %v", f.shown, by, errCause(err))
	e.err = err
	return nil, e
}

// errTooLarge is readConfig's error for a file longer than maxFileSize.
var errTooLarge = errors.New("too large")

// refusedFile is readConfig's error for a file that another user could
// have written (see untrusted).
type refusedFile struct{ why error }

func (r *refusedFile) Error() string { return r.why.Error() }

// readConfig opens the config file at path, checks that no other user
// could have written it, and reads it whole: at most maxFileSize bytes, or
// errTooLarge.
func readConfig(path string) ([]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	if why := untrusted(file, path); why != nil {
		return nil, &refusedFile{why}
	}
	data, err := io.ReadAll(io.LimitReader(file, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, errTooLarge
	}
	return data, nil
}

// absPath returns p relative to cwd unless it is absolute, cleaned.
func absPath(cwd, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(cwd, p)
}

// errCause strips the operation and path from an *fs.PathError, whose path
// the message already names: "no such file or directory".
func errCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
