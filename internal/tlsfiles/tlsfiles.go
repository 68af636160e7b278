// Package tlsfiles checks the --ssl-key and --ssl-crt files at start-up and
// keeps their contents, read while spark2 is still root, for the workers.
package tlsfiles

import (
	"encoding/pem"
	"fmt"
	"io"
	"os"

	"github.com/spark2/spark2/internal/contract"
)

// Pair is a checked key and certificate chain, in PEM.
type Pair struct {
	KeyPath, CrtPath string
	KeyPEM, CrtPEM   []byte
}

// Load reads and checks both files: readable, PEM of the right kind, and the
// key matching the certificate. Each error is one line naming the file (or
// both, for a mismatch) and the option.
func Load(keyPath, crtPath string) (*Pair, error) {
	key, err := read(keyPath, "--ssl-key", "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	crt, err := read(crtPath, "--ssl-crt", "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	if err := match(key, crt); err != nil {
		return nil, fmt.Errorf("the key %s (--ssl-key) does not go with the certificate %s (--ssl-crt): %v", keyPath, crtPath, err)
	}
	return &Pair{KeyPath: keyPath, CrtPath: crtPath, KeyPEM: key, CrtPEM: crt}, nil
}

// firstBlock returns the first PEM block whose type ends in kind; read has
// checked that there is one.
func firstBlock(b []byte, kind string) *pem.Block {
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if len(block.Type) >= len(kind) && block.Type[len(block.Type)-len(kind):] == kind {
			return block
		}
	}
}

// maxPEM is the longest a key or certificate file may be: workers get its
// contents in SPARK2_SSL_KEY_PEM or SPARK2_SSL_CRT_PEM, and a longer one
// would pass contract.MaxEnvLen and make every worker start fail (E2BIG).
const maxPEM = contract.MaxEnvLen - max(len(contract.SSLKeyPEM), len(contract.SSLCrtPEM)) - 1

// read returns the file's PEM, checking that it holds a block whose type
// ends in kind ("PRIVATE KEY" also matches "RSA PRIVATE KEY", "EC PRIVATE KEY").
func read(path, option, kind string) ([]byte, error) {
	b, err := readAtMost(path, maxPEM)
	if err != nil {
		return nil, fmt.Errorf("read %s (%s): %v", path, option, err)
	}
	for rest := b; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("%s (%s) holds no PEM %s block", path, option, kind)
		}
		if len(block.Type) >= len(kind) && block.Type[len(block.Type)-len(kind):] == kind {
			return b, nil
		}
	}
}

// Env returns the variables by which a worker finds the pair: the paths
// (SPARK2_SSL_KEY, SPARK2_SSL_CRT), for workers that can read them, and the
// contents (SPARK2_SSL_KEY_PEM, SPARK2_SSL_CRT_PEM), for workers that cannot
// (the key is often readable by root only, and workers run as -u).
func (p *Pair) Env() []string {
	return []string{
		contract.SSLKey + "=" + p.KeyPath, contract.SSLCrt + "=" + p.CrtPath,
		contract.SSLKeyPEM + "=" + string(p.KeyPEM), contract.SSLCrtPEM + "=" + string(p.CrtPEM),
	}
}

// readAtMost reads the file at path whole, or fails once it has read more
// than limit bytes of it, with an error that says why the limit is there.
func readAtMost(path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		return nil, fmt.Errorf("it is longer than %d bytes, more than a worker's environment variable can carry; keep only the key, the certificate and the chain it needs", limit)
	}
	return b, nil
}
