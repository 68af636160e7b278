# bench/lib.sh: what both benchmark scripts need to leave nothing behind.
# Source it after setting tmp (a scratch directory) and bench_pid (the
# measuring program's pid while it runs, "" otherwise): on exit, INT or TERM
# it stops the measuring program, kills every process left below the script
# and removes tmp.

# descendants PID: every process below PID, less the subshell running this
# function (a command substitution) and what it runs.
descendants() {
	local root_pid=$1 me=$BASHPID f line pid rest ppid
	local -A kids=()
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		pid=${line%% *}
		rest=${line##*) }
		read -r _ ppid _ <<<"$rest"
		kids[$ppid]+="$pid "
	done
	local queue=("$root_pid") p k
	while ((${#queue[@]})); do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		for k in ${kids[$p]:-}; do
			[[ $k == "$me" ]] && continue
			echo "$k"
			queue+=("$k")
		done
	done
}

cleanup() {
	local rc=$? i pids
	trap - EXIT INT TERM
	# The measuring program cleans up after itself on TERM (it is a child
	# subreaper: orphans come back to it); give it a moment, then kill what
	# is left.
	if [[ -n $bench_pid ]] && kill -0 "$bench_pid" 2>/dev/null; then
		kill -TERM "$bench_pid" 2>/dev/null || true
		for i in $(seq 100); do
			kill -0 "$bench_pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	for i in 1 2 3; do
		pids=$(descendants $$)
		[[ -z $pids ]] && break
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null || true
		sleep 0.2
	done
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# install_missing PACKAGE=COMMAND...: as root with apt-get, installs from
# Debian's packages each PACKAGE whose COMMAND is not on PATH (apt-get update
# first). A package this release does not have is skipped with a line on
# stderr (the figures that need it are then reported as not measured).
# Needs tmp.
install_missing() {
	local pc p avail=() missing=()
	for pc in "$@"; do
		command -v "${pc#*=}" >/dev/null || missing+=("${pc%%=*}")
	done
	((${#missing[@]})) || return 0
	if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
		printf 'bench: missing %s (install them as root with apt-get)\n' "${missing[*]}" >&2
		return 0
	fi
	printf 'bench: installing from Debian'"'"'s packages: %s (apt-get update first)\n' "${missing[*]}" >&2
	apt-get update -qq >/dev/null 2>&1 || printf 'bench: apt-get update failed; trying the install anyway\n' >&2
	for p in "${missing[@]}"; do
		if apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
			avail+=("$p")
		else
			printf 'bench: no Debian package %s here; skipped\n' "$p" >&2
		fi
	done
	if ((${#avail[@]})); then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${avail[@]}" >"$tmp/apt.log" 2>&1 ||
			{ printf 'bench: apt-get install failed:\n' >&2; tail -5 "$tmp/apt.log" >&2; }
	fi
}
