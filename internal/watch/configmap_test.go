package watch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// configMap lays out dir the way the kubelet mounts a ConfigMap: the data in a
// timestamped directory, ..data pointing at it, each key a symlink through
// ..data.
func configMap(t *testing.T, dir, stamp, content string) {
	t.Helper()
	write(t, filepath.Join(dir, stamp, "app.yaml"), content)
	mustSymlink(t, stamp, filepath.Join(dir, "..data"))
	mustSymlink(t, filepath.Join("..data", "app.yaml"), filepath.Join(dir, "app.yaml"))
}

// swapConfigMap updates it the way the kubelet does: a new timestamped
// directory, a ..data_tmp symlink to it renamed over ..data, the old
// directory removed.
func swapConfigMap(t *testing.T, dir, oldStamp, newStamp, content string) {
	t.Helper()
	write(t, filepath.Join(dir, newStamp, "app.yaml"), content)
	mustSymlink(t, newStamp, filepath.Join(dir, "..data_tmp"))
	mustRename(t, filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data"))
	mustRemove(t, filepath.Join(dir, oldStamp))
}

func TestConfigMapSymlinkSwap(t *testing.T) {
	for _, m := range modes {
		for _, key := range []bool{false, true} {
			name := m.name + "/directory"
			if key {
				name = m.name + "/key"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				configMap(t, dir, "..2024_01_02_03_04_05.000000001", "v: 1")
				path, want := dir, filepath.Join(dir, "..data")
				if key {
					path, want = filepath.Join(dir, "app.yaml"), filepath.Join(dir, "app.yaml")
				}
				w := start(t, Options{Paths: []string{path}, Poll: m.poll})
				swapConfigMap(t, dir, "..2024_01_02_03_04_05.000000001", "..2024_06_07_08_09_10.000000002", "v: 2")
				seen := waitFor(t, w, want)
				if key && !slices.Equal(seen, []string{want}) {
					t.Fatalf("Changes named %v, want only %s", seen, want)
				}
			})
		}
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestWatchedSymlinkIntoAnotherDirectory(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			app, shared, other := tree(t), tree(t, "config.json"), tree(t, "config.json")
			link := filepath.Join(app, "config.json")
			mustSymlink(t, filepath.Join(shared, "config.json"), link)
			w := start(t, Options{Paths: []string{link}, Poll: m.poll})
			write(t, filepath.Join(shared, "config.json"), "written in place")
			waitFor(t, w, link)
			// Re-pointed into a third directory, which is then written in place.
			mustSymlink(t, filepath.Join(other, "config.json"), link+".new")
			mustRename(t, link+".new", link)
			waitFor(t, w, link)
			write(t, filepath.Join(other, "config.json"), "written in place, longer")
			waitFor(t, w, link)
		})
	}
}
