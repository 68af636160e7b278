package tlsfiles

import (
	"bytes"
	"crypto/ed25519"
	"encoding/asn1"
	"errors"
	"fmt"
)

// match checks that the first certificate of crtPEM is for the private key in
// keyPEM, as crypto/tls.X509KeyPair would. spark2 never speaks TLS itself (its
// workers do), and crypto/x509 would add about 0.9 MB to its binary and to
// its resident memory, so it compares the public key of both with
// encoding/asn1 alone: RSA (PKCS#1 or PKCS#8), ECDSA (SEC 1 or PKCS#8, with
// the public key the key file carries, as OpenSSL and Go write them) and
// Ed25519 (PKCS#8).
func match(keyPEM, crtPEM []byte) error {
	certKey, err := certPublicKey(firstBlock(crtPEM, "CERTIFICATE").Bytes)
	if err != nil {
		return fmt.Errorf("parse the certificate: %w", err)
	}
	keyPub, err := privatePublicKey(firstBlock(keyPEM, "PRIVATE KEY").Bytes)
	if err != nil {
		return fmt.Errorf("parse the private key: %w", err)
	}
	if !bytes.Equal(certKey, keyPub) {
		return errors.New("the certificate's public key is not the key's")
	}
	return nil
}

type algorithm struct {
	OID    asn1.ObjectIdentifier
	Params asn1.RawValue `asn1:"optional"`
}

type spki struct {
	Algorithm algorithm
	PublicKey asn1.BitString
}

// certPublicKey returns the subjectPublicKey bits of a DER certificate.
func certPublicKey(der []byte) ([]byte, error) {
	var cert struct {
		TBS struct {
			Version   int `asn1:"optional,explicit,default:0,tag:0"`
			Serial    asn1.RawValue
			Signature asn1.RawValue
			Issuer    asn1.RawValue
			Validity  asn1.RawValue
			Subject   asn1.RawValue
			PublicKey spki
		}
		// The signature algorithm and value follow; unread. (encoding/asn1
		// leaves trailing elements of a SEQUENCE alone, as below.)
	}
	if _, err := asn1.Unmarshal(der, &cert); err != nil {
		return nil, err
	}
	return cert.TBS.PublicKey.PublicKey.Bytes, nil
}

var (
	oidRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidEC      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// privatePublicKey returns, for a DER private key, the public key bits as a
// certificate's subjectPublicKey holds them.
func privatePublicKey(der []byte) ([]byte, error) {
	var p8 struct {
		Version    int
		Algorithm  algorithm
		PrivateKey []byte
	}
	if _, err := asn1.Unmarshal(der, &p8); err == nil && len(p8.Algorithm.OID) > 0 {
		switch {
		case p8.Algorithm.OID.Equal(oidRSA):
			return rsaPublic(p8.PrivateKey)
		case p8.Algorithm.OID.Equal(oidEC):
			return ecPublic(p8.PrivateKey)
		case p8.Algorithm.OID.Equal(oidEd25519):
			var seed []byte
			if _, err := asn1.Unmarshal(p8.PrivateKey, &seed); err != nil || len(seed) != ed25519.SeedSize {
				return nil, errors.New("bad Ed25519 key")
			}
			return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey), nil
		}
		return nil, fmt.Errorf("unsupported key algorithm %v", p8.Algorithm.OID)
	}
	if pub, err := rsaPublic(der); err == nil {
		return pub, nil
	}
	return ecPublic(der)
}

// rsaPublic returns the DER RSAPublicKey{n, e} of a PKCS#1 RSAPrivateKey.
func rsaPublic(der []byte) ([]byte, error) {
	var k struct {
		Version int
		N, E    asn1.RawValue
	}
	if _, err := asn1.Unmarshal(der, &k); err != nil || k.N.Tag != asn1.TagInteger || k.E.Tag != asn1.TagInteger {
		return nil, errors.New("not a PKCS#1 RSA key")
	}
	return asn1.Marshal(struct{ N, E asn1.RawValue }{k.N, k.E})
}

// ecPublic returns the public point a SEC 1 ECPrivateKey carries.
func ecPublic(der []byte) ([]byte, error) {
	var k struct {
		Version    int
		PrivateKey []byte
		Params     asn1.RawValue  `asn1:"optional,explicit,tag:0"`
		PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
	}
	if _, err := asn1.Unmarshal(der, &k); err != nil {
		return nil, errors.New("not a PKCS#8, PKCS#1 or SEC 1 key")
	}
	if len(k.PublicKey.Bytes) == 0 {
		return nil, errors.New("the EC key file does not carry its public key; write it with openssl or Go")
	}
	return k.PublicKey.Bytes, nil
}
