import path from 'node:path';
import { expect, test } from 'vitest';
import { connectWhenUp, useCliRuns } from '../helpers/cli-runs.js';
import { freePort } from '../helpers/servers.js';
import { request } from './console-client.js';

const { dir, sluice } = useCliRuns('sluice-console-cli-');

/** sluice-server from dist/ (`npm run build` first), as an operator starts it. */
test('sluice-server --console-port serves the console and says where', async () => {
  const [port, consolePort] = [await freePort(), await freePort()];
  const r = sluice('--port', String(port), '--console-port', String(consolePort), '--dir', path.join(dir(), 'data'));
  const c = await connectWhenUp(port, r);
  try {
    const line = `Console at http://127.0.0.1:${consolePort}/`;
    // Logged once the console listens, which may be just after the RESP port answers.
    for (let i = 0; i < 100 && !r.stdout().includes(line); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.stdout()).toContain(line);
    const page = await request(`http://127.0.0.1:${consolePort}/`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="/assets/app.js">');
    expect((await request(`http://127.0.0.1:${consolePort}/assets/app.js`)).status).toBe(200);
    expect((await request(`http://127.0.0.1:${consolePort}/api/session`)).json.user).toBe('default');
  } finally {
    c.close();
    r.child.kill('SIGTERM');
    await r.exit;
  }
});
