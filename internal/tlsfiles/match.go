package tlsfiles

import (
	"bytes"
	"errors"
	"fmt"
)

// match checks that the first certificate of crtPEM is for the private key in
// keyPEM, as crypto/tls.X509KeyPair would. spark2 never speaks TLS itself (its
// workers do), and crypto/x509 would add about 0.9 MB to its binary and to
// its resident memory, encoding/asn1 a quarter of a megabyte with math/big,
// and crypto/ed25519 (Go's FIPS module) another quarter, so it compares the
// public keys of both with a DER reader of its own (der.go): RSA (PKCS#1 or
// PKCS#8) and ECDSA (SEC 1 or PKCS#8, with the public key the key file
// carries, as OpenSSL and Go write them) exactly.
//
// An Ed25519 key is checked as far as it can be without the curve: the
// certificate must be for an Ed25519 key, and when the key file carries its
// public key (PKCS#8 v2, RFC 8410) it must be the certificate's. A key file
// of the usual kind (PKCS#8 v1, as OpenSSL and Go write them) holds the
// private seed alone, and deriving the public key from it needs Ed25519's
// arithmetic: for such a key, another Ed25519 key's certificate is not
// caught here, but by the worker's TLS library when it loads the pair.
func match(keyPEM, crtPEM []byte) error {
	certAlg, certKey, err := certPublicKey(firstBlock(crtPEM, "CERTIFICATE").Bytes)
	if err != nil {
		return fmt.Errorf("parse the certificate: %w", err)
	}
	keyAlg, keyPub, err := privatePublicKey(firstBlock(keyPEM, "PRIVATE KEY").Bytes)
	if err != nil {
		return fmt.Errorf("parse the private key: %w", err)
	}
	if keyAlg == algEd25519 && keyPub == nil {
		if certAlg != algEd25519 {
			return errors.New("the certificate's public key is not the key's: the key is Ed25519, the certificate's is not")
		}
		return nil
	}
	if !bytes.Equal(certKey, keyPub) {
		return errors.New("the certificate's public key is not the key's")
	}
	return nil
}

// Key algorithms, as their OIDs' DER contents.
var (
	oidRSA     = string([]byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01}) // 1.2.840.113549.1.1.1
	oidEC      = string([]byte{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01})             // 1.2.840.10045.2.1
	oidEd25519 = string([]byte{0x2b, 0x65, 0x70})                                     // 1.3.101.112
)

// algorithm is the kind of a key; algOther for any other than these.
type algorithm int

const (
	algOther algorithm = iota
	algRSA
	algEC
	algEd25519
)

func algorithmOf(oid string) algorithm {
	switch oid {
	case oidRSA:
		return algRSA
	case oidEC:
		return algEC
	case oidEd25519:
		return algEd25519
	}
	return algOther
}

// certPublicKey returns the algorithm and the subjectPublicKey bits of a DER
// certificate.
func certPublicKey(der []byte) (algorithm, []byte, error) {
	cert, err := sequence(der)
	if err != nil || len(cert) == 0 || cert[0].tag != tagSequence {
		return 0, nil, errDER
	}
	tbs, err := elements(cert[0].contents)
	if err != nil {
		return 0, nil, err
	}
	if len(tbs) > 0 && tbs[0].tag == 0xa0 { // [0] EXPLICIT version
		tbs = tbs[1:]
	}
	// serial, signature, issuer, validity, subject, subjectPublicKeyInfo
	if len(tbs) < 6 || tbs[0].tag != tagInteger || tbs[5].tag != tagSequence {
		return 0, nil, errDER
	}
	spki, err := elements(tbs[5].contents)
	if err != nil || len(spki) != 2 || spki[0].tag != tagSequence {
		return 0, nil, errDER
	}
	alg, err := elements(spki[0].contents)
	if err != nil || len(alg) == 0 || alg[0].tag != tagOID {
		return 0, nil, errDER
	}
	key, err := spki[1].bits()
	if err != nil {
		return 0, nil, err
	}
	return algorithmOf(string(alg[0].contents)), key, nil
}

