// Package logs builds spark2's own logger and forwards its workers' output.
//
// spark2's own messages go through one root hclog logger made by New, in text or
// JSON, at the level the user chose. The logger is injected where it is needed,
// never stored in a global; a worker's messages use a sub-logger such as
// log.Named("worker").With("id", slot, "pid", pid).
//
// A worker's stdout and stderr are pipes that spark2 reads with Forward, one
// goroutine per pipe. Forward passes each line through byte for byte (no prefix,
// no re-encoding, "\r" kept), so an app's JSON log lines stay valid JSON. It
// writes to a Sink: spark2's stdout, its stderr, or the access log file
// (--accesslog). A Sink is shared by every worker; it holds a lock around each
// Write, and Forward only ever hands it whole lines, so lines of different
// workers never interleave mid-line, however long they are (PIPE_BUF, 4096
// bytes, does not matter: only spark2 writes to its stdout and stderr).
//
// What Forward guarantees:
//
//   - Whole lines: every Write to the sink holds one or more complete lines,
//     read in chunks of up to 64 KiB and written with one Write per chunk.
//   - Nothing lost at EOF: a last line without a newline gets one.
//   - Bounded memory: a line longer than MaxLine bytes is written in pieces of
//     MaxLine bytes, each followed by an inserted "\n".
//   - Backpressure: a slow sink makes Forward wait, so the worker's pipe fills
//     and the worker waits too; nothing queues up in spark2.
//   - A failing sink never blocks a worker: Forward keeps draining the pipe,
//     drops what it cannot write, and reports it as a *DropError.
//
// spark2's own lines never wait for their reader: the logger writes into a
// Queue, a bounded queue that a goroutine of its own empties into the stderr
// Sink. When stderr cannot keep up, entries are dropped and counted, and the
// count is logged once output flows again; so the supervisor's loop never
// blocks on I/O, while workers still get back pressure on their pipes.
//
// Log rotation of the access log: after the file has been renamed away, Reopen
// makes the sink write to a new file at the same path; it is safe to call while
// Forwards are writing.
package logs
