import { afterAll, beforeAll, describe } from 'vitest';
import { redisServerPath, startRedis, type RealRedis } from '../helpers/servers.js';
import { bullmqScenarios } from './scenarios.js';

/**
 * The control: the same scenarios and assertions against redis-server, so a
 * failure on Sluice alone is Sluice's, and one on both is the scenario's.
 */
describe.skipIf(redisServerPath === null)('BullMQ on redis-server (control)', () => {
  let redis: RealRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());
  bullmqScenarios(() => redis.port);
});
