// A plain node server for spark2, with no bootstrap: it listens on the
// socket spark2 passes as fd 3, says ready on SPARK2_READY_FD (spark2's
// --ready fd), and drains on SIGTERM so that a rolling respawn fails no
// request (see README.md, "Recipes"):
//
//   spark2 -n 2 --ready fd node examples/recipes/node-fd/server.js
'use strict';
const fs = require('fs');
const http = require('http');
const net = require('net');

// A connection that stays idle this long after the stop is closed: below
// spark2's default --stop-timeout of 8 s.
const IDLE_GRACE_MS = 2000;
let stopping = false;
const conns = new Map(); // socket -> { active: requests in progress, timer }

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(`hello from node, worker ${process.env.SPARK2_WORKER_ID} (pid ${process.pid})\n`);
});

server.on('connection', (socket) => {
  const conn = { active: 0, timer: null };
  conns.set(socket, conn);
  socket.once('close', () => {
    clearTimeout(conn.timer);
    conns.delete(socket);
  });
  if (stopping) closeWhenIdle(socket, conn);
});

server.prependListener('request', (req, res) => {
  // After the stop: answer with "Connection: close", and node closes the
  // connection after the answer.
  if (stopping) res.shouldKeepAlive = false;
  const conn = conns.get(req.socket);
  if (!conn) return;
  conn.active++;
  clearTimeout(conn.timer);
  res.once('close', () => {
    conn.active--;
    if (stopping) closeWhenIdle(req.socket, conn);
  });
});

// closeWhenIdle closes socket once it has had no request in progress and
// read nothing for IDLE_GRACE_MS: closing an idle keep-alive connection at
// once would race the client's next request on it.
function closeWhenIdle(socket, conn) {
  clearTimeout(conn.timer);
  const bytesRead = socket.bytesRead;
  conn.timer = setTimeout(() => {
    if (conn.active > 0 || socket.destroyed) return;
    if (socket.bytesRead !== bytesRead) return closeWhenIdle(socket, conn);
    socket.destroy();
  }, IDLE_GRACE_MS);
}

function stop() {
  if (stopping) return;
  stopping = true;
  for (const [socket, conn] of conns) {
    if (conn.active === 0) closeWhenIdle(socket, conn);
  }
  // net.Server's close, not http.Server's: since node 19 that one closes
  // every idle connection at once. It stops accepting (connections wait in
  // the kernel's queue for the next worker) and calls back when the last
  // connection is gone.
  net.Server.prototype.close.call(server, () => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.listen(Number(process.env.LISTEN_FDS) >= 1 ? { fd: 3 } : { port: Number(process.env.PORT || 3000) }, () => {
  const fd = Number(process.env.SPARK2_READY_FD);
  if (Number.isInteger(fd) && fd > 0) {
    fs.writeSync(fd, '\n');
    fs.closeSync(fd);
  }
});
