package logs

import (
	"io"
	"strings"
	"testing"
)

// scripted is a reader that returns its parts one per Read (a part longer
// than the room given is cut, the rest returned by the next Read) and
// records the room each Read was given.
type scripted struct {
	parts []string
	rooms []int
}

func (s *scripted) Read(p []byte) (int, error) {
	s.rooms = append(s.rooms, len(p))
	if len(s.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.parts[0])
	if n < len(s.parts[0]) {
		s.parts[0] = s.parts[0][n:]
	} else {
		s.parts = s.parts[1:]
	}
	return n, nil
}

func (s *scripted) Close() error { return nil }

// TestForwardHoldsLittleWhileQuiet: a quiet worker's pipe is read into the
// idle buffer; a flow of output into 64 KiB chunks; when the flow stops,
// reads go back to the idle buffer. Every byte passes either way.
func TestForwardHoldsLittleWhileQuiet(t *testing.T) {
	line := strings.Repeat("x", 99) + "\n"
	flood := strings.Repeat(line, 3000) // 300 000 bytes, read as fast as it comes
	r := &scripted{parts: []string{line, line, flood, line, "tail"}}
	rec := &recorder{t: t}
	n, err := Forward(r, NewSink(rec))
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 + 3000 + 1 + 1; n != want {
		t.Fatalf("Forward wrote %d lines, want %d", n, want)
	}
	// Quiet: two lines, each read into the idle buffer ("i"). The flood
	// fills it once, then is read into a 64 KiB chunk ("c") until a read
	// comes back shorter than the idle buffer with no partial line; the
	// quiet line and the tail after it are read into the idle buffer again.
	var got strings.Builder
	for _, room := range r.rooms {
		switch {
		case room < idleSize:
			got.WriteByte('i')
		case room > chunkSize-len(line):
			got.WriteByte('c')
		default:
			t.Fatalf("a Read was given %d bytes, in neither buffer (rooms %v)", room, r.rooms)
		}
	}
	if want := "iiiccccccii"; got.String() != want {
		t.Fatalf("Reads went to buffers %q (rooms %v), want %q", got.String(), r.rooms, want)
	}
	text := strings.Join(rec.lines(), "\n") + "\n"
	if want := line + line + flood + line + "tail\n"; text != want {
		t.Fatalf("forwarded %d bytes that differ from the %d sent", len(text), len(want))
	}
}
