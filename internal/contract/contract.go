// Package contract is spark2's worker contract, named once: every
// environment variable spark2 sets for a worker and every fd it gives one
// (README.md, "The worker contract"). internal/launch (the fds,
// SPARK2_READY_FD, the own-pid variables, what a worker does not inherit
// from spark2), internal/app (the environment of every worker),
// internal/nodeapp and internal/tlsfiles (their variables) and
// internal/config (the names --set may not give) take the names from here;
// nodeapp's bootstrap.js, which cannot import Go, names this package in a
// comment. The tests of this package hold README's section to this file.
//
// It is a package of its own, with no imports, rather than a file of
// internal/launch: config needs the reserved names, and config is what the
// probe path (spark2 --status) loads; importing launch there would pull the
// process starter, its exec stub and golang.org/x/sys into every probe.
package contract

// The fds of a worker, in this order and nothing else: 0 is /dev/null, 1
// and 2 are pipes whose lines spark2 forwards; then the listening socket at
// ListenFD (none with --no-listen; under --balance reuseport, the slot's own
// socket); then, when the worker has one (--ready fd, node apps), the ready
// fd, whose number SPARK2_READY_FD holds: the first fd after the sockets.
const (
	// ListenFD is the listening socket's fd: systemd's SD_LISTEN_FDS_START,
	// what go-systemd, libsystemd, gunicorn, uvicorn --fd 3 and node's
	// listen({fd: 3}) take.
	ListenFD = 3
)

// The variables spark2 sets for a worker (README.md, "The worker contract").
const (
	// ListenFDs is "1" when the worker has the listening socket at ListenFD
	// (systemd's socket activation); unset with --no-listen.
	ListenFDs = "LISTEN_FDS"
	// ListenPID is the worker's own pid, set in the worker just before exec
	// (see OwnPIDPairs): libsystemd, go-systemd and gunicorn ignore
	// LISTEN_FDS unless LISTEN_PID is their pid.
	ListenPID = "LISTEN_PID"
	// ListenFDNames names the socket: ListenFDName.
	ListenFDNames = "LISTEN_FDNAMES"
	// Port is the port spark2 listens on (-p; the one the kernel chose for
	// -p 0). Unset with --no-listen.
	Port = "PORT"
	// Host is the address spark2 listens on, with -H only.
	Host = "SPARK2_HOST"
	// NotifySocket is the abstract unix socket on which a worker (or any of
	// its descendants) sends systemd's READY=1 and WATCHDOG=1.
	NotifySocket = "NOTIFY_SOCKET"
	// ReadyFD is the number of the ready fd, with --ready fd and for node
	// apps: any byte written to it says "ready"; with a watchdog, node apps
	// keep writing to it as their keep-alive.
	ReadyFD = "SPARK2_READY_FD"
	// WorkerID is the worker's slot, 0..N-1, kept across respawns.
	WorkerID = "SPARK2_WORKER_ID"
	// Env and NodeEnv are the environment name (-E).
	Env     = "SPARK2_ENV"
	NodeEnv = "NODE_ENV"
	// SSLKey and SSLCrt are the paths of --ssl-key and --ssl-crt, for
	// workers that can read them; SSLKeyPEM and SSLCrtPEM their contents,
	// read by spark2 while it was still root, for workers that cannot.
	SSLKey    = "SPARK2_SSL_KEY"
	SSLCrt    = "SPARK2_SSL_CRT"
	SSLKeyPEM = "SPARK2_SSL_KEY_PEM"
	SSLCrtPEM = "SPARK2_SSL_CRT_PEM"
	// App is the node app spark2 runs itself (no COMMAND): the absolute
	// path of app.js or server.js.
	App = "SPARK2_APP"
	// Bootstrap is the node bootstrap's source, which a short `node -e`
	// loader takes out of the environment and runs.
	Bootstrap = "SPARK2_BOOTSTRAP"
	// Eval is -e's code, which a node worker runs before the app.
	Eval = "SPARK2_EVAL"
	// Comment is --comment, a node worker's process title.
	Comment = "SPARK2_COMMENT"
	// NodePath is, for node workers with -I, the -I directories and then the
	// NODE_PATH the worker would otherwise get.
	NodePath = "NODE_PATH"
	// WatchdogUSec is --watchdog in microseconds (systemd's watchdog
	// protocol); WatchdogPID is then the worker's own pid.
	WatchdogUSec = "WATCHDOG_USEC"
	WatchdogPID  = "WATCHDOG_PID"
)

