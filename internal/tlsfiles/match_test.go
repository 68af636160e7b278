package tlsfiles

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

type keyFile struct {
	name string
	pem  []byte
	pub  crypto.PublicKey
	priv crypto.Signer
}

// keyFiles makes keys of every supported kind, in every encoding.
func keyFiles(t *testing.T) []keyFile {
	t.Helper()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	enc := func(typ string, der []byte, err error) []byte {
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	}
	p8 := func(k any) []byte { der, err := x509.MarshalPKCS8PrivateKey(k); return enc("PRIVATE KEY", der, err) }
	sec1 := func(k *ecdsa.PrivateKey) []byte {
		der, err := x509.MarshalECPrivateKey(k)
		return enc("EC PRIVATE KEY", der, err)
	}
	return []keyFile{
		{"rsa pkcs1", enc("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey), nil), &rsaKey.PublicKey, rsaKey},
		{"rsa pkcs8", p8(rsaKey), &rsaKey.PublicKey, rsaKey},
		{"ec sec1", sec1(ecKey), &ecKey.PublicKey, ecKey},
		{"ec pkcs8", p8(ecKey), &ecKey.PublicKey, ecKey},
		{"ec p384 sec1", sec1(ec384), &ec384.PublicKey, ec384},
		{"ed25519 pkcs8", p8(edKey), edKey.Public(), edKey},
	}
}

func certFor(t *testing.T, k keyFile) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "x"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.pub, k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestMatchAgreesWithCryptoTLS checks every key against every certificate:
// match must accept exactly the pairs tls.X509KeyPair accepts.
func TestMatchAgreesWithCryptoTLS(t *testing.T) {
	keys := keyFiles(t)
	for _, ck := range keys {
		cert := certFor(t, ck)
		for _, k := range keys {
			_, tlsErr := tls.X509KeyPair(cert, k.pem)
			err := match(k.pem, cert)
			if (err == nil) != (tlsErr == nil) {
				t.Errorf("key %s, certificate of %s: match says %v, crypto/tls says %v", k.name, ck.name, err, tlsErr)
			}
		}
	}
}

func TestMatchGarbage(t *testing.T) {
	k := keyFiles(t)[2]
	cert := certFor(t, k)
	bad := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x00}})
	if err := match(bad, cert); err == nil {
		t.Fatal("a garbage key matched")
	}
	badCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("nonsense")})
	if err := match(k.pem, badCert); err == nil {
		t.Fatal("a garbage certificate matched")
	}
}

// TestEd25519WithoutTheCurve: an Ed25519 key is checked without Ed25519's
// arithmetic: a certificate for another kind of key is refused; a key file
// that carries its public key (PKCS#8 v2) must be the certificate's; one
// that holds its seed alone (v1, what OpenSSL and Go write) is taken with
// any Ed25519 certificate (the worker's TLS library catches that one).
func TestEd25519WithoutTheCurve(t *testing.T) {
	keys := keyFiles(t)
	ed := keys[len(keys)-1]
	rsaCert := certFor(t, keys[0])
	if err := match(ed.pem, rsaCert); err == nil || !strings.Contains(err.Error(), "Ed25519") {
		t.Fatalf("Ed25519 key with an RSA certificate: %v", err)
	}
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	otherCert := certFor(t, keyFile{pub: other.Public(), priv: other})
	v2 := func(k ed25519.PrivateKey) []byte {
		seed := append([]byte{0x04, 0x20}, k.Seed()...)
		pub := append([]byte{0x81, 0x21, 0x00}, k.Public().(ed25519.PublicKey)...)
		body := append(append([]byte{0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, byte(len(seed))}, seed...), pub...)
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: append([]byte{0x30, byte(len(body))}, body...)})
	}
	edKey := ed.priv.(ed25519.PrivateKey)
	if err := match(v2(edKey), certFor(t, ed)); err != nil {
		t.Fatalf("v2 key with its own certificate: %v", err)
	}
	if err := match(v2(edKey), otherCert); err == nil {
		t.Fatal("v2 key matched another Ed25519 key's certificate")
	}
	if err := match(ed.pem, otherCert); err != nil {
		t.Fatalf("v1 key with an Ed25519 certificate: %v (taken, as documented)", err)
	}
}

// TestMatchTruncated: every prefix of a good key and certificate is refused
// or matches, never a panic.
func TestMatchTruncated(t *testing.T) {
	for _, k := range keyFiles(t) {
		cert := certFor(t, k)
		kb, _ := pem.Decode(k.pem)
		cb, _ := pem.Decode(cert)
		for n := 0; n < len(kb.Bytes); n += 7 {
			bad := pem.EncodeToMemory(&pem.Block{Type: kb.Type, Bytes: kb.Bytes[:n]})
			if err := match(bad, cert); err == nil {
				t.Errorf("%s: a key cut at %d bytes matched", k.name, n)
			}
		}
		for n := 0; n < len(cb.Bytes); n += 13 {
			bad := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cb.Bytes[:n]})
			if err := match(k.pem, bad); err == nil {
				t.Errorf("%s: a certificate cut at %d bytes matched", k.name, n)
			}
		}
	}
}
