package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// row returns the table line whose figure starts with prefix.
func row(t *testing.T, table, prefix string) string {
	t.Helper()
	for _, l := range strings.Split(table, "\n") {
		if strings.HasPrefix(l, "| "+prefix) {
			return l
		}
	}
	t.Fatalf("no row %q in:\n%s", prefix, table)
	return ""
}

func TestGoalsJudgeEachRowFromItsFacts(t *testing.T) {
	f := map[string]float64{
		"pid1_answer_ms.spark2": 30, "pid1_answer_ms.none": 20, "pid1_answer_ms.tini-static": 21,
		"probe_ms.empty": 6, "probe_ms.probe": 6.8, "probe_ms.true": 3,
		"startup_ms.1.spark2": 40, "startup_ms.1.direct": 30,
		"startup_ms.16.spark2": 200, "startup_ms.16.direct": 195,
		"respawn_ms.plain": 15, "respawn_ms.pid1": 16.5, "respawn_ms.direct": 14,
		"orphans_ms.spark2": 50, "orphans_ms.tini": 57, "orphans_ms.dumb-init": 131,
		"rss_kb.plain": 4000, "rssfile_kb.plain": 3000, "rss_settled_kb.plain": 4700, "rssanon_settled_kb.plain": 1500,
		"size_bytes": 3_600_000, "libfloor_size_bytes": 2_920_000, "libfloor_rss_kb": 3584,
		"share_ka.shared": 1.34, "share_ka_max.shared": infinite, "share_rps.shared": 1000,
		"share_ka.reuseport": 1.05, "share_ka_max.reuseport": 1.08, "share_rps.reuseport": 980,
	}
	var b bytes.Buffer
	printGoals(&b, f, "1.00 0.50 0.25", "1.10 0.60 0.30")
	out := b.String()
	for _, c := range []struct{ prefix, want string }{
		{"exec → first answer", "**NO**"}, // 30 > 20 + 6 + 2
		{"start-up, N = 1:", "**NO**"},    // +10 > 6 + 2
		{"start-up, N = 16:", "| yes |"},  // +5 ≤ 6 + 10
		{"respawn after a healthy uptime (kill -9 → new worker's first instruction), plain", "| yes |"},
		{"respawn after a healthy uptime (kill -9 → new worker's first instruction), pid1", "**NO**"}, // 16.5 > 16
		{"per-worker start cost", "| yes |"}, // ((200-40)-(195-30))/15 = -0.33 ≤ 1
		{"10 000 orphans", "| yes |"},        // no orphans_n: the label is 10 000
		{"master RSS, 4 idle workers, plain", "| yes |"},
		{"master RSS, 4 idle workers, pid1", "n/a (no rss_kb.pid1)"},
		{"master RSS, 4 idle workers, plain, a minute after start", "**NO**"}, // 4700 KiB > 4.5 MiB
		{"static stripped binary", "**NO**"},
		{"`spark2 --probe ready`", "| yes |"},
		{"keep-alive split", "| yes |"}, // 1.05 ≤ 1.1 and 980 ≥ 0.97 × 1000
	} {
		if l := row(t, out, c.prefix); !strings.Contains(l, c.want) {
			t.Errorf("row %q: want %q in\n%s", c.prefix, c.want, l)
		}
	}
	if l := row(t, out, "keep-alive split"); !strings.Contains(l, "worst ∞") {
		t.Errorf("an infinite ratio should print as ∞: %s", l)
	}
	for prefix, want := range map[string]string{
		"static stripped binary":                                  "the four required libraries alone 2.92 MB (floor)",
		"master RSS, 4 idle workers, plain":                       "the four required libraries alone 3.50 MiB (floor)",
		"master RSS, 4 idle workers, plain, a minute after start": "the four required libraries alone 3.50 MiB (floor)",
	} {
		if l := row(t, out, prefix); !strings.Contains(l, want) {
			t.Errorf("row %q: want the floor %q in\n%s", prefix, want, l)
		}
	}
	if !strings.Contains(out, "1.00 0.50 0.25 at the start, 1.10 0.60 0.30 at the end") {
		t.Errorf("no load averages in:\n%s", out)
	}
	if !strings.Contains(out, "7 of 13 goals met in this run.") {
		t.Errorf("wrong count in:\n%s", out)
	}
}

func TestGoalsWithoutBalanceIsNotMet(t *testing.T) {
	var b bytes.Buffer
	printGoals(&b, map[string]float64{"share_ka.shared": 1.0, "share_ka_max.shared": 1.0, "share_rps.shared": 1000}, "", "")
	if l := row(t, b.String(), "keep-alive split"); !strings.Contains(l, "no `--balance`") {
		t.Errorf("a spark2 without --balance cannot meet the goal: %s", l)
	}
}

func TestGoalsReadsFactsFiles(t *testing.T) {
	dir := t.TempDir()
	a, _ := json.Marshal(map[string]float64{"size_bytes": 3_000_000})
	pa := filepath.Join(dir, "a.json")
	if err := os.WriteFile(pa, a, 0o644); err != nil {
		t.Fatal(err)
	}
	pb := filepath.Join(dir, "b.json")
	if err := os.WriteFile(pb, []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rc := goals([]string{pb}); rc != 1 {
		t.Errorf("a bad facts file: exit %d, want 1", rc)
	}
	if rc := goals(nil); rc != 2 {
		t.Errorf("no facts file: exit %d, want 2", rc)
	}
	if rc := goals([]string{pa}); rc != 0 {
		t.Errorf("a good facts file: exit %d, want 0", rc)
	}
}

func TestFactsKeepInfinityOutOfJSON(t *testing.T) {
	fact("test_inf", 1/zero())
	fact("test_nan", zero()/zero())
	p := filepath.Join(t.TempDir(), "f.json")
	if err := writeFacts(p); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	var m map[string]float64
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["test_inf"] != infinite {
		t.Errorf("+Inf written as %v, want %v", m["test_inf"], infinite)
	}
	if _, ok := m["test_nan"]; ok {
		t.Errorf("NaN (not measured) was written")
	}
}

func zero() float64 { return 0 }
