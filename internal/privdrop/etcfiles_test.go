package privdrop

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// withFiles points the lookups at a passwd and a group file with the given
// contents for the rest of the test.
func withFiles(t *testing.T, passwd, group string) {
	t.Helper()
	dir := t.TempDir()
	p, g := filepath.Join(dir, "passwd"), filepath.Join(dir, "group")
	if err := os.WriteFile(p, []byte(passwd), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(g, []byte(group), 0o644); err != nil {
		t.Fatal(err)
	}
	oldP, oldG := passwdFile, groupFile
	passwdFile, groupFile = p, g
	t.Cleanup(func() { passwdFile, groupFile = oldP, oldG })
}

const testPasswd = `# comment
root:x:0:0:root:/root:/bin/sh
+nis:x:7:7::/:
short:x:8
app:x:1000:1001:App:/srv/app:/bin/false

noshell:x:1002:1002::/home/noshell
`

const testGroup = `root:x:0:
app:x:1001:
web:x:2000:nginx, app
logs:x:2001:app
other:x:2002:nginx
broken:x:2003
`

func TestResolveNamesFromFiles(t *testing.T) {
	withFiles(t, testPasswd, testGroup)
	id, err := Resolve("app", "")
	if err != nil {
		t.Fatal(err)
	}
	want := &Identity{UID: 1000, GID: 1001, Groups: []int{2000, 2001}, Name: "app"}
	if !reflect.DeepEqual(id, want) {
		t.Fatalf("Resolve(app) = %+v, want %+v", id, want)
	}
	id, err = Resolve("1000", "web")
	if err != nil || id.Name != "app" || id.UID != 1000 || id.GID != 2000 || len(id.Groups) != 0 {
		t.Fatalf("Resolve(1000, web) = %+v, %v; want app's uid, gid 2000, no supplementary group", id, err)
	}
	id, err = Resolve("noshell", "")
	if err != nil || id.UID != 1002 {
		t.Fatalf("a passwd line without the shell field: %+v, %v", id, err)
	}
	for _, name := range []string{"nis", "+nis", "short", "x"} {
		if _, err := Resolve(name, ""); err == nil || !strings.Contains(err.Error(), "unknown user") {
			t.Fatalf("Resolve(%q): %v, want unknown user", name, err)
		}
	}
	if _, err := Resolve("", "broken"); err == nil || !strings.Contains(err.Error(), "unknown group") {
		t.Fatalf("a group line without members field: %v, want unknown group", err)
	}
}

func TestResolveWithoutFiles(t *testing.T) {
	withFiles(t, testPasswd, testGroup)
	passwdFile, groupFile = "/nonexistent/passwd", "/nonexistent/group"
	id, err := Resolve("1000", "")
	if err != nil || id.UID != 1000 || id.GID != 1000 || id.Name != "1000" {
		t.Fatalf("numeric user without /etc/passwd: %+v, %v; want uid = gid = 1000", id, err)
	}
	if _, err := Resolve("app", ""); err == nil || !strings.Contains(err.Error(), `unknown user "app"`) {
		t.Fatalf("named user without /etc/passwd: %v", err)
	}
}

func TestNamedUserNeedsGroupFile(t *testing.T) {
	withFiles(t, testPasswd, testGroup)
	groupFile = "/nonexistent/group"
	if _, err := Resolve("app", ""); err == nil || !strings.Contains(err.Error(), `find the groups of user "app"`) {
		t.Fatalf("named user without /etc/group: %v, want the groups error", err)
	}
}
