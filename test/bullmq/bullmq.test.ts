import { afterAll, describe } from 'vitest';
import { scratch } from '../helpers/aof.js';
import { useSluice } from '../helpers/fixture.js';
import { bullmqScenarios } from './scenarios.js';

/** BullMQ against an embedded Sluice on loopback, its AOF on in a fresh directory (so scripts' effects are written as they run). */
describe('BullMQ on Sluice', () => {
  const dir = scratch('sluice-bullmq-');
  // Registered before the server's own hook: after-hooks run last-registered first, so the directory goes once the server is closed.
  afterAll(dir.remove);
  const sluice = useSluice({ start: { config: { dir: dir.dir } } });
  bullmqScenarios(() => sluice.port);
});
