#!/usr/bin/env bash
# bench/run.sh: build spark2 (static, stripped) and measure its core, HTTP
# through its workers and its probes.
# Writes bench/results.md and prints it. About 4 minutes; see bench/README.md.
# Extra arguments go to "spark2bench run" (e.g. -only http,probe or
# -only startup,respawn -runs 3).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spark2-bench.XXXXXX")
bench_pid=""

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

say() { printf 'run.sh: %s\n' "$*" >&2; }

# Tools. Go is required; unshare (util-linux) is installed when missing, else
# spark2 is measured as a plain process only; timeout is optional.
if ! command -v go >/dev/null; then
	say "go is required (https://go.dev/dl/)"
	exit 1
fi
modes="plain,pid1"
if ! command -v unshare >/dev/null; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		say "installing util-linux for unshare"
		apt-get install -y util-linux >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y util-linux >/dev/null 2>&1; } || true
	fi
fi
if ! command -v unshare >/dev/null || [[ $(id -u) != 0 ]]; then
	say "no unshare or not root: spark2 is measured as a plain process only (no PID 1 mode)"
	modes="plain"
fi
# bounded SECONDS CMD...: run CMD in the foreground, killed after SECONDS when
# timeout exists.
bounded() {
	local s=$1
	shift
	if command -v timeout >/dev/null; then
		timeout -k 10 "$s" "$@"
	else
		"$@"
	fi
}

cd "$root"
say "building spark2 and spark2bench in $tmp"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/spark2" .
CGO_ENABLED=0 go build -trimpath -o "$tmp/spark2bench" ./bench/cmd/spark2bench

say "measuring (about three and a half minutes; more on a busy machine)"
bench_rc=0
# In the background, so that a TERM or INT to this script is handled at once;
# started directly (not through a function, which would fork a subshell), so
# that bench_pid is timeout's or spark2bench's own pid, which cleanup signals.
measure=("$tmp/spark2bench" run -spark2 "$tmp/spark2" -modes "$modes" -repo "$root" "$@")
if command -v timeout >/dev/null; then
	timeout -k 10 420 "${measure[@]}" >"$tmp/report.md" &
else
	"${measure[@]}" >"$tmp/report.md" &
fi
bench_pid=$!
wait "$bench_pid" || bench_rc=$?
bench_pid=""

say "go test -bench ./internal/logs/"
gotest_rc=0
bounded 120 go test -run '^$' -bench . -benchmem ./internal/logs/ >"$tmp/gotest.txt" 2>&1 || gotest_rc=$?
if ! "$tmp/spark2bench" benchtable <"$tmp/gotest.txt" >"$tmp/gotest.md" && ((gotest_rc == 0)); then
	gotest_rc=1
fi

cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain 2>/dev/null | head -1) ]]; then commit+=" (with uncommitted changes)"; fi
{
	echo "# spark2 benchmark results"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- kernel: \`$(uname -r)\`"
	echo "- CPUs (nproc): $(nproc)"
	echo "- CPU model: ${cpu:-unknown}"
	echo "- Go: \`$(go version)\`"
	echo "- spark2 commit: $commit"
	echo "- command: \`bench/run.sh${*:+ $*}\`"
	echo
	cat "$tmp/report.md"
	echo "### 12. Go benchmarks of output forwarding"
	echo
	echo "\`go test -run '^\$' -bench . -benchmem ./internal/logs/\` (Go's own iteration counts; 5000 lines of 200 bytes per op):"
	echo
	cat "$tmp/gotest.md"
} >"$root/bench/results.md"
cat "$root/bench/results.md"

if ((bench_rc != 0)); then
	say "spark2bench failed (exit $bench_rc); see above"
	exit "$bench_rc"
fi
if ((gotest_rc != 0)); then
	say "go test -bench failed (exit $gotest_rc); see above"
	exit 1
fi
say "wrote bench/results.md"
