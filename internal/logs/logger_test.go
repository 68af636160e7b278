package logs

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
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

// TestDurationsAreStringsInJSON: a time.Duration field is "2.001s" in JSON
// lines, as in text lines, not hclog's integer of nanoseconds; so in the
// loggers made with With and Named, and through Log; other fields keep
// their JSON types.
func TestDurationsAreStringsInJSON(t *testing.T) {
	var out bytes.Buffer
	log := New(&out, "json", "info", false)
	log.Info("worker exited", "uptime", 2001*time.Millisecond, "pid", 7)
	log.Named("worker").With("stop_timeout", 8*time.Second).Warn("stopping", "grace", 250*time.Millisecond)
	log.Log(hclog.Error, "backing off", "next_spawn_in", 3200*time.Millisecond)
	var got []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %v: %s", err, l)
		}
		got = append(got, m)
	}
	for i, want := range []map[string]any{
		{"uptime": "2.001s", "pid": 7.0},
		{"stop_timeout": "8s", "grace": "250ms", "@module": "spark2.worker"},
		{"next_spawn_in": "3.2s", "@level": "error"},
	} {
		for k, v := range want {
			if i >= len(got) || got[i][k] != v {
				t.Errorf("line %d: %s = %v, want %v\n%s", i, k, got[i][k], v, out.String())
			}
		}
	}
	var text bytes.Buffer
	New(&text, "text", "info", true).Info("worker exited", "uptime", 2001*time.Millisecond)
	if !strings.Contains(text.String(), "uptime=2.001s") {
		t.Errorf("text line: %q, want uptime=2.001s", text.String())
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
