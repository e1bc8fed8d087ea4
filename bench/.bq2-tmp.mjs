import { Queue } from 'bullmq';
const port = Number(process.argv[2]);
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
const q = new Queue('prof', { connection });
await q.waitUntilReady();
const payload = 'p'.repeat(64);
for (let r = 0; r < 4; r++) {
  const t = performance.now();
  await q.addBulk(Array.from({ length: 20000 }, (_, i) => ({ name: 'job', data: { i, payload } })));
  console.log('addBulk', Math.round(20000 / ((performance.now() - t) / 1000)), 'jobs/s');
}
await q.obliterate({ force: true });
await q.close();
process.exit(0);
