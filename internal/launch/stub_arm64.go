package launch

import _ "embed"

// stubELF is the exec stub for this architecture, made by stub/gen.sh.
//
//go:embed stub/arm64.bin
var stubELF []byte
