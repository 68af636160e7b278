// Package nodeapp runs the seed's kind of app: a directory whose app.js (else
// server.js) exports an http.Server, https.Server or net.Server, run with a
// bare `spark2`. Find locates the app; Command builds the argv and environment
// of one node worker, which runs an embedded bootstrap (bootstrap.js, passed
// in SPARK2_BOOTSTRAP and run by a short `node -e` loader that removes it from
// the environment, so no file has to exist on disk and ps shows no source)
// that does, in order:
//
//  1. process.title = its last argument, Title: "node <app>", or "spark2
//     worker <slot> [<comment>]" with --comment.
//  2. SPARK2_EVAL set: runs it in global scope (indirect eval); an exception
//     there is printed to stderr and the worker exits 1.
//  3. require(SPARK2_APP) (import() for an ES module that require cannot
//     load); the server is module.exports, else module.exports.default, else
//     exports.server, whichever is a net.Server first. None is: the seed's
//     "Spark2: invalid application <path>: ..." on stderr and exit 78
//     (exitcode.Permanent). Loading throws: the stack on stderr and exit 1.
//  4. SPARK2_SSL_KEY_PEM and SPARK2_SSL_CRT_PEM set (PEM text, not paths): a
//     tls.Server listens and hands each decrypted socket to the app's
//     'connection' event, so the app is served over TLS unchanged. A key or
//     certificate node rejects: exit 78 (exitcode.Permanent). An app that is a TLS
//     server itself (https.Server) keeps its own certificate. Both variables
//     leave process.env before step 2, so no code or child of the app sees
//     the key.
//  5. LISTEN_FDS >= 1: listens on fd 3; otherwise on PORT (default 3000) and
//     SPARK2_HOST (default all interfaces), so it also runs stand-alone. A
//     listen error: exit 1. Once listening, prints to stdout
//     "Spark2 server(<pid>) listening on <http|https>://<host>:<port> in <env> mode"
//     (host: SPARK2_HOST, IPv6 in brackets, else "*"; port: the socket's;
//     env: SPARK2_ENV, else NODE_ENV, else development), then, if
//     SPARK2_READY_FD is set, writes "\n" to that fd and closes it. Node
//     cannot write to NOTIFY_SOCKET (a unixgram socket), so it does not.
//  6. SIGTERM or SIGINT: stops accepting (closes its copy of the socket);
//     for an HTTP app, every request already read or arriving on an open
//     connection gets its response, with "Connection: close" when its
//     headers were not sent yet, and node closes that connection after it; a
//     connection is closed only once it has stayed idle (or silent) for 2 s,
//     since closing an idle keep-alive connection at once would race the
//     client's next request on it (the same drain as internal/httpdrain's);
//     upgraded ones (WebSocket) are left to the app; the worker exits 0 when
//     its last connection is closed. A plain net.Server's connections are left
//     to the app to end. A second signal changes nothing: spark2 SIGKILLs the
//     worker at its stop timeout.
//
// Exit codes of a node worker: 0 after a graceful stop, 78 (exitcode.Permanent)
// for an app that can never serve, 1 for anything that may be transient
// (--eval or the app's load throws, listen fails, an uncaught exception).
package nodeapp
