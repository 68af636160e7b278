package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// errMalformed is an answer that is not HTTP/1.x.
var errMalformed = errors.New("malformed HTTP answer")

// answer is what readAnswer found in one complete response.
type answer struct {
	status int
	close  bool   // the server closes the connection after this answer
	key    string // the split key: the header's value, or the body's first word
}

var (
	hdrContentLength    = []byte("content-length")
	hdrTransferEncoding = []byte("transfer-encoding")
	hdrConnection       = []byte("connection")
	valClose            = []byte("close")
	valKeepAlive        = []byte("keep-alive")
	valChunked          = []byte("chunked")
)

// reader reads answers from one connection. keyHeader (lower case, may be
// empty) names the header whose value is an answer's key; with keyBody the
// key is the first whitespace-separated word of the body instead.
type reader struct {
	br        *bufio.Reader
	keyHeader []byte
	keyBody   bool
	word      []byte // the body's first word, while reading it
	inWord    bool
}

// readAnswer reads one whole answer to a GET. It returns an error, and
// nothing else, unless the answer was complete; io.ErrUnexpectedEOF means
// the connection ended part way through, io.EOF that it ended before the
// first byte.
func (r *reader) readAnswer() (answer, error) {
	for {
		a, length, chunked, err := r.readHead()
		if err != nil {
			return answer{}, err
		}
		if a.status >= 100 && a.status < 200 {
			continue // 100 Continue and friends: the real answer follows
		}
		r.word, r.inWord = r.word[:0], true
		switch {
		case a.status == 204 || a.status == 304:
		case chunked:
			err = r.readChunked()
		case length >= 0:
			err = r.readBody(length)
		default: // no length: the body runs to the end of the connection
			a.close = true
			err = r.readToEOF()
		}
		if err != nil {
			return answer{}, err
		}
		if r.keyBody {
			a.key = string(r.word)
		}
		return a, nil
	}
}

// readHead reads the status line and the headers.
func (r *reader) readHead() (a answer, length int64, chunked bool, err error) {
	line, err := r.line()
	if err != nil {
		if err == io.ErrUnexpectedEOF && len(line) == 0 {
			err = io.EOF
		}
		return a, 0, false, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return a, 0, false, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil || code < 100 {
		return a, 0, false, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	a.status = code
	http10 := line[7] == '0'
	a.close = http10
	length = -1
	for {
		if line, err = r.line(); err != nil {
			return a, 0, false, err
		}
		if len(line) == 0 {
			return a, length, chunked, nil
		}
		k := bytes.IndexByte(line, ':')
		if k <= 0 {
			return a, 0, false, fmt.Errorf("%w: header line %q", errMalformed, line)
		}
		name, val := bytes.TrimSpace(line[:k]), bytes.TrimSpace(line[k+1:])
		switch {
		case bytes.EqualFold(name, hdrContentLength):
			if length, err = strconv.ParseInt(string(val), 10, 64); err != nil || length < 0 {
				return a, 0, false, fmt.Errorf("%w: Content-Length %q", errMalformed, val)
			}
		case bytes.EqualFold(name, hdrTransferEncoding):
			chunked = bytes.EqualFold(val, valChunked)
		case bytes.EqualFold(name, hdrConnection):
			if bytes.EqualFold(val, valClose) {
				a.close = true
			} else if http10 && bytes.EqualFold(val, valKeepAlive) {
				a.close = false
			}
		}
		if len(r.keyHeader) > 0 && bytes.EqualFold(name, r.keyHeader) {
			a.key = string(val)
		}
	}
}

// line reads one line without its CR LF. A line longer than the buffer is
// malformed; a connection that ends first is io.ErrUnexpectedEOF.
func (r *reader) line() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return nil, fmt.Errorf("%w: a line longer than %d bytes", errMalformed, r.br.Size())
	case err == io.EOF:
		return line, io.ErrUnexpectedEOF
	case err != nil:
		return line, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// readBody reads n bytes of body.
func (r *reader) readBody(n int64) error {
	for n > 0 {
		b, err := r.br.Peek(int(min(n, int64(r.br.Size()))))
		if len(b) == 0 && err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		r.see(b)
		r.br.Discard(len(b))
		n -= int64(len(b))
	}
	return nil
}

// readChunked reads a chunked body and its trailers.
func (r *reader) readChunked() error {
	for {
		line, err := r.line()
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i] // chunk extensions
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if size == 0 {
			for { // trailers, up to the empty line
				if line, err = r.line(); err != nil || len(line) == 0 {
					return err
				}
			}
		}
		if err := r.readBody(size); err != nil {
			return err
		}
		if line, err = r.line(); err != nil {
			return err
		}
		if len(line) != 0 {
			return fmt.Errorf("%w: no CR LF after a chunk", errMalformed)
		}
	}
}

// readToEOF reads a body that ends with the connection.
func (r *reader) readToEOF() error {
	for {
		b, err := r.br.Peek(1)
		if len(b) == 0 {
			if err == io.EOF {
				return nil
			}
			return err
		}
		b, _ = r.br.Peek(r.br.Buffered())
		r.see(b)
		r.br.Discard(len(b))
	}
}

// see collects the body's first word, if the key is taken from the body.
func (r *reader) see(b []byte) {
	if !r.keyBody || !r.inWord {
		return
	}
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			if len(r.word) > 0 {
				r.inWord = false
				return
			}
		default:
			if len(r.word) >= 256 {
				r.inWord = false
				return
			}
			r.word = append(r.word, c)
		}
	}
}
