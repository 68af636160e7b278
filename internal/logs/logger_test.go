package logs

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
)

func TestNewJSON(t *testing.T) {
	var out bytes.Buffer
	log := New(&out, "json", "debug", false)
	log.Trace("hidden below debug")
	log.Debug("debugging", "slot", 2)
	log.Named("worker").Info("started", "pid", 42)

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), out.String())
	}
	for i, want := range []map[string]any{
		{"@level": "debug", "@message": "debugging", "@module": "spark2", "slot": 2.0},
		{"@level": "info", "@message": "started", "@module": "spark2.worker", "pid": 42.0},
	} {
		var got map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", i, err, lines[i])
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("line %d: %s = %v, want %v", i, k, got[k], v)
			}
		}
		if _, ok := got["@timestamp"]; !ok {
			t.Errorf("line %d has no @timestamp: %s", i, lines[i])
		}
	}
}

func TestNewText(t *testing.T) {
	var out bytes.Buffer
	log := New(&out, "text", "warn", false)
	log.Info("hidden below warn")
	log.Warn("slow worker", "slot", 1)
	got := out.String()
	if strings.Count(got, "\n") != 1 || !strings.Contains(got, "[WARN]  spark2: slow worker: slot=1") {
		t.Errorf("got %q, want one text line at WARN", got)
	}
	if strings.Contains(got, "\x1b[") || strings.HasPrefix(got, "{") {
		t.Errorf("got %q, want plain text without colour", got)
	}
}

func TestNewDefaultsToInfo(t *testing.T) {
	for _, level := range []string{"", "loud", "INFO", " info "} {
		var out bytes.Buffer
		log := New(&out, "text", level, false)
		log.Debug("hidden")
		log.Info("shown")
		if got := out.String(); strings.Contains(got, "hidden") || !strings.Contains(got, "shown") {
			t.Errorf("level %q: got %q, want info level", level, got)
		}
	}
}

func TestNewThroughSinkWritesWholeLines(t *testing.T) {
	rec := &recorder{t: t}
	log := New(NewSink(rec), "text", "info", false)
	log.Info("one")
	log.Error("two", "err", "multi\nline")
	if len(rec.writes) != 2 {
		t.Fatalf("got %d Writes, want one per entry", len(rec.writes))
	}
	rec.lines() // fails the test unless every Write ends a line
}

func TestIsTerminalFalseForNonTerminals(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for name, out := range map[string]io.Writer{
		"buffer":         &bytes.Buffer{},
		"pipe":           w,
		"sink of a pipe": NewSink(w),
	} {
		if isTerminal(out) {
			t.Errorf("%s: isTerminal = true", name)
		}
	}
}
