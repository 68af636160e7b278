#!/usr/bin/env bash
# bench/health.sh: issue 11's figures. Builds spark2 (static, stripped) and
# bench/cmd/spark2bench, then "spark2bench health" measures
#   (a) the time from a hung worker's last WATCHDOG=1 to its SIGABRT under
#       --watchdog 1s (goal: within DURATION + 1 heartbeat, 1.5 s), several
#       rounds, min/median/max;
#   (b) the master's CPU time with 16 idle workers: base, with --watchdog,
#       with --watchdog and --max-memory (goal: each check under +0.5 % of
#       one core).
# Prints a Markdown report with the load average before and after; a run
# with no arguments also puts it into BENCHMARKS.md (between its "health"
# markers, which bench/peers/run.sh keeps). About 7 minutes with the
# defaults. Extra arguments go to "spark2bench health" (-rounds, -workers,
# -window, -cpu-rounds, -mode pid1, ...). Run it under the heavy-work lock
# where the machine is shared:
#   flock /tmp/spark2-heavy.lock bench/health.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spark2-health.XXXXXX")
bench_pid=""

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

say() { printf 'health.sh: %s\n' "$*" >&2; }

if ! command -v go >/dev/null; then
	say "go is required (https://go.dev/dl/)"
	exit 1
fi
cd "$root"
say "building spark2 and spark2bench in $tmp"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/spark2" .
CGO_ENABLED=0 go build -trimpath -o "$tmp/spark2bench" ./bench/cmd/spark2bench

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Runnable tasks now / all (the 4th field): the load average lags a burst
# (an orphan storm just before counts for minutes), this does not.
runnable_before=$(cut -d' ' -f4 /proc/loadavg)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git -C "$root" status --porcelain 2>/dev/null | head -1) ]] && commit+=" (with uncommitted changes)"
# In the background, so that a TERM or INT to this script is handled at once.
timeout -k 10 600 "$tmp/spark2bench" health -spark2 "$tmp/spark2" "$@" >"$tmp/report.md" &
bench_pid=$!
rc=0
wait "$bench_pid" || rc=$?
bench_pid=""
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
runnable_after=$(cut -d' ' -f4 /proc/loadavg)
{
	echo "<!-- health:begin (written by bench/health.sh) -->"
	echo "## Issue 11: the cost and speed of the health checks"
	echo
	echo "\`bench/health.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), spark2 commit $commit, $(nproc) CPUs ($(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), kernel $(uname -r); load average before: $load_before, after: $load_after; runnable/all tasks before: $runnable_before, after: $runnable_after (the load average lags bursts, this does not)."
	echo
	cat "$tmp/report.md"
	echo "<!-- health:end -->"
} >"$tmp/block.md"
cat "$tmp/block.md"
if ((rc != 0)); then
	say "spark2bench health failed (exit $rc); see above"
	exit "$rc"
fi
# A run with the default settings puts its block into BENCHMARKS.md, between
# its markers, or before the "## Summary" section (bench/run.sh and
# bench/peers/run.sh keep it).
if (($# == 0)) && [[ -f $root/BENCHMARKS.md ]]; then
	awk -v block="$tmp/block.md" '
		function put(  l) { while ((getline l < block) > 0) print l; done = 1 }
		/<!-- health:begin/ { put(); skip = 1; next }
		/<!-- health:end/ { skip = 0; next }
		/^## Summary/ && !done && !has { put(); print "" }
		!skip { print }' has="$(grep -c 'health:begin' "$root/BENCHMARKS.md")" "$root/BENCHMARKS.md" >"$tmp/BENCHMARKS.md"
	cp "$tmp/BENCHMARKS.md" "$root/BENCHMARKS.md"
	say "wrote the health figures into BENCHMARKS.md"
fi
