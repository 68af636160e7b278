package privdrop

import (
	"strings"
	"testing"
)

func TestResolveNumbersNeedNoFiles(t *testing.T) {
	id, err := Resolve("54321", "54322")
	if err != nil {
		t.Fatal(err)
	}
	if id.UID != 54321 || id.GID != 54322 || len(id.Groups) != 0 {
		t.Fatalf("got %+v", id)
	}
	id, err = Resolve("54321", "")
	if err != nil || id.GID != 54321 {
		t.Fatalf("numeric user without -g: %+v, %v; want gid = uid", id, err)
	}
}

func TestResolveNames(t *testing.T) {
	id, err := Resolve("root", "")
	if err != nil {
		t.Fatal(err)
	}
	if id.UID != 0 || id.GID != 0 {
		t.Fatalf("root resolved to %+v", id)
	}
	if id, _ := Resolve("", ""); id != nil {
		t.Fatalf("no -u/-g gave %+v, want nil", id)
	}
}

func TestResolveUnknown(t *testing.T) {
	_, err := Resolve("no-such-user-spark2", "")
	if err == nil || !strings.Contains(err.Error(), `unknown user "no-such-user-spark2" (-u/--user)`) {
		t.Fatalf("err %v", err)
	}
	_, err = Resolve("", "no-such-group-spark2")
	if err == nil || !strings.Contains(err.Error(), `unknown group "no-such-group-spark2" (-g/--group)`) {
		t.Fatalf("err %v", err)
	}
}
