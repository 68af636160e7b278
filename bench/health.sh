#!/usr/bin/env bash
# bench/health.sh: issue 11's figures. Builds spark2 (static, stripped) and
# bench/cmd/spark2bench, then "spark2bench health" measures
#   (a) the time from a hung worker's last WATCHDOG=1 to its SIGABRT under
#       --watchdog 1s (goal: within DURATION + 1 heartbeat, 1.5 s), several
#       rounds, min/median/max;
#   (b) the master's CPU time with 16 idle workers: base, with --watchdog,
#       with --watchdog and --max-memory (goal: each check under +0.5 % of
#       one core).
# Prints a Markdown report with the load average before and after. About
# 2 minutes with the defaults. Extra arguments go to "spark2bench health"
# (-rounds, -workers, -window, -cpu-rounds, -mode pid1, ...). Run it under
# the heavy-work lock where the machine is shared:
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
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git -C "$root" status --porcelain 2>/dev/null | head -1) ]] && commit+=" (with uncommitted changes)"
# In the background, so that a TERM or INT to this script is handled at once.
timeout -k 10 600 "$tmp/spark2bench" health -spark2 "$tmp/spark2" "$@" >"$tmp/report.md" &
bench_pid=$!
rc=0
wait "$bench_pid" || rc=$?
bench_pid=""
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "# spark2 health figures (issue 11)"
	echo
	echo "Commit $commit, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), kernel $(uname -r)."
	echo "Load average before: $load_before; after: $load_after. Command: \`bench/health.sh $*\`."
	echo
	cat "$tmp/report.md"
}
exit "$rc"
