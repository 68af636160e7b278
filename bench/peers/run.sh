#!/usr/bin/env bash
# bench/peers/run.sh: spark2 side by side with its peers (tini, dumb-init,
# catatonit as PID 1; gunicorn's own pre-fork master), in one run:
#
#   1. init memory and start-to-first-request as PID 1
#   2. reaping 10 000 orphans as PID 1
#   3. exit-code propagation
#   4. reload under load (spark2's SIGCONT against gunicorn's HUP), plotted
#   5. throughput against the server alone
#   6. probe cost
#
# One command, as root, from anywhere:  bench/peers/run.sh
#
# It installs the peers from Debian's packages when missing (apt-get update
# once), builds spark2 as shipped, bench/cmd/spark2bench (its "orphans" mode
# is the reaping worker) and bench/peers/peerbench (the measuring program),
# measures (5 to 8 minutes, bounded), plots with gnuplot and writes
# BENCHMARKS.md at the repository's root, raw CSV and PNG plots in
# bench/peers/results/. Loopback only; every process it starts is ended on
# exit, even when interrupted. Extra arguments go to "peerbench run", e.g.
# bench/peers/run.sh -only startup,exit -startup-runs 3 (then BENCHMARKS.md
# is left alone: report, data and plots go to bench/peers/results/partial/).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$root/bench/peers"
results="$here/results"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spark2-peers.XXXXXX")
bench_pid=""

say() { printf 'peers: %s\n' "$*" >&2; }

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

if [[ $(id -u) != 0 ]]; then
	say "run me as root: the inits run as PID 1 of new PID namespaces (unshare), and missing peers are installed with apt-get"
	exit 1
fi
if ! command -v go >/dev/null; then
	say "go is required"
	exit 1
fi

# --- Peers, from Debian's packages -------------------------------------------
install_missing tini=tini dumb-init=dumb-init catatonit=catatonit gunicorn=gunicorn gnuplot-nox=gnuplot \
	wrk=wrk curl=curl util-linux=unshare
for c in unshare gunicorn; do
	command -v "$c" >/dev/null || { say "$c is required"; exit 1; }
done

# --- Build -------------------------------------------------------------------
cd "$root"
say "building spark2, spark2bench and peerbench in $tmp"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/spark2" .
CGO_ENABLED=0 go build -trimpath -o "$tmp/spark2bench" ./bench/cmd/spark2bench
CGO_ENABLED=0 go build -trimpath -o "$tmp/peerbench" ./bench/peers/peerbench
# The orphans: a tiny static program where gcc is there (not installed for
# this), else /bin/cat (slower to start 10 000 times).
nap=/bin/cat
nap_kind="/bin/cat"
if [[ $(uname -m) == x86_64 ]] && command -v gcc >/dev/null &&
	gcc -nostdlib -static -o "$tmp/nap" "$here/nap.S" 2>/dev/null && "$tmp/nap" </dev/null; then
	nap="$tmp/nap"
	nap_kind="a static 2-syscall program, bench/peers/nap.S, $(stat -c %s "$tmp/nap") bytes"
fi
mkdir -p "$tmp/app"
cp "$here/app.py" "$here/gunicorn_ready.py" "$tmp/app/"

# --- Measure -------------------------------------------------------------------
ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "not installed"; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
say "measuring (5 to 8 minutes)"
# Data and plots are made in $tmp/out and copied at the end: a whole run
# that succeeded replaces results/ and BENCHMARKS.md; a run with extra
# arguments goes to results/partial/, a failed one to results/failed/ (both
# ignored by git).
outdir="$tmp/out"
mkdir -p "$outdir"
bench_rc=0
measure=("$tmp/peerbench" run -spark2 "$tmp/spark2" -spark2bench "$tmp/spark2bench"
	-nap "$nap" -nap-kind "$nap_kind" -app "$tmp/app" -tmp "$tmp" -out "$outdir" "$@")
# In the background, so that a TERM or INT to this script is handled at once;
# timeout bounds the whole measurement.
timeout -k 10 480 "${measure[@]}" >"$tmp/report.md" &
bench_pid=$!
wait "$bench_pid" || bench_rc=$?
bench_pid=""
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Plot ----------------------------------------------------------------------
# peerbench wrote reload-vars.gp (the servers, their titles, the rate).
if [[ -f $outdir/reload-vars.gp ]] && command -v gnuplot >/dev/null; then
	if ! gnuplot -e "dir='$outdir'; load '$outdir/reload-vars.gp'" "$here/reload.gp" 2>"$tmp/gnuplot.log"; then
		say "gnuplot failed:"
		cat "$tmp/gnuplot.log" >&2
		((bench_rc)) || bench_rc=1
	fi
