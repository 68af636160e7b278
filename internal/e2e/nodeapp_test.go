package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const helloApp = `module.exports = require('http').createServer((req, res) => {
  res.end('hello from ' + process.pid + (global.greeting ? ' ' + global.greeting : ''));
});
`

// appDir returns a directory holding app.js with the given source.
func appDir(t *testing.T, src string) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.js"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

var banner = regexp.MustCompile(`^Spark2 server\((\d+)\) listening on (https?)://\*:(\d+) in (\w+) mode$`)

// banners waits for n banner lines and returns the port and the scheme.
func (m *master) banners(n int) (port, scheme string) {
	m.t.Helper()
	for i := 0; i < n; i++ {
		l := m.line("Spark2 server(")
		f := banner.FindStringSubmatch(l)
		if f == nil {
			m.t.Fatalf("banner %q is not the seed's", l)
		}
		scheme, port = f[2], f[3]
	}
	return port, scheme
}

func TestNodeAppServedByBareSpark2(t *testing.T) {
	bothModes(t, func(t *testing.T, md mode) {
		m := run(t, md, nil, "-C", appDir(t, helloApp), "-n", "2", "-E", "production", "-e", "global.greeting = 'evaled'")
		port, scheme := m.banners(2)
		if scheme != "http" {
			t.Fatalf("scheme %s", scheme)
		}
		body, err := get(httpClient(), "http://127.0.0.1:"+port+"/")
		if err != nil || !strings.HasPrefix(body, "hello from ") || !strings.HasSuffix(body, " evaled") {
			t.Fatalf("GET: %q, %v", body, err)
		}
		if !strings.Contains(strings.Join(m.Stdout(), "\n"), "in production mode") {
			t.Fatalf("banner without -E's environment: %q", m.Stdout())
		}
	})
}

func TestNodeAppOverHTTPS(t *testing.T) {
	key, crt := testCert(t)
	m := run(t, plain, nil, "-C", appDir(t, helloApp), "-n", "2", "--ssl-key", key, "--ssl-crt", crt)
	port, scheme := m.banners(2)
	if scheme != "https" {
		t.Fatalf("scheme %s, want https", scheme)
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	body, err := get(c, "https://127.0.0.1:"+port+"/")
	if err != nil || !strings.HasPrefix(body, "hello from ") {
		t.Fatalf("GET over https: %q, %v", body, err)
	}
}

func TestNodeAppRollingRespawnUnderLoad(t *testing.T) {
	m := run(t, plain, nil, "-C", appDir(t, helloApp), "-n", "2")
	port, _ := m.banners(2)
	ls := startLoads(t, "http://127.0.0.1:"+port+"/", 25, 2*time.Minute)
	for i := 0; i < 5; i++ {
		m.signal(1) // SIGHUP
		m.banners(2)
	}
	after := ls.ok()
	eventually(t, "load after the respawns", func() bool { return ls.ok() > after+500 })
	ls.finishClean()
}

func TestCommentInProcessTitles(t *testing.T) {
	m := run(t, plain, []string{"SPARK2_COMMENT=shop-frontend"}, "-C", appDir(t, helloApp))
	f := banner.FindStringSubmatch(m.line("Spark2 server("))
	for who, pid := range map[string]string{"master": fmt.Sprint(m.pid), "worker": f[1]} {
		b, _ := os.ReadFile("/proc/" + pid + "/cmdline")
		if !strings.Contains(string(b), "shop-frontend") {
			t.Errorf("%s's command line %q lacks the comment", who, b)
		}
	}
}

func TestNodeAppBadInput(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	takenPort := fmt.Sprint(taken.Addr().(*net.TCPAddr).Port)
	key, crt := testCert(t)
	otherKey, _ := testCert(t)
	good := appDir(t, helloApp)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"port in use", []string{"-C", good, "-H", "127.0.0.1", "-p", takenPort}, 1, "listen on 127.0.0.1:" + takenPort + ": address already in use"},
		{"unknown user", []string{"-C", good, "-u", "no-such-user-spark2"}, 2, `unknown user "no-such-user-spark2"`},
		{"unknown group", []string{"-C", good, "-u", "0", "-g", "no-such-group-spark2"}, 2, `unknown group "no-such-group-spark2"`},
		{"unreadable key", []string{"-C", good, "--ssl-key", filepath.Dir(key), "--ssl-crt", crt}, 2, "(--ssl-key)"},
		{"mismatched key", []string{"-C", good, "--ssl-key", otherKey, "--ssl-crt", crt}, 2, "does not go with the certificate"},
		{"no app", []string{"-C", t.TempDir()}, 2, "app not found"},
		{"not a server", []string{"-C", appDir(t, "module.exports = {}\n"), "-n", "2"}, 78, "invalid application"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			m := run(t, plain, nil, c.args...)
			if code := m.wait(); code != c.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, m.Stderr())
			}
			if !strings.Contains(m.Stderr(), c.want) {
				t.Fatalf("stderr lacks %q:\n%s", c.want, m.Stderr())
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Fatalf("took %v, want at once", took)
			}
			if c.code != 78 && strings.Contains(m.Stderr(), "worker") {
				t.Fatalf("a worker was started:\n%s", m.Stderr())
			}
		})
	}
}

// testCert writes a fresh self-signed key and certificate for 127.0.0.1.
func testCert(t *testing.T) (key, crt string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalECPrivateKey(k)
	dir := t.TempDir()
	key, crt = filepath.Join(dir, "tls.key"), filepath.Join(dir, "tls.crt")
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600)
	os.WriteFile(crt, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	return key, crt
}
