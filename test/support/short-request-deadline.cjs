// Preloaded into a service process by tests: Node's request deadline set to 1 s and checked every
// 100 ms, so that a test sees in seconds what a long upload meets after Node's default 300 s.
const http = process.getBuiltinModule('node:http');
const createServer = http.createServer;
http.createServer = (...args) =>
  createServer(
    { requestTimeout: 1000, connectionsCheckingInterval: 100 },
    args.find((arg) => typeof arg === 'function'),
  );
// Nest imports node:http as an ES module: its namespace must see the replacement too.
process.getBuiltinModule('node:module').syncBuiltinESMExports();