// ListenFDName is the value of LISTEN_FDNAMES.
const ListenFDName = "spark2"

// Reserved says, for each variable of the contract but NODE_PATH, why --set
// may not give it, in one phrase ("spark2 sets it ...; use ..."): spark2
// sets it itself. NODE_PATH may be given: spark2 puts the -I directories in
// front of the one a worker would get, --set's included.
var Reserved = map[string]string{
	ListenFDs:     "spark2 sets it to hand the listening socket to each worker",
	ListenPID:     "spark2 sets it to hand the listening socket to each worker",
	ListenFDNames: "spark2 sets it to hand the listening socket to each worker",
	Port:          "spark2 sets it to the port it listens on; use -p/--port",
	Host:          "spark2 sets it to the address it listens on; use -H/--host",
	NotifySocket:  "spark2 sets it to learn when a worker is ready",
	ReadyFD:       "spark2 sets it to the fd on which a worker says it is ready",
	WorkerID:      "spark2 sets it to each worker's slot number",
	Env:           "spark2 sets it from the environment name; use -E/--env",
	NodeEnv:       "spark2 sets it from the environment name; use -E/--env",
	SSLKey:        "spark2 sets it from --ssl-key; use --ssl-key and --ssl-crt",
	SSLCrt:        "spark2 sets it from --ssl-crt; use --ssl-key and --ssl-crt",
	SSLKeyPEM:     "spark2 sets it to the contents of --ssl-key; use --ssl-key and --ssl-crt",
	SSLCrtPEM:     "spark2 sets it to the contents of --ssl-crt; use --ssl-key and --ssl-crt",
	App:           "spark2 sets it to the node app it runs (app.js, else server.js); use -C to choose the directory",
	Bootstrap:     "spark2 sets it to the node bootstrap's source for node workers",
	Eval:          "spark2 sets it from -e/--eval for node workers; use -e/--eval",
	Comment:       "spark2 sets it from --comment for node workers; use --comment",
	WatchdogUSec:  "spark2 sets it for its watchdog; use --watchdog",
	WatchdogPID:   "spark2 sets it for its watchdog; use --watchdog",
}

// MaxEnvLen is the longest "NAME=value" that a worker's environment may
// hold: Linux execs no program with an argument or environment string
// longer than MAX_ARG_STRLEN (32 pages of 4 KiB, the final NUL included),
// and fails with E2BIG instead.
const MaxEnvLen = 32*4096 - 1

// NotInherited are the variables that, in spark2's own environment, were
// set by whatever started spark2 (systemd's socket activation, a notify
// socket, systemd's watchdog for spark2) and describe spark2's process:
// passed on, they would make a worker think they were meant for it (a
// worker would ping a watchdog that does not watch it). A worker gets them
// from spark2 only.
var NotInherited = []string{ListenPID, ListenFDs, ListenFDNames, NotifySocket, WatchdogUSec, WatchdogPID}

// OwnPIDPairs pairs a variable with the one that must then hold the worker's
// own pid, which only the worker knows: systemd's socket activation and
// watchdog protocols. The launcher sets the second in the worker, just
// before exec, when the worker's environment has the first.
var OwnPIDPairs = [][2]string{{ListenFDs, ListenPID}, {WatchdogUSec, WatchdogPID}}
