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
