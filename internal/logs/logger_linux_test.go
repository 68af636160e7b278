package logs

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY returns the controller and the terminal side of a new pseudo-terminal,
// or skips the test when the system has none.
func openPTY(t *testing.T) (ptmx, tty *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	fd := int(ptmx.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlock pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("pseudo-terminal number: %v", err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return ptmx, tty
}

func TestNewColoursOnlyATerminal(t *testing.T) {
	for _, tc := range []struct {
		name    string
		noColor bool
		sink    bool
		want    bool
	}{
		{"terminal", false, false, true},
		{"sink of a terminal", false, true, true},
		{"terminal with noColor", true, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ptmx, tty := openPTY(t)
			var w io.Writer = tty
			if tc.sink {
				w = NewSink(tty)
			}
			New(w, "text", "info", tc.noColor).Info("hello")
			line, err := bufio.NewReader(ptmx).ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(line, "\x1b["); got != tc.want || !strings.Contains(line, "hello") {
				t.Errorf("got %q, want colour %v", line, tc.want)
			}
		})
	}
}
