// The seed's kind of app: a module that exports an http.Server. spark2 runs it
// as N workers on one port with a bare `spark2` in this directory (or
// `spark2 -C examples/hello` from the repository's root).
const http = require('http');

module.exports = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(`Hello World from worker ${process.env.SPARK2_WORKER_ID} (pid ${process.pid})\n`);
});
