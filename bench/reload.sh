#!/usr/bin/env bash
# bench/reload.sh: README.md's recipes through rolling respawns. For each
# recipe, spark2 -n 2 runs it, and under each of three loads in turn
# (internal/loadgen keep-alive, loadgen with a new connection per request,
# both never retrying; wrk -t2) of 50 connections it is respawned 10 times
# with kill -CONT, one respawn after the other; gunicorn -w 2's own HUP
# reload goes through the same for comparison. Prints a Markdown table of
# failed requests (loadgen) and socket errors (wrk), with the load average.
#
#   bench/reload.sh [-k RESPAWNS] [-c CONNS] [-o RECIPE,RECIPE] [-w]
#
# -w writes the table into BENCHMARKS.md's reload section (between its
# reload-recipes markers). As root, missing servers (gunicorn,
# python3-uvicorn, nginx) and wrk are installed from Debian's packages;
# a recipe whose server is missing is reported as not measured.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spark2-reload.XXXXXX")
bench_pid=""
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

say() { printf 'reload.sh: %s\n' "$*" >&2; }

respawns=10 conns=50 only="" write=""
while getopts "k:c:o:w" opt; do
	case $opt in
	k) respawns=$OPTARG ;;
	c) conns=$OPTARG ;;
	o) only=$OPTARG ;;
	w) write=1 ;;
	*)
		say "usage: $0 [-k RESPAWNS] [-c CONNS] [-o RECIPE,RECIPE] [-w]"
		exit 2
		;;
	esac
done
for v in respawns conns; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]] || ((${!v} < 1)); then
		say "-${v:0:1}: want a whole number of 1 or more, got '${!v}'"
		exit 2
	fi
done

# The nginx package must not start a system nginx on port 80 (see .ci/run).
if [[ $(id -u) == 0 && ! -e /usr/sbin/policy-rc.d ]] && ! command -v nginx >/dev/null; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
	install_missing nginx=nginx
	rm -f /usr/sbin/policy-rc.d
fi
install_missing gunicorn=gunicorn wrk=wrk
/usr/bin/python3 -c 'import uvicorn' 2>/dev/null || install_missing python3-uvicorn=uvicorn

(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/spark2" . &&
	go build -o "$tmp/reloadbench" ./bench/cmd/reloadbench &&
	go build -o "$tmp/hello" ./examples/recipes/go)

args=(-spark2 "$tmp/spark2" -root "$root" -gobin "$tmp/hello" -respawns "$respawns" -conns "$conns")
[[ -n $only ]] && args+=(-only "$only")
"$tmp/reloadbench" "${args[@]}" >"$tmp/table.md" &
bench_pid=$!
wait "$bench_pid"
bench_pid=""
{
	echo "## Reload recipes: README's recipes through rolling respawns"
	echo
	echo "\`bench/reload.sh -k $respawns -c $conns${only:+ -o $only}\`, $(date -u +%Y-%m-%d), $(uname -m):"
	echo
	cat "$tmp/table.md"
} >"$tmp/section.md"
cat "$tmp/section.md"

if [[ -n $write ]]; then
	bm=$root/BENCHMARKS.md
	if ! grep -q '<!-- reload-recipes:begin' "$bm"; then
		say "BENCHMARKS.md has no reload-recipes markers; not written"
		exit 1
	fi
	awk -v f="$tmp/section.md" '
		/<!-- reload-recipes:begin/ { print; while ((getline l < f) > 0) print l; skip = 1; next }
		/<!-- reload-recipes:end/ { skip = 0 }
		!skip { print }' "$bm" >"$tmp/bm" && cp "$tmp/bm" "$bm"
	say "written into $bm"
fi
