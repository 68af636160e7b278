// The seed's kind of app: a module that exports an http.Server, and nothing
// else. spark2's node bootstrap listens on fd 3, says ready, and drains on
// SIGTERM (see README.md, "Recipes"):
//
//   spark2 -C examples/recipes/node-app -n 2
const http = require('http');

module.exports = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(`hello from node app.js, worker ${process.env.SPARK2_WORKER_ID} (pid ${process.pid})\n`);
});
