package tlsfiles

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pair writes a fresh self-signed key and certificate to dir.
func pair(t *testing.T, dir, name string) (key, crt string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalECPrivateKey(k)
	key, crt = filepath.Join(dir, name+".key"), filepath.Join(dir, name+".crt")
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600)
	os.WriteFile(crt, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	return key, crt
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	key, crt := pair(t, dir, "a")
	key2, _ := pair(t, dir, "b")
	p, err := Load(key, crt)
	if err != nil {
		t.Fatal(err)
	}
	if env := strings.Join(p.Env(), "\n"); !strings.Contains(env, "SPARK2_SSL_KEY_PEM=-----BEGIN EC PRIVATE KEY") {
		t.Fatalf("env lacks the key PEM:\n%s", env)
	}
	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, []byte("not pem"), 0o644)
	cases := []struct{ key, crt, want string }{
		{filepath.Join(dir, "missing.key"), crt, "missing.key (--ssl-key)"},
		{garbage, crt, "garbage (--ssl-key) holds no PEM PRIVATE KEY"},
		{key, garbage, "garbage (--ssl-crt) holds no PEM CERTIFICATE"},
		{crt, crt, "(--ssl-key) holds no PEM PRIVATE KEY"},
		{key2, crt, "does not go with the certificate"},
	}
	for _, c := range cases {
		if _, err := Load(c.key, c.crt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%s, %s) = %v, want %q", c.key, c.crt, err, c.want)
		}
	}
}
