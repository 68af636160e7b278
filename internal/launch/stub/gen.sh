#!/bin/sh
# gen.sh makes the exec stubs' bytes from their sources: amd64.bin from
# amd64.S, arm64.bin from arm64.S (binutils and binutils-aarch64-linux-gnu).
# Each .S is a whole ELF program, header included, so the bytes are only the
# assembler's .text: the same source gives the same bytes on any machine.
# With -check it compares instead of writing and fails on any difference
# (.ci/run does that).
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build() { # arch assembler-prefix
	"${2}as" -o "$tmp/$1.o" "$1.S"
	"${2}objcopy" -O binary -j .text "$tmp/$1.o" "$tmp/$1.bin"
	if [ "${check:-}" = 1 ]; then
		cmp "$tmp/$1.bin" "$1.bin" || { echo "internal/launch/stub/$1.bin is not what $1.S makes: run internal/launch/stub/gen.sh" >&2; exit 1; }
	else
		cp "$tmp/$1.bin" "$1.bin"
	fi
}
check=0
[ "${1:-}" = -check ] && check=1
build amd64 x86_64-linux-gnu-
build arm64 aarch64-linux-gnu-
