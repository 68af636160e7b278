package tlsfiles

import "errors"

// DER tags that the key and certificate checks read.
const (
	tagInteger     = 0x02
	tagBitString   = 0x03
	tagOctetString = 0x04
	tagOID         = 0x06
	tagSequence    = 0x30
)

// tlv is one DER element: its tag, its contents, and all of its bytes.
type tlv struct {
	tag      byte
	contents []byte
	full     []byte
}

var errDER = errors.New("malformed DER")

// next reads the DER element at the start of b and returns it and the rest.
// It takes one-byte tags and definite lengths of up to 4 bytes, all that
// keys and certificates use; anything else is errDER.
func next(b []byte) (tlv, []byte, error) {
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		return tlv{}, nil, errDER
	}
	n, head := int(b[1]), 2
	if n >= 0x80 {
		size := n & 0x7f
		if size == 0 || size > 4 || len(b) < 2+size {
			return tlv{}, nil, errDER
		}
		n = 0
		for _, c := range b[2 : 2+size] {
			n = n<<8 | int(c)
		}
		head += size
	}
	if n < 0 || len(b)-head < n {
		return tlv{}, nil, errDER
	}
	return tlv{tag: b[0], contents: b[head : head+n], full: b[:head+n]}, b[head+n:], nil
}

// elements splits the contents of a constructed element (a SEQUENCE, an
// explicit tag) into its elements.
func elements(b []byte) ([]tlv, error) {
	var out []tlv
	for len(b) > 0 {
		e, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		b = rest
	}
	return out, nil
}

// sequence reads b as exactly one SEQUENCE (trailing bytes are refused)
// and returns its elements.
func sequence(b []byte) ([]tlv, error) {
	e, rest, err := next(b)
	if err != nil || e.tag != tagSequence || len(rest) != 0 {
		return nil, errDER
	}
	return elements(e.contents)
}

// bits returns the bits of a BIT STRING of whole bytes.
func (e tlv) bits() ([]byte, error) {
	if e.tag&0x1f != tagBitString || len(e.contents) == 0 || e.contents[0] != 0 {
		return nil, errDER
	}
	return e.contents[1:], nil
}
