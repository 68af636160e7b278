package jsonv

import (
	"unicode/utf16"
	"unicode/utf8"
)

// string reads a quoted string and returns its text, decoded as
// encoding/json decodes it.
func (p *parser) string() (string, error) {
	p.i++ // "
	start := p.i
	for p.i < len(p.b) { // the common case: nothing to decode
		c := p.b[p.i]
		if c == '"' {
			s := string(p.b[start:p.i])
			p.i++
			return s, nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		p.i++
	}
	out := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(out), nil
		case c < 0x20:
			return "", p.fail("in string literal")
		case c == '\\':
			var err error
			if out, err = p.escape(out); err != nil {
				return "", err
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			p.i++
		default:
			r, size := utf8.DecodeRune(p.b[p.i:])
			out = utf8.AppendRune(out, r) // U+FFFD for a byte that is not UTF-8
			p.i += size
		}
	}
	return "", p.fail("")
}

// escape reads one escape sequence (p.i at its backslash) and appends what
// it stands for to out.
func (p *parser) escape(out []byte) ([]byte, error) {
	p.i++
	if p.i >= len(p.b) {
		return nil, p.failInToken("in string escape code")
	}
	c := p.b[p.i]
	p.i++
	switch c {
	case '"', '\\', '/':
		return append(out, c), nil
	case 'b':
		return append(out, '\b'), nil
	case 'f':
		return append(out, '\f'), nil
	case 'n':
		return append(out, '\n'), nil
	case 'r':
		return append(out, '\r'), nil
	case 't':
		return append(out, '\t'), nil
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return nil, err
		}
		if utf16.IsSurrogate(r) {
			// A high surrogate followed by \u and a low one is one rune;
			// anything else leaves it alone: U+FFFD.
			if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
				save := p.i
				p.i += 2
				r2, err := p.hex4()
				if err != nil {
					return nil, err
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					return utf8.AppendRune(out, dec), nil
				}
				p.i = save
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(out, r), nil
	}
	p.i--
	return nil, p.fail("in string escape code")
}

// hex4 reads the four hex digits of a \u escape.
func (p *parser) hex4() (rune, error) {
	var r rune
	for k := 0; k < 4; k++ {
		if p.i >= len(p.b) {
			return 0, p.failInToken("in \\u hexadecimal character escape")
		}
		c := p.b[p.i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, p.fail("in \\u hexadecimal character escape")
		}
		r = r<<4 | rune(c)
		p.i++
	}
	return r, nil
}
