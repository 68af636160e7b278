#!/usr/bin/env bash
# bench/goroutines.sh [SPARK2]: goroutines of the master per worker.
#
# Runs SPARK2 (default: a fresh build of this tree) as a plain process with
# -n 1 and then -n 9, in three modes, and reads the master's goroutine count
# from its status file (status.Usage.Goroutine: runtime.NumGoroutine when the
# file was written). Per worker = (count at -n 9 - count at -n 1) / 8. A
# count is read once every worker has its pid in the file (and is ready,
# where the mode makes it ready) and two more heartbeats have been written,
# so the exec reports have long arrived. Modes:
#   plain    COMMAND sleep, ready after the default delay
#   readyfd  --ready fd, a COMMAND that never writes to its ready fd (waiting)
#   node     the hello node app with --watchdog 5s: ready on the ready fd,
#            then watchdog pings on it (only node apps ping on the fd)
# Bounded: each run waits at most 60 s, then the script gives up.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
bench_pid=""
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"

spark2=${1:-}
if [[ -z $spark2 ]]; then
	(cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/spark2" .)
	spark2=$tmp/spark2
fi
port=$((20000 + RANDOM % 20000))

# count MODE N: the master's goroutines with N workers in MODE.
count() {
	local mode=$1 n=$2 st=$tmp/status.json args i beat=""
	args=(-n "$n" -H 127.0.0.1 -p "$port" --status-file "$st")
	case $mode in
	plain) args+=(-- sleep 600) ;;
	readyfd) args+=(--ready fd --ready-timeout 1h -- sleep 600) ;;
	node) args+=(--watchdog 5s -C "$here/examples/hello") ;;
	esac
	rm -f "$st"
	"$spark2" "${args[@]}" >/dev/null 2>"$tmp/err.$mode.$n" &
	bench_pid=$!
	local want_ready=$n seen=0
	[[ $mode == readyfd ]] && want_ready=0
	for i in $(seq 600); do
		if [[ -s $st ]] && jq -e --argjson n "$n" --argjson r "$want_ready" \
			'([.workers[] | select(.pid > 0)] | length) == $n and ([.workers[] | select(.ready)] | length) >= $r' "$st" >/dev/null 2>&1; then
			local hb
			hb=$(jq -r .heartbeat "$st")
			if [[ $hb != "$beat" ]]; then
				beat=$hb
				seen=$((seen + 1))
				((seen > 2)) && break
			fi
		fi
		sleep 0.1
	done
	((seen > 2)) || { echo "goroutines.sh: $mode -n $n did not settle in 60 s; see $tmp/err.$mode.$n" >&2; cat "$tmp/err.$mode.$n" >&2; exit 1; }
	jq -r .master.goroutines "$st"
	kill -TERM "$bench_pid"
	wait "$bench_pid" || true
	bench_pid=""
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %6s %6s %10s\n' mode "n=1" "n=9" per-worker
for mode in plain readyfd node; do
	one=$(count "$mode" 1)
	nine=$(count "$mode" 9)
	printf '%-8s %6s %6s %10s\n' "$mode" "$one" "$nine" "$(awk -v a="$one" -v b="$nine" 'BEGIN { printf "%.2f", (b - a) / 8 }')"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
