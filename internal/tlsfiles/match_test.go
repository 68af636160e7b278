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
