#!/usr/bin/env bash
# bench/balance.sh: how spark2 -n 2 splits a keep-alive load between its
# workers, and at what throughput, with --balance shared (one socket) and
# --balance reuseport (a socket per worker). RUNS runs of each mode, in
# turns (shared, reuseport, shared, ...), so that a change in the machine's
# load hits both; prints every run and the medians.
#
# Each run: spark2 -n WORKERS --ready notify --balance MODE spark2bench http,
# then "spark2bench load" with CONNS keep-alive connections for DUR; every
# answer names its worker (X-Pid), so the client counts requests per worker.
# max/min is the busiest worker's requests over the idlest's (inf: one got
# nothing). Environment: RUNS (5), CONNS (64), DUR (3s), WORKERS (2).
# About RUNS × 2 × (DUR + 1 s). Loopback only; ports from the kernel.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spark2-balance.XXXXXX")
bench_pid=""

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

runs=${RUNS:-5}
conns=${CONNS:-64}
dur=${DUR:-3s}
workers=${WORKERS:-2}
say() { printf 'balance.sh: %s\n' "$*" >&2; }

cd "$root"
say "building spark2 and spark2bench in $tmp"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/spark2" .
CGO_ENABLED=0 go build -trimpath -o "$tmp/spark2bench" ./bench/cmd/spark2bench

# one MODE N: one run; appends "MODE N RPS MAXMIN REQUESTS-PER-WORKER" to
# $tmp/rows. Run it in this shell (not in a pipeline's subshell), so that
# spark2 stays this script's child and the clean-up finds it.
one() {
	local mode=$1 n=$2 out=$tmp/out.$1.$2 err=$tmp/err.$1.$2 load=$tmp/load.$1.$2 i port
	"$tmp/spark2" -n "$workers" -p 0 -H 127.0.0.1 --ready notify --balance "$mode" "$tmp/spark2bench" http >"$out" 2>"$err" &
	bench_pid=$!
	for i in $(seq 200); do
		(($(grep -c '^http-ready' "$out" || true) >= workers)) && break
		sleep 0.1
	done
	if (($(grep -c '^http-ready' "$out" || true) < workers)); then
		say "$mode run $n: workers not ready in 20 s"
		cat "$err" >&2
		exit 1
	fi
	port=$(grep -o 'listen="\?[^" ]*' "$err" | head -1 | sed 's/.*://')
	"$tmp/spark2bench" load "127.0.0.1:$port" "$conns" "$dur" >"$load" || {
		say "$mode run $n: the load saw errors"
		cat "$load" >&2
		exit 1
	}
	kill -TERM "$bench_pid"
	wait "$bench_pid" || true
	bench_pid=""
	awk -v mode="$mode" -v n="$n" -v w="$workers" '
		NR == 1 { rps = $1 }
		/^pid [0-9]+: / { k++; r = $3 + 0; reqs = reqs (reqs == "" ? "" : "/") r
			if (k == 1 || r > hi) hi = r
			if (k == 1 || r < lo) lo = r }
		END {
			if (k < w) { lo = 0; reqs = reqs "/0" }
			printf "%s %d %s %s %s\n", mode, n, rps, (lo > 0 ? sprintf("%.2f", hi / lo) : "inf"), reqs
		}' "$load" >>"$tmp/rows"
}

# median: the middle of the numbers on stdin ("inf" sorts last).
median() { sed 's/^inf$/999999/' | sort -g | awk '{ v[NR] = $1 } END { m = v[int((NR + 1) / 2)]; print (m == 999999 ? "inf" : m) }'; }

say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %3s %8s %7s %s\n' mode run rps max/min "requests per worker"
for n in $(seq "$runs"); do
	for mode in shared reuseport; do
		one "$mode" "$n"
		tail -1 "$tmp/rows" | awk '{ printf "%-9s %3s %8s %7s %s\n", $1, $2, $3, $4, $5 }'
	done
done
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "medians of $runs runs, spark2 -n $workers, $conns keep-alive connections, $dur each:"
for mode in shared reuseport; do
	rps=$(awk -v m="$mode" '$1 == m { print $3 }' "$tmp/rows" | median)
	ratio=$(awk -v m="$mode" '$1 == m { print $4 }' "$tmp/rows" | median)
	printf '  --balance %-9s  %8s rps   max/min %s\n' "$mode" "$rps" "$ratio"
done
