package logs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOpenFileSinkAppendsAndCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	for _, line := range []string{"one\n", "two\n"} {
		s, err := OpenFileSink(path)
		if err != nil {
			t.Fatal(err)
		}
		s.Write([]byte(line))
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got := readFile(t, path); got != "one\ntwo\n" {
		t.Errorf("file holds %q, want both lines appended", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm()&^0o644 != 0 {
		t.Errorf("file mode %v, want at most 0644", fi.Mode())
	}

	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "access.log")
	if _, err := OpenFileSink(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("OpenFileSink(%q) error = %v, want one naming the path", missing, err)
	}
}

func TestReopenAfterRename(t *testing.T) {
	dir := t.TempDir()
	path, rotated := filepath.Join(dir, "access.log"), filepath.Join(dir, "access.log.1")
	s, err := OpenFileSink(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Write([]byte("before\n"))
	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	s.Write([]byte("renamed, not reopened\n"))
	if err := s.Reopen(); err != nil {
		t.Fatalf("Reopen: %v", err)
	}
	s.Write([]byte("after\n"))
	if got := readFile(t, rotated); got != "before\nrenamed, not reopened\n" {
		t.Errorf("old file holds %q", got)
	}
	if got := readFile(t, path); got != "after\n" {
		t.Errorf("new file holds %q", got)
	}
}

func TestReopenFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path, rotated := filepath.Join(dir, "access.log"), filepath.Join(dir, "access.log.1")
	s, err := OpenFileSink(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	os.Rename(path, rotated)
	if err := os.Mkdir(path, 0o755); err != nil { // a directory cannot be opened for writing
		t.Fatal(err)
	}
	err = s.Reopen()
	if err == nil || !strings.HasPrefix(err.Error(), "reopen "+path+": ") {
		t.Fatalf("Reopen error = %v, want \"reopen %s: ...\"", err, path)
	}
	s.Write([]byte("still here\n"))
	if got := readFile(t, rotated); got != "still here\n" {
		t.Errorf("old file holds %q, want the line written after the failed Reopen", got)
	}
}

func TestCloseFileSink(t *testing.T) {
	s, err := OpenFileSink(filepath.Join(t.TempDir(), "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte("late\n")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Close: %v, want os.ErrClosed", err)
	}
	if err := s.Reopen(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Reopen after Close: %v, want os.ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v, want nil", err)
	}
}

func TestWriterSinkIgnoresReopenAndClose(t *testing.T) {
	var out bytes.Buffer
	s := NewSink(&out)
	if err := s.Reopen(); err != nil {
		t.Errorf("Reopen: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := s.Write([]byte("last words\n")); err != nil || out.String() != "last words\n" {
		t.Errorf("Write after Close: %v, buffer %q", err, out.String())
	}
}

// TestReopenWhileForwarding rotates the log file while four workers write to
// it: every line must land whole in exactly one of the files.
func TestReopenWhileForwarding(t *testing.T) {
	const workers, count, size, maxRotations = 4, 3000, 200, 5
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	s, err := OpenFileSink(path)
	if err != nil {
		t.Fatal(err)
	}
	forwarded := make(chan struct{})
	go func() { forwardWorkers(t, s, workers, count, size); close(forwarded) }()
	rotations := rotate(t, s, path, maxRotations, forwarded)
	<-forwarded
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rotations while forwarding", rotations)

	// Oldest first: access.log.0, access.log.1, ..., then access.log.
	files, _ := filepath.Glob(path + ".*")
	slices.Sort(files)
	files = append(files, path)
	if len(files) != rotations+1 {
		t.Fatalf("files %v, want %d", files, rotations+1)
	}
	var lines []string
	for _, f := range files {
		for l := range strings.Lines(readFile(t, f)) {
			lines = append(lines, strings.TrimSuffix(l, "\n"))
		}
	}
	checkWorkerLines(t, lines, workers, count, size)
}

// rotate renames the file at path to path.0, path.1, ... and Reopens s, each
// time once the current file has received a write, until it has done so limit
// times or done is closed. It returns how many rotations it made.
func rotate(t *testing.T, s *Sink, path string, limit int, done <-chan struct{}) int {
	for n := 0; n < limit; {
		select {
		case <-done:
			return n
		default:
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
			runtime.Gosched()
			continue
		}
		if err := os.Rename(path, fmt.Sprintf("%s.%d", path, n)); err != nil {
			t.Fatal(err)
		}
		if err := s.Reopen(); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return limit
}
