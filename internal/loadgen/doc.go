// Package loadgen is spark2's one load client for zero-downtime tests and
// benchmarks: HTTP/1.1 GETs over raw TCP connections, N connections at once,
// one request at a time on each, no think time, bounded by a request count
// and a duration.
//
// It never retries. Go's http.Client sends a GET again when a reused
// connection fails, curl and browsers do the same, and so a respawn that
// closes a keep-alive connection under a client's feet looks like zero
// failures to them. A user behind a proxy that does not retry sees an error.
// loadgen counts what such a user sees, as wrk does:
//
//   - Every request it writes, or tries to write, is counted in Sent, once.
//   - A request that gets a complete answer (status line, headers, and the
//     whole body by Content-Length, chunked encoding, or to the end of the
//     connection when it has neither) counts as OK when its status is 2xx
//     and as NotOK otherwise.
//   - Every other request counts as Failed, with one reason: Refused (the
//     connect for it was refused), Reset (ECONNRESET or EPIPE), EOF (the
//     server closed the connection before the answer was complete: the
//     classic race of a keep-alive connection closed while idle), Timeout
//     (no complete answer within Config.Timeout) or Other (a malformed
//     answer, any other error). Sent = OK + NotOK + Failed, always.
//   - A connection is closed and a new one opened only after an answer that
//     said "Connection: close" (or came as HTTP/1.0 without keep-alive),
//     after a failure (which was counted), or per request in the
//     NewConnection mode, which sends "Connection: close" itself.
//
// A stop (Load.Stop, the duration, the request count) only keeps new
// requests from starting: the ones in flight finish and are counted, so
// stopping the load never makes a failure.
package loadgen
