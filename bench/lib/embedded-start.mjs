// Run by the start-up section in a fresh node: node embedded-start.mjs <dist/index.js>.
// Times the import of Sluice and startServer() until it resolves; prints the milliseconds.
const t0 = performance.now();
const { startServer } = await import(process.argv[2]);
const server = await startServer({ port: 0, bind: '127.0.0.1', config: { appendonly: 'no', save: '' } });
const ms = performance.now() - t0;
// One command, so that the process counts as having served (it leaves V8's code cache at exit, as a test suite's would).
const net = await import('node:net');
await new Promise((resolve, reject) => {
  const c = net.connect(server.port, '127.0.0.1', () => c.write('PING\r\n'));
  c.once('data', () => {
    c.destroy();
    resolve();
  });
  c.once('error', reject);
});
await server.close();
process.stdout.write(`${ms}\n`);
