#!/usr/bin/env bash
# bench/run.sh: build spark2 (static, stripped) and measure its core, HTTP
# through its workers and its probes; as root, also spark2 as PID 1 beside
# tini, dumb-init and catatonit (bench/peers/peerbench -only startup,orphans),
# and print issue 12's goal table: every figure beside its peer or floor.
# Writes bench/results.md and prints it; a whole run (no arguments) also puts
# the goal table into BENCHMARKS.md. About 7 minutes, at most 10; see
# bench/README.md. Extra arguments go to "spark2bench run" (e.g. -only
# http,probe or -only startup,respawn -runs 3) and skip the peers.
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
# The floor of spark2's size and memory: the four required libraries alone.
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/libfloor" ./bench/libfloor
# The floor of any Go program's start: an empty one, built like spark2.
mkdir -p "$tmp/empty"
printf 'package main\n\nfunc main() {}\n' >"$tmp/empty/main.go"
(cd "$tmp/empty" && CGO_ENABLED=0 GOFLAGS= go build -trimpath -ldflags "-s -w" -o "$tmp/empty-go" ./main.go)

# The peers as PID 1 (a whole run as root only): Debian's tini, dumb-init
# and catatonit, measured by bench/peers/peerbench.
peers=""
if (($# == 0)) && [[ $modes == *pid1* ]]; then
	install_missing tini=tini dumb-init=dumb-init catatonit=catatonit
	CGO_ENABLED=0 go build -trimpath -o "$tmp/peerbench" ./bench/peers/peerbench
	nap=/bin/cat nap_kind=/bin/cat
	if [[ $(uname -m) == x86_64 ]] && command -v gcc >/dev/null &&
		gcc -nostdlib -static -o "$tmp/nap" bench/peers/nap.S 2>/dev/null && "$tmp/nap" </dev/null; then
		nap="$tmp/nap" nap_kind="a static 2-syscall program, bench/peers/nap.S, $(stat -c %s "$tmp/nap") bytes"
	fi
	peers=yes
fi
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
began=$SECONDS

say "measuring (about three and a half minutes; more on a busy machine)"
bench_rc=0
# In the background, so that a TERM or INT to this script is handled at once;
# started directly (not through a function, which would fork a subshell), so
# that bench_pid is timeout's or spark2bench's own pid, which cleanup signals.
measure=("$tmp/spark2bench" run -spark2 "$tmp/spark2" -modes "$modes" -repo "$root"
	-empty "$tmp/empty-go" -libfloor "$tmp/libfloor" -facts "$tmp/facts-core.json" "$@")
if command -v timeout >/dev/null; then
	timeout -k 10 420 "${measure[@]}" >"$tmp/report.md" &
else
	"${measure[@]}" >"$tmp/report.md" &
fi
bench_pid=$!
wait "$bench_pid" || bench_rc=$?
bench_pid=""

peers_rc=0
if [[ -n $peers ]]; then
	say "spark2 as PID 1 beside tini, dumb-init and catatonit (at most 3 minutes)"
	mkdir -p "$tmp/peers-out"
	timeout -k 10 180 "$tmp/peerbench" run -only startup,orphans -spark2 "$tmp/spark2" -spark2bench "$tmp/spark2bench" \
		-nap "$nap" -nap-kind "$nap_kind" -tmp "$tmp" -out "$tmp/peers-out" \
		-startup-budget 30s -orphan-runs 3 -orphan-budget 60s -facts "$tmp/facts-peers.json" >"$tmp/peers.md" &
	bench_pid=$!
	wait "$bench_pid" || peers_rc=$?
	bench_pid=""
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
facts=()
for x in "$tmp/facts-core.json" "$tmp/facts-peers.json"; do
	[[ -s $x ]] && facts+=("$x")
done
goals_rc=0
if ((${#facts[@]})); then
	"$tmp/spark2bench" goals -load-start "$load_start" -load-end "$load_end" "${facts[@]}" >"$tmp/goals.md" || goals_rc=$?
else
	echo "No figures: the measuring programs failed before writing any (see below)." >"$tmp/goals.md"
	goals_rc=1
fi

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
	echo "- date: $started"
	echo "- kernel: \`$(uname -r)\`"
	echo "- CPUs (nproc): $(nproc)"
	echo "- CPU model: ${cpu:-unknown}"
	echo "- Go: \`$(go version)\`"
	echo "- spark2 commit: $commit"
	echo "- command: \`bench/run.sh${*:+ $*}\`"
	echo "- took: $((SECONDS - began)) s of measuring (the Go benchmarks of internal/logs included)"
	echo
	echo "## Issue 12: spark2 beside its peers and floors"
	echo
	echo "Medians of this run; the sections below give the spread and the method. The PID 1 rows"
	echo "(first answer, orphans, tini-static's memory) come from \`bench/peers/peerbench -only startup,orphans\`,"
	echo "the others from \`spark2bench run\`; an empty static Go program is \`func main() {}\` built like spark2,"
	echo "timed fork+exec → wait beside the probe. The load average at the end includes this run's own"
	echo "orphan storms (10 000 short processes per init and run count as runnable for a moment)."
	echo
	cat "$tmp/goals.md"
	echo
	cat "$tmp/report.md"
	if [[ -n $peers ]]; then
		echo "## PID 1 beside the peers (bench/peers/peerbench -only startup,orphans)"
		echo
		sed 's/^#/##/' "$tmp/peers.md"
		echo
	fi
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
# A whole run that measured everything puts the goal table into
# BENCHMARKS.md, between its markers (bench/peers/run.sh keeps the block).
if (($# == 0)) && ((bench_rc == 0 && peers_rc == 0 && goals_rc == 0)) && [[ -n $peers ]] && [[ -f $root/BENCHMARKS.md ]]; then
	{
		echo "<!-- issue12-goals:begin (written by bench/run.sh) -->"
		echo "## Issue 12's goals, side by side"
		echo
		echo "\`bench/run.sh\` on $started, spark2 commit $commit; details in [bench/results.md](bench/results.md)."
		echo
		cat "$tmp/goals.md"
		echo
		echo "Where a goal is out of reach, [bench/README.md](bench/README.md#where-a-goal-is-out-of-reach) says what bounds it."
		echo "<!-- issue12-goals:end -->"
	} >"$tmp/block.md"
	# Replace the block, or put it before the "## Summary" section.
	awk -v block="$tmp/block.md" '
		function put(  l) { while ((getline l < block) > 0) print l; done = 1 }
		/<!-- issue12-goals:begin/ { put(); skip = 1; next }
		/<!-- issue12-goals:end/ { skip = 0; next }
		/^## Summary/ && !done && !has { put(); print "" }
		!skip { print }' has="$(grep -c 'issue12-goals:begin' "$root/BENCHMARKS.md")" "$root/BENCHMARKS.md" >"$tmp/BENCHMARKS.md"
	cp "$tmp/BENCHMARKS.md" "$root/BENCHMARKS.md"
	say "wrote the goal table into BENCHMARKS.md"
fi
if ((peers_rc != 0)); then
	say "peerbench failed (exit $peers_rc); see above"
	exit "$peers_rc"
fi
if ((goals_rc != 0)); then
	say "spark2bench goals failed (exit $goals_rc)"
	exit 1
fi
if ((gotest_rc != 0)); then
	say "go test -bench failed (exit $gotest_rc); see above"
	exit 1
fi
say "wrote bench/results.md"
