package nodeapp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark2/spark2/internal/exitcode"
)

// selfSigned returns the PEM of a new ECDSA key and of a certificate for
// 127.0.0.1 signed by it, and a pool that trusts the certificate.
func selfSigned(t *testing.T) (keyPEM, certPEM string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sec1, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}))
	certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	return keyPEM, certPEM, pool
}

func httpsClient(pool *x509.CertPool) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// With SPARK2_SSL_KEY_PEM and SPARK2_SSL_CRT_PEM, a plain http.Server app is
// served over TLS, and a stop still finishes its in-flight requests.
func TestServesHTTPSWithoutChangingTheApp(t *testing.T) {
	t.Parallel()
	keyPEM, certPEM, pool := selfSigned(t)
	app := strings.Replace(slowApp, "res.end('fast')",
		"res.end('encrypted=' + Boolean(req.socket.encrypted) + ' key in env=' + ('SPARK2_SSL_KEY_PEM' in process.env))", 1)
	w := spawn(t, writeApp(t, map[string]string{"app.js": app}), Options{}, false,
		"SPARK2_SSL_KEY_PEM="+keyPEM, "SPARK2_SSL_CRT_PEM="+certPEM)
	w.waitText(fmt.Sprintf("Spark2 server(%d) listening on https://*:%d in development mode", w.cmd.Process.Pid, w.port))
	w.waitReady()
	base := "https://" + w.addr()

	idle := httpsClient(pool)
	defer idle.CloseIdleConnections()
	if r := <-fetch(idle, base+"/"); r.err != nil || r.body != "encrypted=true key in env=false" {
		t.Fatalf("GET over https: %q, %v; want %q", r.body, r.err, "encrypted=true key in env=false")
	}
	slowClient := httpsClient(pool)
	defer slowClient.CloseIdleConnections()
	slow := fetch(slowClient, base+"/slow")
	w.waitText("slow request")
	w.signal(syscall.SIGTERM)
	if r := <-slow; r.err != nil || r.body != "slow done" || !r.resp.Close {
		t.Fatalf("in-flight GET /slow over https: %+v", r)
	}
	if code := w.waitExit(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}

func TestUnusableCertificateIsInvalidApp(t *testing.T) {
	t.Parallel()
	keyPEM, _, _ := selfSigned(t)
	_, otherCert, _ := selfSigned(t)
	w := spawn(t, writeApp(t, map[string]string{"app.js": helloApp}), Options{}, false,
		"SPARK2_SSL_KEY_PEM="+keyPEM, "SPARK2_SSL_CRT_PEM="+otherCert)
	if code := w.waitExit(); code != exitcode.Permanent {
		t.Fatalf("exit code %d, want %d", code, exitcode.Permanent)
	}
	if stderr := w.stderr.String(); !strings.HasPrefix(stderr, "Spark2: cannot serve over TLS with --ssl-key and --ssl-crt: ") {
		t.Errorf("stderr: %s", stderr)
	}
}
