// Package config resolves the configuration of one spark2 run from its
// command line, its SPARK2_* env vars and a JSON config file. Parse is the
// entry point; --help, rendered by go-arg from the same struct tags, and
// this comment agree (options.go is the single source of truth).
//
// # Command line
//
//	spark2 [OPTIONS] [--] [COMMAND [ARG...]]
//
// Options end at "--" (dropped) or at the first word that is not an option
// ("-" alone is a word); the rest is the COMMAND, untouched:
// "spark2 -n 2 node --inspect app.js" runs "node --inspect app.js". An option
// is --long or -s; its value is attached with "=" (--workers=2, -n=2) or is
// the next word whatever it looks like (-n -3 is the invalid value "-3"),
// except "--", which is a missing value. A boolean option takes no next word
// but may be given a value with "=" (--verbose=false). As in go-arg, -n3 and
// combined short options (-vK) are not accepted. An unknown option is an
// error.
//
// # Options
//
//	option                       env var               default
//	-n, --workers N|auto         SPARK2_WORKERS        1
//	    --restart POLICY         SPARK2_RESTART        always
//	    --stop-timeout DURATION  SPARK2_STOP_TIMEOUT   8s
//	    --stop-signal SIGNAL     SPARK2_STOP_SIGNAL    TERM
//	    --ready notify|fd|DURATION SPARK2_READY        1s
//	    --ready-timeout DURATION SPARK2_READY_TIMEOUT  30s
//	    --watchdog DURATION      SPARK2_WATCHDOG       0 (off)
//	    --max-lifetime DURATION  SPARK2_MAX_LIFETIME   0 (off)
//	    --max-memory SIZE        SPARK2_MAX_MEMORY     0 (off)
//	-p, --port N                 SPARK2_PORT, PORT     3000
//	-H, --host ADDR              SPARK2_HOST           * (all interfaces)
//	    --balance MODE           SPARK2_BALANCE        shared
//	    --no-listen              SPARK2_NO_LISTEN      false
//	    --ssl-key PATH           SPARK2_SSL_KEY        none
//	    --ssl-crt PATH           SPARK2_SSL_CRT        none
//	-u, --user ID|NAME           SPARK2_USER           none (unchanged)
//	-g, --group ID|NAME          SPARK2_GROUP          none (the user's)
//	    --accesslog PATH         SPARK2_ACCESSLOG      none (spark2's stdout)
//	-C, --chdir DIR              SPARK2_CHDIR          none (unchanged)
//	-c, --config FILE            SPARK2_CONFIG         ./spark2.json if it exists
//	-E, --env NAME (-M, --mode)  SPARK2_ENV, NODE_ENV  development
//	    --set KEY=VALUE          SPARK2_SET            none
//	-I, --include DIR            SPARK2_INCLUDE        none
//	-e, --eval CODE              SPARK2_EVAL           none
//	-D, --debug                  SPARK2_DEBUG          false
//	    --comment TEXT           SPARK2_COMMENT        none
//	-v, --verbose                SPARK2_VERBOSE        false
//	-K, --no-color               SPARK2_NO_COLOR,      false
//	                             NO_COLOR
//	    --log-format FORMAT      SPARK2_LOG_FORMAT     text
//	    --log-level LEVEL        SPARK2_LOG_LEVEL      info
//	    --force                  SPARK2_FORCE          false
//	    --stale-after DURATION   SPARK2_STALE_AFTER    5s
//	    --status-file PATH       SPARK2_STATUS_FILE    none (the default location)
//	    --pidfile PATH           SPARK2_PIDFILE        none
//	    --watch                  SPARK2_WATCH          false
//	    --watch-path PATH        SPARK2_WATCH_PATH     none (the app's directory)
//	    --watch-ignore GLOB      SPARK2_WATCH_IGNORE   none (the built-in ones)
//	    --watch-poll DURATION    SPARK2_WATCH_POLL     0 (filesystem events)
//	    --status                                       (ActionStatus)
//	    --json                                         (with --status)
//	    --exit-code                                    (with --status)
//	    --probe live|ready                             (ActionStatus)
//	-R, --respawn                                      (ActionRespawn)
//	    --kill                                         (ActionKill)
//	-V, --version                                      (ActionVersion)
//	-h, --help                                         (ActionHelp)
//
// Accepted values:
//   - --workers: a whole number from 1 to 1024, or "auto": the CPUs of the
//     scheduler affinity mask, lowered to ceil(quota/period) of the cgroup
//     CPU limit (v2 cpu.max, v1 cpu.cfs_quota_us and cpu.cfs_period_us), at
//     most 1024.
//   - --restart: always, on-failure or no.
//   - --stop-timeout, --ready-timeout, --stale-after: a Go duration ("5s",
//     "1500ms") or a number of seconds ("5", "0.5"; a JSON number in the
//     file), above 0 and at most 1h. A status heartbeat older than
//     --stale-after is stale: the master is hung.
//   - --ready: "notify", the worker says when it is ready (READY=1 on
//     $NOTIFY_SOCKET); "fd", the same, and the worker also gets a readiness
//     pipe as one more fd (4, or 3 with --no-listen), named by
//     $SPARK2_READY_FD, and is ready once it writes to it (Config.ReadyFD;
//     without "fd" a worker has exactly fds 0-3, or 0-2); or a
//     duration as for --stop-timeout but from 0 ("0": ready as soon as the
//     COMMAND is exec'd) to 1h: a worker that says nothing is ready that long
//     after its start, one that says so earlier is ready earlier. When no
//     layer gives --ready (Config.ReadyGiven), the app may pick notify for
//     node apps instead of the 1s default. A duration must be below
//     --ready-timeout (else no worker could ever be ready in time).
//   - --stop-signal: the signal that asks a worker to stop gracefully, sent
//     to its process group and descendants on spark2's stop, in a rolling
//     respawn, on scale-down and for health replacements, followed by CONT;
//     KILL follows after --stop-timeout. A name with or without SIG in any
//     letter case (TERM, SIGQUIT), RTMIN+N or RTMAX-N, or a number from 1
//     to 64 (not 32, 33; a JSON number or string in the file). STOP, TSTP,
//     TTIN and TTOU are refused: they pause a process. KILL is accepted.
//   - --watchdog, --max-lifetime (worker health): 0, off (the default); or
//     a Go duration with a unit ("10s", "500ms", "1h30m"; a bare number
//     other than 0 is refused: seconds or minutes?), for --watchdog from
//     100ms to 1h, for --max-lifetime from 1s to 10000h; in the file a
//     string. With --watchdog, workers get systemd's WATCHDOG_USEC and
//     WATCHDOG_PID and a ready worker that sends no WATCHDOG=1 for that long
//     is hung (SIGABRT, KILL after --stop-timeout, respawn); a worker older
//     than --max-lifetime, less a random jitter of up to 10 %, is replaced
//     readiness-gated, one slot at a time.
//   - --max-memory: 0, off (the default); or a size of at least 1MiB: a
//     number (a fraction allowed) and a unit, B, k/K/KB, M/MB, G/GB, T/TB
//     (powers of 1000) or Ki/KiB, Mi/MiB, Gi/GiB, Ti/TiB (powers of 1024),
//     such as "512MiB", "1GiB" or "300M"; in the file a string. A worker
//     whose process tree's resident memory is above it is replaced
//     readiness-gated.
//   - --port: a whole number from 0 to 65535 (a JSON number or string in the
//     file); 0 lets the kernel pick a free port. An empty PORT counts as
//     unset; an invalid one is an error naming PORT.
//   - --host: an IPv4 or IPv6 address literal, kept as given ("0.0.0.0",
//     "::" and zones such as "fe80::1%eth0" included), or "*" for all
//     interfaces (Config.Host ""). No host names, no brackets.
//   - --balance: shared or reuseport, in any case. reuseport binds 2×N
//     sockets (N = --workers) before the privilege drop, so TTIN can add
//     slots up to 2×N; the app does the rest.
//   - --no-listen: a boolean. With it, -p, -H, --ssl-key and --ssl-crt given
//     by any layer but the defaults are an error (env PORT, which platforms
//     set for every container, is ignored).
//   - --ssl-key, --ssl-crt: a non-empty path, made absolute like
//     --accesslog; both or neither. Reading and matching them is the app's
//     job.
//   - --user, --group: a numeric id from 0 to 4294967294 (a JSON number or
//     string in the file), or a name of at most 32 characters matching
//     [A-Za-z_][A-Za-z0-9_.-]*[$]?, kept as given; looking names up in
//     /etc/passwd and /etc/group is the app's job. --group needs --user:
//     a group alone would leave spark2 at uid 0 with every capability.
//   - --accesslog, --chdir, --config, --include: a non-empty path, relative
//     to the directory spark2 is started in (Parse's cwd); Config holds it
//     absolute. -C and each -I must name an existing directory; an explicit
//     -c (flag or env var) must exist, while a missing ./spark2.json is fine.
//   - -E/--env and its alias -M/--mode (the last given wins): A-Z a-z 0-9 _ . -
//   - --set: KEY=VALUE, KEY matching [A-Za-z_][A-Za-z0-9_]* and not one of
//     the variables of the worker contract that spark2 sets itself
//     (internal/contract: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES, PORT,
//     SPARK2_HOST, NOTIFY_SOCKET, SPARK2_READY_FD, SPARK2_WORKER_ID,
//     SPARK2_ENV, NODE_ENV, SPARK2_SSL_KEY, SPARK2_SSL_CRT,
//     SPARK2_SSL_KEY_PEM, SPARK2_SSL_CRT_PEM, SPARK2_APP, SPARK2_BOOTSTRAP,
//     SPARK2_EVAL, SPARK2_COMMENT, WATCHDOG_USEC, WATCHDOG_PID; NODE_PATH
//     may be given). Repeatable; SPARK2_SET is a comma-separated list (one
//     CSV record, so an item holding a comma is written "K=a,b" in double
//     quotes).
//   - --include: repeatable, in order; SPARK2_INCLUDE is a comma-separated
//     list like SPARK2_SET; in the file, an array of strings.
//   - --eval, --comment: any text ("" is none).
//   - --status-file, --pidfile: an absolute path of a file, cleaned; not
//     "/", not ending in "/", not an existing directory, and not both the
//     same. A relative path is refused: the control commands, run from
//     another directory (docker exec), must find the very file the master
//     writes. Its directory need not exist. Without --status-file the
//     status file is at the default location (Config.StatusFile ""):
//     $XDG_RUNTIME_DIR or $TMPDIR or /tmp, /spark2-<uid>/status-<port>-<hash>.json.
//   - --watch-path: an existing file or directory, relative to the
//     directory spark2 is started in like -I, held absolute; repeatable, in
//     order; SPARK2_WATCH_PATH is a comma-separated list like SPARK2_SET; in
//     the file, an array of strings. None means the app's directory (the -C
//     directory, else the working directory). A --watch-path implies --watch
//     in its layer: only --watch=false after it on the command line, or
//     --watch false from a higher layer, turns watching off.
//   - --watch-ignore: a path.Match pattern ("*.log", "tmp/*"), matched
//     against a file's name and against its path relative to the watched
//     directory; a malformed pattern ("[") is an error. Repeatable; a list
//     like --watch-path. The built-in ignores (.git, node_modules, editor
//     swap and backup files) always apply.
//   - --watch-poll: 0, watch with filesystem events (the default); or a poll
//     interval as for --stop-timeout from 10ms to 1m, for bind mounts that
//     deliver no events.
//   - --probe: live or ready, in any letter case (see Control commands).
//   - --verbose, --no-color, --no-listen, --debug, --force, --watch and the
//     command-line actions: booleans; in an env var or after "=" true,
//     false, 1, 0, yes or no, in any letter case; in the file true or false.
//     -v means log level debug: the more verbose of -v and --log-level wins.
//     NO_COLOR, when set and not empty, means --no-color whatever its value
//     (no-color.org).
//   - --log-format: text or json. --log-level: trace, debug, info, warn or
//     error. These, --restart, --probe, "notify" and "auto" are read in any
//     letter case.
//
// # Precedence
//
// Each option takes its value from the first of these that gives one:
//
//  1. the command line;
//  2. its env var (SPARK2_ENV, else NODE_ENV; SPARK2_PORT, else PORT;
//     SPARK2_NO_COLOR, else NO_COLOR);
//  3. the config file's section for the environment name;
//  4. the config file's top level;
//  5. its default.
//
// --set, --include, --watch-path and --watch-ignore follow the same rule for
// the whole list: the flags together replace the env var's list, which
// replaces the file's list; lists are not merged. Every value given is validated, even one that a higher
// layer overrides (whether a directory exists is checked for the winner
// only). A SPARK2_* env var that is set but empty is an error; an empty
// NODE_ENV, PORT or NO_COLOR counts as unset.
//
// # Config file
//
// The file is -c/--config, else SPARK2_CONFIG, else spark2.json in the -C
// directory (from the command line or SPARK2_CHDIR, not from the file) or,
// without one, in the working directory. It is a JSON object whose keys are
// the long option names, with values of the option's type (a string; or a
// number for workers, port, user, group and the durations stop-timeout,
// ready, ready-timeout, stale-after and watch-poll; true/false for booleans;
// for include, watch-path and watch-ignore an array of strings; for set an array ["KEY=VALUE"] or an object {"KEY": "VALUE"},
// whose string, number or boolean values are taken in key order), plus an
// optional "environments" object of sections by environment name:
//
//	{
//	  "workers": 2,
//	  "port": 8080,
//	  "set": {"GREETING": "hello"},
//	  "include": ["lib"],
//	  "environments": {
//	    "production": {"workers": "auto", "restart": "on-failure"}
//	  }
//	}
//
// The section of the final environment name (which the command line, the env
// vars or the top level gives) overlays the top level; every section is
// checked. A section cannot set env, mode or environments; no part of the
// file may set config, version, help, or the control commands and their
// modifiers (status, probe, json, exit-code, respawn, kill). Unknown keys, wrong JSON types (null
// included), strings with a NUL byte, malformed JSON (reported with
// line:column) and invalid values are errors. So are a file larger than
// 1 MiB and one that another user could have written (see untrusted): spark2
// reads it as root, and it decides how every worker runs.
//
// # Control commands
//
// --status, --probe, -R/--respawn and --kill act on the master already
// running, and start no server: Parse returns ActionStatus (--status or
// --probe), ActionRespawn or ActionKill, with the Config resolved from every
// layer as for a run, since the app finds the master by the same -C, -p, -u
// and --status-file settings that it was started with. They and --json and
// --exit-code are command-line only, like -V: no env var, and a config file
// may not set them.
//
//   - --status prints the master's status; --json prints it as JSON;
//     --exit-code makes the exit code tell whether the master can serve.
//   - --probe live|ready, for Kubernetes exec probes, implies --status and
//     --exit-code. ready, what a plain --exit-code checks: the master can
//     serve (a worker is ready; use it for readinessProbe). live: the master
//     runs, its heartbeat is younger than --stale-after and it is not
//     crash-looping, so it stays healthy through respawns and single crashes
//     (use it for livenessProbe).
//   - -R/--respawn replaces every worker, one at a time (as SIGCONT does);
//     --kill stops the master (SIGTERM) and waits until it is gone.
//   - --force is for a normal run: stop the master already running, then
//     start (Config.Force).
//
// Each of these is an error that names both parts: two of --status (or
// --probe), --respawn and --kill; --json or --exit-code without --status or
// --probe; --force on the command line with a control command (SPARK2_FORCE
// and the file's "force" are ignored then, so that a probe works in a
// container that sets them); a COMMAND after a control command ("--kill
// takes no COMMAND").
//
// # Errors
//
// Every invalid input is a *UsageError whose message is one line naming the
// flag (-n/--workers), the env var or the file and key, and what is
// accepted; the app prints "spark2: " and the message, and exits 2.
package config