// privatePublicKey returns, for a DER private key, its algorithm and the
// public key bits as a certificate's subjectPublicKey holds them; nil bits
// for an Ed25519 key that does not carry its public key.
func privatePublicKey(der []byte) (algorithm, []byte, error) {
	if alg, key, pub, ok := pkcs8(der); ok {
		switch alg {
		case algRSA:
			pub, err := rsaPublic(key)
			return alg, pub, err
		case algEC:
			pub, err := ecPublic(key)
			return alg, pub, err
		case algEd25519:
			seed, rest, err := next(key)
			if err != nil || seed.tag != tagOctetString || len(seed.contents) != 32 || len(rest) != 0 {
				return alg, nil, errors.New("bad Ed25519 key")
			}
			if pub != nil && len(pub) != 32 {
				return alg, nil, errors.New("bad Ed25519 public key")
			}
			return alg, pub, nil
		}
		return alg, nil, errors.New("unsupported key algorithm")
	}
	if pub, err := rsaPublic(der); err == nil {
		return algRSA, pub, nil
	}
	pub, err := ecPublic(der)
	return algEC, pub, err
}

// pkcs8 reads a PKCS#8 PrivateKeyInfo (or a v2 OneAsymmetricKey): the key's
// algorithm, the contents of its privateKey, and its publicKey when given
// (nil when not); ok false when der is not PKCS#8.
func pkcs8(der []byte) (alg algorithm, key, pub []byte, ok bool) {
	p8, err := sequence(der)
	if err != nil || len(p8) < 3 || p8[0].tag != tagInteger || p8[1].tag != tagSequence || p8[2].tag != tagOctetString {
		return 0, nil, nil, false
	}
	id, err := elements(p8[1].contents)
	if err != nil || len(id) == 0 || id[0].tag != tagOID {
		return 0, nil, nil, false
	}
	for _, e := range p8[3:] {
		if e.tag == 0x81 && len(e.contents) > 0 && e.contents[0] == 0 { // [1] IMPLICIT BIT STRING
			pub = e.contents[1:]
		}
	}
	return algorithmOf(string(id[0].contents)), p8[2].contents, pub, true
}

// rsaPublic returns the DER RSAPublicKey{n, e} of a PKCS#1 RSAPrivateKey.
func rsaPublic(der []byte) ([]byte, error) {
	k, err := sequence(der)
	if err != nil || len(k) < 3 || k[0].tag != tagInteger || k[1].tag != tagInteger || k[2].tag != tagInteger {
		return nil, errors.New("not a PKCS#1 RSA key")
	}
	body := append(append([]byte(nil), k[1].full...), k[2].full...)
	return append(derHeader(tagSequence, len(body)), body...), nil
}

// derHeader is the tag and length of an element with n bytes of contents.
func derHeader(tag byte, n int) []byte {
	if n < 0x80 {
		return []byte{tag, byte(n)}
	}
	var size []byte
	for m := n; m > 0; m >>= 8 {
		size = append([]byte{byte(m)}, size...)
	}
	return append([]byte{tag, 0x80 | byte(len(size))}, size...)
}

// ecPublic returns the public point a SEC 1 ECPrivateKey carries.
func ecPublic(der []byte) ([]byte, error) {
	k, err := sequence(der)
	if err != nil || len(k) < 2 || k[0].tag != tagInteger || k[1].tag != tagOctetString {
		return nil, errors.New("not a PKCS#8, PKCS#1 or SEC 1 key")
	}
	for _, e := range k[2:] {
		if e.tag != 0xa1 { // [1] EXPLICIT BIT STRING publicKey
			continue
		}
		bs, rest, err := next(e.contents)
		if err != nil || len(rest) != 0 {
			return nil, errors.New("not a PKCS#8, PKCS#1 or SEC 1 key")
		}
		if pub, err := bs.bits(); err == nil && len(pub) > 0 {
			return pub, nil
		}
	}
	return nil, errors.New("the EC key file does not carry its public key; write it with openssl or Go")
}
