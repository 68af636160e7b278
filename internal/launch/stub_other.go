//go:build !amd64 && !arm64

package launch

// stubELF is empty: there is no exec stub for this architecture, so every
// worker starts through the Go trampoline (Child).
var stubELF []byte
