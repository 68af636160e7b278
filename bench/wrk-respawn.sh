#!/usr/bin/env bash
# bench/wrk-respawn.sh: examples/hello under spark2, loaded by wrk while
# spark2 replaces its workers with kill -CONT; prints wrk's socket errors
# (a keep-alive request that a stopping worker drops is a read error).
#
#   bench/wrk-respawn.sh [-b SPARK2] [-n WORKERS] [-t THREADS] [-c CONNS] [-d SECONDS] [-k RESPAWNS]
#
# Defaults: spark2 built from this checkout, -n 2, wrk -t2 -c20 -d8s, one
# respawn (several are spread evenly over the run). wrk comes from
# `apt-get install -y wrk`. Exit status 1 when wrk saw a socket error or a
# non-2xx answer.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spark2-wrk.XXXXXX")
bench_pid=""
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

say() { printf 'wrk-respawn.sh: %s\n' "$*" >&2; }

spark2="" workers=2 threads=2 conns=20 secs=8 respawns=1
while getopts "b:n:t:c:d:k:" opt; do
	case $opt in
	b) spark2=$OPTARG ;;
	n) workers=$OPTARG ;;
	t) threads=$OPTARG ;;
	c) conns=$OPTARG ;;
	d) secs=$OPTARG ;;
	k) respawns=$OPTARG ;;
	*)
		say "usage: $0 [-b SPARK2] [-n WORKERS] [-t THREADS] [-c CONNS] [-d SECONDS] [-k RESPAWNS]"
		exit 2
		;;
	esac
done
for v in workers threads conns secs respawns; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]] || ((${!v} < 1)); then
		say "-${v:0:1}: want a whole number of 1 or more, got '${!v}'"
		exit 2
	fi
done
if ! command -v wrk >/dev/null; then
	say "wrk is required: apt-get install -y wrk"
	exit 1
fi
if [[ -z $spark2 ]]; then
	(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/spark2" .)
	spark2=$tmp/spark2
fi

"$spark2" -C "$root/examples/hello" -n "$workers" -p 0 >"$tmp/spark2.log" 2>&1 &
bench_pid=$!
port=""
for _ in $(seq 300); do
	if (($(grep -c '^Spark2 server(' "$tmp/spark2.log" || true) >= workers)); then
		port=$(grep -m1 -o 'listening on http://\*:[0-9]*' "$tmp/spark2.log" | grep -o '[0-9]*$')
		break
	fi
	kill -0 "$bench_pid" 2>/dev/null || break
	sleep 0.1
done
if [[ -z $port ]]; then
	say "spark2 did not start $workers workers:"
	cat "$tmp/spark2.log" >&2
	exit 1
fi

wrk -t"$threads" -c"$conns" -d"${secs}s" "http://127.0.0.1:$port/" >"$tmp/wrk.out" 2>&1 &
wrk_pid=$!
gap=$(awk -v d="$secs" -v k="$respawns" 'BEGIN { printf "%.3f", d / (k + 1) }')
for i in $(seq "$respawns"); do
	sleep "$gap"
	kill -CONT "$bench_pid"
done
wait "$wrk_pid"
cat "$tmp/wrk.out"
done_count=$(grep -c 'rolling respawn done' "$tmp/spark2.log" || true)
errors=$(grep -o 'Socket errors:.*' "$tmp/wrk.out" || echo 'Socket errors: none')
non2xx=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$tmp/wrk.out" || echo 'Non-2xx or 3xx responses: 0')
echo "spark2 -n $workers, wrk -t$threads -c$conns -d${secs}s, $respawns kill -CONT ($done_count rolling respawns done): $errors; $non2xx"
[[ $errors == 'Socket errors: none' && $non2xx == 'Non-2xx or 3xx responses: 0' ]]
