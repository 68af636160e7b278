package tlsfiles

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/contract"
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

// pad returns a copy of the file at path grown to n bytes with newlines
// after its PEM (which pem.Decode skips), written next to it.
func pad(t *testing.T, path string, n int) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("%s.%d", path, n)
	if err := os.WriteFile(out, append(b, bytes.Repeat([]byte("\n"), n-len(b))...), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAFileTooLongForAWorkersEnvironmentIsRefused: a key or certificate
// file longer than maxPEM would make every worker's exec fail (E2BIG); it is
// refused at start, naming the file and the option. One of maxPEM bytes
// loads.
func TestAFileTooLongForAWorkersEnvironmentIsRefused(t *testing.T) {
	dir := t.TempDir()
	key, crt := pair(t, dir, "a")
	if _, err := Load(pad(t, key, maxPEM), pad(t, crt, maxPEM)); err != nil {
		t.Fatalf("files of maxPEM bytes: %v", err)
	}
	long := pad(t, crt, maxPEM+1)
	_, err := Load(key, long)
	if err == nil || !strings.Contains(err.Error(), long+" (--ssl-crt)") || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("a certificate of maxPEM+1 bytes: %v; want an error naming it, --ssl-crt and its length", err)
	}
	long = pad(t, key, maxPEM+1)
	if _, err := Load(long, crt); err == nil || !strings.Contains(err.Error(), long+" (--ssl-key)") {
		t.Fatalf("a key of maxPEM+1 bytes: %v; want an error naming it and --ssl-key", err)
	}
}

// TestMaxPEMIsWhatExecTakes: the kernel execs a program whose environment
// holds SPARK2_SSL_CRT_PEM with maxPEM bytes, and refuses one byte more.
func TestMaxPEMIsWhatExecTakes(t *testing.T) {
	run := func(n int) error {
		c := exec.Command("/bin/true")
		c.Env = []string{contract.SSLCrtPEM + "=" + strings.Repeat("x", n)}
		return c.Run()
	}
	if err := run(maxPEM); err != nil {
		t.Fatalf("exec with %s of maxPEM (%d) bytes: %v", contract.SSLCrtPEM, maxPEM, err)
	}
	if err := run(maxPEM + 1); !errors.Is(err, syscall.E2BIG) {
		t.Fatalf("exec with %s of maxPEM+1 bytes: %v, want E2BIG (then maxPEM is below what the kernel takes)", contract.SSLCrtPEM, err)
	}
}