fi

# --- Report ----------------------------------------------------------------------
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git -C "$root" status --porcelain 2>/dev/null | head -1) ]] && commit+=" (with uncommitted changes)"
final="$results" out="$root/BENCHMARKS.md"
if ((bench_rc != 0)); then
	final="$results/failed" out="$results/failed/failed.md"
elif (($#)); then
	final="$results/partial" out="$results/partial/partial.md"
fi
mkdir -p "$final"
# The sections other scripts write between their markers (bench/run.sh's
# goal table of issue 12, bench/reload.sh's recipes, bench/health.sh's
# figures): kept from the file this replaces, in that order.
goals_block=""
if [[ $out == "$root/BENCHMARKS.md" && -f $out ]]; then
	for m in issue12-goals reload-recipes health; do
		b=$(sed -n "/<!-- $m:begin/,/<!-- $m:end/p" "$out")
		if [[ -n $b ]]; then
			goals_block+="${goals_block:+$'\n\n'}$b"
		fi
	done
fi
rm -f "$final"/*.csv "$final"/*.png "$final"/*.gp
cp "$outdir"/* "$final"/ 2>/dev/null || true
{
	echo "# spark2 against its peers"
	echo
	echo "spark2 is a process master that is also PID 1. Its peers are the small inits people put in front"
	echo "of a server in a container (tini, dumb-init, catatonit) and, for a Python app, gunicorn's own"
	echo "pre-fork master with its HUP reload. This file compares them side by side on one machine, in one"
	echo "run: the peers take turns (rotating order) or, for the reload figure, run at the same time, so"
	echo "that their ratios hold on a noisy machine even where the absolute figures do not."
	echo
	echo "Regenerate it, as root, with one command (5 to 8 minutes, bounded; installs missing peers with apt-get):"
	echo
	echo "    bench/peers/run.sh"
	echo
	echo "Extra arguments go to the measuring program and make a partial run, written to"
	echo "\`bench/peers/results/partial/\` instead, e.g. \`bench/peers/run.sh -only startup,exit\` or"
	echo "\`bench/peers/run.sh -only reload -reload-servers gunicorn-w2,spark2,spark2-ready\` (the flags are listed in \`bench/peers/peerbench/run.go\`)."
	echo
	echo "It writes this file, the raw data (CSV) and the plots (PNG) in \`bench/peers/results/\`. The"
	echo "measuring program is \`bench/peers/peerbench\` (Go, standard library and golang.org/x/sys); the"
	echo "app is \`bench/peers/app.py\`; the plots come from \`bench/peers/reload.gp\`."
	echo
	echo "## Machine and versions"
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| date | $started |"
	echo "| CPU | ${cpu:-unknown}, $(nproc) CPUs ($(grep -c ^processor /proc/cpuinfo) online), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) of memory |"
	echo "| kernel | \`$(uname -r)\` |"
	echo "| OS | $(. /etc/os-release && echo "$PRETTY_NAME") |"
	echo "| load average (1, 5, 15 min) | $load_before before, $load_after after: the machine is shared with other jobs |"
	echo "| Go | \`$(go version | cut -d' ' -f3-)\` |"
	echo "| spark2 | commit $commit, \`CGO_ENABLED=0 go build -trimpath -ldflags \"-s -w\"\`, $(stat -c %s "$tmp/spark2") bytes, static |"
	echo "| tini | $(ver tini) (\`tini\`, dynamic, and \`tini-static\`) |"
	echo "| dumb-init | $(ver dumb-init) |"
	echo "| catatonit | $(ver catatonit) (static) |"
	echo "| gunicorn | $(ver gunicorn) (sync workers), Python $(/usr/bin/python3 -c 'import platform; print(platform.python_version())') |"
	echo "| wrk | $(ver wrk) |"
	echo "| curl | $(ver curl) |"
	echo "| util-linux (unshare) | $(ver util-linux) |"
	echo "| gnuplot | $(ver gnuplot-nox) |"
	echo
	if [[ -n $goals_block ]]; then
		printf '%s\n\n' "$goals_block"
	fi
	cat "$tmp/report.md"
} >"$out"
say "wrote ${out#"$root"/}"
if ((bench_rc != 0)); then
	say "peerbench failed (exit $bench_rc); see the report"
	exit "$bench_rc"
fi
