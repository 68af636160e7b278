package loadgen

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func read(t *testing.T, raw, keyHeader string) (answer, error) {
	t.Helper()
	r := reader{br: bufio.NewReaderSize(strings.NewReader(raw), 64), keyHeader: []byte(keyHeader), keyBody: keyHeader == ""}
	return r.readAnswer()
}

func TestReadAnswerComplete(t *testing.T) {
	long := strings.Repeat("x", 300) // longer than the 64-byte buffer
	for _, c := range []struct {
		name, raw, keyHeader string
		want                 answer
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\npid=7 slot=0", "", answer{200, false, "pid=7"}},
		{"long body", "HTTP/1.1 200 OK\r\nContent-Length: 304\r\n\r\nabc " + long, "", answer{200, false, "abc"}},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi", "", answer{200, false, "hi"}},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\npid\r\n4\r\n=9 x\r\n0\r\nX-Trailer: 1\r\n\r\n", "", answer{200, false, "pid=9"}},
		{"connection close", "HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n", "", answer{200, true, ""}},
		{"http/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", "", answer{200, true, ""}},
		{"http/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", "", answer{200, false, ""}},
		{"to the end", "HTTP/1.1 200 OK\r\n\r\nbody to EOF", "", answer{200, true, "body"}},
		{"no content", "HTTP/1.1 204 No Content\r\n\r\n", "", answer{204, false, ""}},
		{"100 continue first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nk", "", answer{200, false, "k"}},
		{"key header", "HTTP/1.1 503 Busy\r\nx-pid:  42 \r\nContent-Length: 3\r\n\r\nabc", "X-Pid", answer{503, false, "42"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := read(t, c.raw, strings.ToLower(c.keyHeader))
			if err != nil || got != c.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

func TestReadAnswerIncomplete(t *testing.T) {
	for _, c := range []struct {
		name, raw string
		want      error
	}{
		{"nothing", "", io.EOF},
		{"half a status line", "HTTP/1.1 2", io.ErrUnexpectedEOF},
		{"headers cut", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", io.ErrUnexpectedEOF},
		{"body cut", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc", io.ErrUnexpectedEOF},
		{"chunk cut", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", io.ErrUnexpectedEOF},
		{"no last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", io.ErrUnexpectedEOF},
		{"not http", "SSH-2.0-OpenSSH\r\n\r\n", errMalformed},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", errMalformed},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", errMalformed},
		{"header without colon", "HTTP/1.1 200 OK\r\nnonsense\r\n\r\n", errMalformed},
		{"endless line", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("y", 100) + "\r\n\r\n", errMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := read(t, c.raw, "")
			if !errors.Is(err, c.want) {
				t.Fatalf("got %+v, %v; want error %v", got, err, c.want)
			}
		})
	}
}
