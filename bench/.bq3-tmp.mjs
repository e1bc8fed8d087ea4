import { Queue } from 'bullmq';
const port = Number(process.argv[2]);
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
const q = new Queue('single', { connection });
await q.waitUntilReady();
const payload = 'p'.repeat(64);
await q.addBulk(Array.from({ length: 20000 }, (_, i) => ({ name: 'job', data: { i, payload } })));
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  for (let i = 0; i < 3000; i++) await q.add('job', { i, payload });
  console.log(port, 'add', Math.round(3000 / ((performance.now() - t) / 1000)), 'jobs/s');
}
await q.obliterate({ force: true });
await q.close();
process.exit(0);
