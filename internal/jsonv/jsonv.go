// Package jsonv reads a JSON document (RFC 8259) into a tree of values,
// without reflection: spark2 reads its status file on every Kubernetes probe,
// and encoding/json's first Unmarshal of a struct type (its field cache, its
// reflection) took about 190 µs of a probe's 1.3 ms. It accepts exactly what
// encoding/json accepts (FuzzParseAgreesWithEncodingJSON) and decodes
// strings as it does: invalid UTF-8 and lone surrogates become U+FFFD.
package jsonv

import "strconv"

// Kind is the JSON type of a Value.
type Kind uint8

// The kinds; the zero Value is Null.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// Value is one JSON value.
type Value struct {
	Kind Kind
	// Text is a Bool's "true" or "false", a Number's literal as written
	// (it is valid JSON: -?int frac? exp?), a String's decoded text.
	Text    string
	Items   []Value  // an Array's elements
	Members []Member // an Object's members, in document order, repeated keys too
	Raw     []byte   // the value's bytes in the document, for messages and time.Time's UnmarshalJSON
}

// Member is one key and value of an Object.
type Member struct {
	Key   string
	Value Value
}

// SyntaxError is a document that is not JSON: Offset is the byte where the
// reader found the fault (as encoding/json's SyntaxError.Offset).
type SyntaxError struct {
	Offset int64
	msg    string
}

func (e *SyntaxError) Error() string { return e.msg }

// maxDepth bounds the nesting of arrays and objects, as encoding/json does.
const maxDepth = 10000

// Parse reads b, which must hold one JSON value and nothing else but
// whitespace; otherwise the error is a *SyntaxError.
func Parse(b []byte) (Value, error) {
	p := parser{b: b}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	p.space()
	if p.i < len(b) {
		return Value{}, p.fail("after top-level value")
	}
	return v, nil
}

type parser struct {
	b []byte
	i int
}

// fail is a SyntaxError at the current byte (or the end), in
// encoding/json's words.
func (p *parser) fail(context string) error {
	if p.i >= len(p.b) {
		return &SyntaxError{Offset: int64(len(p.b)), msg: "unexpected end of JSON input"}
	}
	return &SyntaxError{Offset: int64(p.i + 1), msg: "invalid character " + quoteChar(p.b[p.i]) + " " + context}
}

// failInToken is fail inside a number or a literal, where encoding/json
// reads the end of the document as a space that cannot come there.
func (p *parser) failInToken(context string) error {
	if p.i >= len(p.b) {
		return &SyntaxError{Offset: int64(len(p.b)), msg: "invalid character ' ' " + context}
	}
	return p.fail(context)
}

// quoteChar names byte c in a message, as encoding/json does.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (Value, error) {
	if p.i >= len(p.b) {
		return Value{}, p.fail("")
	}
	start := p.i
	var v Value
	var err error
	switch c := p.b[p.i]; {
	case c == '{':
		v, err = p.object(depth + 1)
	case c == '[':
		v, err = p.array(depth + 1)
	case c == '"':
		v.Kind = String
		v.Text, err = p.string()
	case c == '-' || c >= '0' && c <= '9':
		v.Kind = Number
		err = p.number()
		v.Text = string(p.b[start:p.i])
	case c == 't':
		v.Kind, v.Text, err = Bool, "true", p.literal("true")
	case c == 'f':
		v.Kind, v.Text, err = Bool, "false", p.literal("false")
	case c == 'n':
		v.Kind, err = Null, p.literal("null")
	default:
		return Value{}, p.fail("looking for beginning of value")
	}
	if err != nil {
		return Value{}, err
	}
	v.Raw = p.b[start:p.i]
	return v, nil
}

func (p *parser) literal(word string) error {
	for k := 0; k < len(word); k++ {
		if p.i >= len(p.b) || p.b[p.i] != word[k] {
			return p.failInToken("in literal " + word + " (expecting " + quoteChar(word[k]) + ")")
		}
		p.i++
	}
	return nil
}

func (p *parser) object(depth int) (Value, error) {
	if depth > maxDepth {
		return Value{}, p.fail("exceeded max depth")
	}
	v := Value{Kind: Object}
	p.i++ // {
	p.space()
	if p.accept('}') {
		return v, nil
	}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return Value{}, p.fail("looking for beginning of object key string")
		}
		key, err := p.string()
		if err != nil {
			return Value{}, err
		}
		p.space()
		if !p.accept(':') {
			return Value{}, p.fail("after object key")
		}
		p.space()
		val, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		v.Members = append(v.Members, Member{Key: key, Value: val})
		p.space()
		switch {
		case p.accept(','):
			p.space()
		case p.accept('}'):
			return v, nil
		default:
			return Value{}, p.fail("after object key:value pair")
		}
	}
}

func (p *parser) array(depth int) (Value, error) {
	if depth > maxDepth {
		return Value{}, p.fail("exceeded max depth")
	}
	v := Value{Kind: Array}
	p.i++ // [
	p.space()
	if p.accept(']') {
		return v, nil
	}
	for {
		item, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		v.Items = append(v.Items, item)
		p.space()
		switch {
		case p.accept(','):
			p.space()
		case p.accept(']'):
			return v, nil
		default:
			return Value{}, p.fail("after array element")
		}
	}
}

// accept reads c if it comes next, and says whether it did.
func (p *parser) accept(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() error {
	p.accept('-')
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.i < len(p.b) && p.b[p.i] >= '1' && p.b[p.i] <= '9':
		p.digits()
	default:
		return p.failInToken("in numeric literal")
	}
	if p.accept('.') {
		if !p.digits() {
			return p.failInToken("after decimal point in numeric literal")
		}
	}
	if p.accept('e') || p.accept('E') {
		if !p.accept('+') {
			p.accept('-')
		}
		if !p.digits() {
			return p.failInToken("in exponent of numeric literal")
		}
	}
	return nil
}

// digits reads [0-9]*, saying whether there was one.
func (p *parser) digits() bool {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}
