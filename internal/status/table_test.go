package status

import (
	"bytes"
	"strings"
	"testing"
	"text/tabwriter"
)

// TestWriteTableIsTabwriters checks writeTable against what text/tabwriter
// (which Report used before) writes for the same cells.
func TestWriteTableIsTabwriters(t *testing.T) {
	rows := [][]string{
		{"  SLOT", "PID", "READY", "UPTIME", "RSS", "RESTARTS", "LAST EXIT", "LAST REPLACED"},
		{"  0", "4242", "yes (replacing: 4241)", "1h2m3s", "12.5MB", "3", "exit code 1", "crashed"},
		{"  1", "-", "no", "-", "0.0MB", "0", "-", "-"},
		{"  12", "99999", "yes", "59s", "1024.0MB", "100", "signal: killed", `"héhé ünïcode"`},
		{"  3", "", "", "", "", "", "", ""},
	}
	var want bytes.Buffer
	tw := tabwriter.NewWriter(&want, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		tw.Write([]byte(strings.Join(r, "\t") + "\t\n"))
	}
	tw.Flush()
	var got bytes.Buffer
	writeTable(&got, rows)
	if got.String() != want.String() {
		t.Fatalf("writeTable wrote\n%q\ntabwriter wrote\n%q", got.String(), want.String())
	}
}
