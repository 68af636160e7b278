// spark2 node bootstrap: runs $SPARK2_APP as a spark2 worker (see internal/nodeapp/doc.go).
// The variables it reads and the fd it listens on are the worker contract's,
// which Go names once in internal/contract (README.md, "The worker contract").
(function spark2Bootstrap() {
  'use strict';
  const fs = require('fs');
  const http = require('http');
  const https = require('https');
  const net = require('net');
  const path = require('path');
  const tls = require('tls');
  const url = require('url');
  const util = require('util');

  const EXIT_CRASH = 1;
  const EXIT_INVALID_APP = 78; // EX_CONFIG, Go's exitcode.Permanent (internal/exitcode): respawning cannot help
  // When the worker stops, a connection that stays idle this long (a
  // keep-alive connection between requests, a browser's preconnect, a port
  // probe) is closed; below spark2's default --stop-timeout of 8 s.
  const IDLE_GRACE_MS = 2000;
  const env = process.env;
  let stopping = false;
  // The TLS key leaves the environment before any app code runs, so that the
  // app's child processes never get it.
  const key = env.SPARK2_SSL_KEY_PEM;
  const cert = env.SPARK2_SSL_CRT_PEM;
  delete env.SPARK2_SSL_KEY_PEM;
  delete env.SPARK2_SSL_CRT_PEM;

  function fail(code, message) {
    process.stderr.write(message + '\n');
    process.exit(code);
  }

  function describe(err) {
    return err instanceof Error && err.stack ? err.stack : util.inspect(err);
  }

  // 1. The process title, so that ps, htop and docker top show "node <app>"
  // or the --comment, not this source: spark2 passes it as the last argument
  // (nodeapp.Title), which also makes the room for it in the command line.
  if (process.argv.length > 1) process.title = process.argv[process.argv.length - 1];

  // 2. --eval, in global scope (indirect eval), before the app.
  if (env.SPARK2_EVAL) {
    try {
      (0, eval)(env.SPARK2_EVAL);
    } catch (err) {
      fail(EXIT_CRASH, `Spark2: --eval failed: ${describe(err)}`);
    }
  }

  // 3. The app: CommonJS through require; an ES module through import() where
  // this node cannot require() it.
  const app = path.resolve(env.SPARK2_APP || (fs.existsSync('app.js') ? 'app.js' : 'server.js'));
  let exported;
  try {
    exported = require(app);
  } catch (err) {
    if (err && (err.code === 'ERR_REQUIRE_ESM' || err.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
      import(url.pathToFileURL(app).href).then(serve, (e) => fail(EXIT_CRASH, cannotLoad(e)));
      return;
    }
    fail(EXIT_CRASH, cannotLoad(err));
  }
  serve(exported);

  function cannotLoad(err) {
    return `Spark2: cannot load application ${app}: ${describe(err)}`;
  }

  function serve(exported) {
    const server = [exported, exported && exported.default, exported && exported.server]
      .find((candidate) => candidate instanceof net.Server);
    if (!server) {
      fail(EXIT_INVALID_APP, `Spark2: invalid application ${app}: it must export an http.Server or net.Server, ` +
        "e.g. module.exports = require('http').createServer(handler)");
    }
    // 4. TLS in front of the app, unless the app is a TLS server itself.
    let listener = server;
    let secure = server instanceof tls.Server;
    if (key && cert && !secure) {
      listener = tlsFront(server, key, cert);
      secure = true;
    }
    const drain = server instanceof http.Server || server instanceof https.Server ? trackHTTP(server) : null;
    listen(listener, secure);
    const stop = () => gracefulStop(listener, drain);
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  }

  function tlsFront(server, key, cert) {
    let front;
    try {
      front = tls.createServer({
        key,
        cert,
        allowHalfOpen: Boolean(server.allowHalfOpen),
        noDelay: server instanceof http.Server,
      });
    } catch (err) {
      fail(EXIT_INVALID_APP, `Spark2: cannot serve over TLS with --ssl-key and --ssl-crt: ${err.message}`);
    }
    front.on('secureConnection', (socket) => server.emit('connection', socket));
    return front;
  }

  // 5. Listen on the socket spark2 passes as fd 3, else on $PORT, then print
  // the banner and say ready.
  function listen(listener, secure) {
    // fd 3: Go's contract.ListenFD (internal/contract).
    const where = Number(env.LISTEN_FDS) >= 1 ? { fd: 3 } : { port: Number(env.PORT || 3000), host: bare(env.SPARK2_HOST) };
    const name = where.fd ? 'fd 3 (LISTEN_FDS)' : `port ${where.port}${where.host ? ' of ' + where.host : ''}`;
    const onError = (err) => fail(EXIT_CRASH, `Spark2: cannot listen on ${name}: ${err.message}`);
    listener.once('error', onError);
    listener.once('listening', () => {
      listener.removeListener('error', onError);
      announce(listener, secure);
      ready();
    });
    try {
      listener.listen(where);
    } catch (err) {
      onError(err);
    }
  }

  function bare(host) {
    return host ? host.replace(/^\[(.*)\]$/, '$1') : undefined;
  }

  function announce(listener, secure) {
    const address = listener.address();
    const port = address && typeof address === 'object' ? address.port : env.PORT;
    let host = bare(env.SPARK2_HOST) || '*';
    if (host.includes(':')) host = `[${host}]`;
    const mode = env.SPARK2_ENV || env.NODE_ENV || 'development';
    process.stdout.write(`Spark2 server(${process.pid}) listening on ${secure ? 'https' : 'http'}://${host}:${port} in ${mode} mode\n`);
  }

  // ready writes "\n" to $SPARK2_READY_FD and closes it. Without it there is
  // nothing to do: node cannot send to $NOTIFY_SOCKET (a unixgram socket).
  // Under spark2's --watchdog (WATCHDOG_USEC, with WATCHDOG_PID this pid) the
  // fd stays open: a timer on the event loop writes "\n" to it every
  // WATCHDOG_USEC/2, spark2's keep-alive for a node worker, so a blocked
  // event loop (a handler that never returns) stops the pings and is
  // found hung. The timer is unref'd: it keeps nothing alive.
  function ready() {
    const text = env.SPARK2_READY_FD;
    if (!text) return;
    delete env.SPARK2_READY_FD;
    const fd = Number(text);
    try {
      if (!Number.isInteger(fd) || fd < 0) throw new Error('not a file descriptor');
      fs.writeSync(fd, '\n');
      if (!watchdog(fd)) fs.closeSync(fd);
    } catch (err) {
      process.stderr.write(`Spark2: cannot report readiness on SPARK2_READY_FD=${text}: ${err.message}\n`);
    }
  }

  function watchdog(fd) {
    const usec = Number(env.WATCHDOG_USEC);
    if (!Number.isSafeInteger(usec) || usec <= 0 || Number(env.WATCHDOG_PID) !== process.pid) return false;
    const timer = setInterval(() => {
      try {
        fs.writeSync(fd, '\n');
      } catch (err) {
        clearInterval(timer);
        process.stderr.write(`Spark2: cannot send watchdog keep-alives on the ready fd: ${err.message}\n`);
      }
    }, Math.max(1, Math.floor(usec / 2000)));
    timer.unref();
    return true;
  }

  // 6. Graceful stop, the drain (the same as internal/httpdrain's): stop
  // accepting (close this worker's copy of the socket: connections not yet
  // accepted wait in the kernel's queue for another worker); answer every
  // request read from now on with "Connection: close" and close its
  // connection after that answer; close a connection only once it has stayed
  // idle (or silent) for IDLE_GRACE_MS, because closing an idle keep-alive
  // connection at once races the client's next request on it; exit 0 when
  // the last connection is gone. A second signal changes nothing.
  function gracefulStop(listener, drain) {
    if (stopping) return;
    stopping = true;
    if (drain) drain();
    // net.Server's close, not http.Server's: since node 19 that one also
    // closes every idle connection at once, the race this drain avoids.
    net.Server.prototype.close.call(listener, () => process.exit(0));
  }

  // trackHTTP follows the connections and requests of an HTTP server and
  // returns the function that drains them at stop.
  function trackHTTP(server) {
    const connections = new Map(); // socket -> { responses, timer }
    server.on('connection', (socket) => {
      const conn = { responses: new Set(), timer: null };
      connections.set(socket, conn);
      socket.once('close', () => {
        clearTimeout(conn.timer);
        connections.delete(socket);
      });
      if (stopping) closeWhenIdle(socket, conn);
    });
    server.prependListener('request', (req, res) => {
      if (stopping) res.shouldKeepAlive = false; // "Connection: close", and node closes after the answer
      const conn = connections.get(req.socket);
      if (!conn) return;
      conn.responses.add(res);
      res.once('close', () => {
        conn.responses.delete(res);
        if (stopping) closeWhenIdle(req.socket, conn);
      });
    });

    // closeWhenIdle closes socket once it has read nothing and had no
    // request in progress for IDLE_GRACE_MS.
    function closeWhenIdle(socket, conn) {
      clearTimeout(conn.timer);
      const bytesRead = socket.bytesRead;
      conn.timer = setTimeout(() => {
        conn.timer = null;
        // A socket without a parser was upgraded (WebSocket): the app owns it.
        if (!connections.has(socket) || socket.destroyed || !socket.parser) return;
        if (conn.responses.size > 0) return; // the response's close starts the grace again
        if (socket.bytesRead !== bytesRead) return closeWhenIdle(socket, conn); // a request is arriving
        socket.destroy();
      }, IDLE_GRACE_MS);
    }

    return function drain() {
      for (const [socket, conn] of connections) {
        for (const res of conn.responses) res.shouldKeepAlive = false;
        if (conn.responses.size === 0) closeWhenIdle(socket, conn);
      }
    };
  }
})();
