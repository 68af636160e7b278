package nodeapp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// appFiles are the files Find looks for, in order of preference (the seed's).
var appFiles = []string{"app.js", "server.js"}

// Find returns the absolute path of app.js, else server.js, in dir ("" means
// the working directory); a directory with one of those names does not count.
// With neither, the error's message is the seed-style line
// "app not found: no app.js or server.js in <abs dir>; give a COMMAND to run, or -C DIR",
// which spark2 prints after "spark2: " before exiting 2. A dir that does not
// exist gives "app not found: no directory <abs dir>; ..." likewise; any
// other failure to look (a permission error) is "app not found: <the error>",
// wrapping it.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("app not found: %w", err)
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("app not found: no directory %s; give a COMMAND to run, or -C DIR", abs)
	}
	for _, name := range appFiles {
		path := filepath.Join(abs, name)
		info, err := os.Stat(path)
		switch {
		case err == nil && !info.IsDir():
			return path, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("app not found: %w", err)
		}
	}
	return "", fmt.Errorf("app not found: no app.js or server.js in %s; give a COMMAND to run, or -C DIR", abs)
}
