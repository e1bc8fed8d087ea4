import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild } from '../helpers/child-sluice.js';
import { freshNodeOutput, lastJsonLine } from '../helpers/fresh-node.js';

const PARSER = path.resolve(import.meta.dirname, '../../dist/protocol/request-parser.js');
const KIB = 1024;

/**
 * Frames `requests` APPENDs of a 64 KiB value arriving in 16 KiB reads
 * (each value a big bulk, made a string when first read), reads every
 * value as APPEND's handler does and drops it, then runs one scavenge;
 * answers the bytes read and how much the heap in use grew over the
 * whole, in a fresh node, where nothing else allocates.
 */
function heapGrowthAfterBigArgs(requests: number): { read: number; grown: number } {
  return lastJsonLine(freshNodeOutput(`
    import { RequestParser } from ${JSON.stringify(PARSER)};
    const LEN = 64 * 1024;
    let read = 0;
    const fail = (m) => { throw new Error(m); };
    const parser = new RequestParser(
      { command(argv) { read += argv[2].length; parser.forgetRequestBytes(); return true; }, protocolError: fail, queryBufferOverflow: fail },
      { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 },
    );
    const one = Buffer.concat([Buffer.from('*3\\r\\n$6\\r\\nAPPEND\\r\\n$1\\r\\nk\\r\\n$' + LEN + '\\r\\n'), Buffer.alloc(LEN, 'v'), Buffer.from('\\r\\n')]);
    const feedAll = (n) => { for (let i = 0; i < n; i++) for (let at = 0; at < one.length; at += 16 * 1024) parser.feed(one.subarray(at, at + 16 * 1024)); };
    feedAll(10);
    gc();
    read = 0;
    const before = process.memoryUsage().heapUsed;
    feedAll(${requests});
    gc({ type: 'minor' });
    console.log(JSON.stringify({ read, grown: process.memoryUsage().heapUsed - before }));
  `, ['--expose-gc']));
}

describe('the string a big bulk becomes when read', () => {
  beforeAll(() => ensureBuild(), 120_000);

  test('is garbage once its request is done: a scavenge after 100 requests of 64 KiB keeps none of their 6.4 MB', () => {
    const { read, grown } = heapGrowthAfterBigArgs(100);
    expect(read).toBe(100 * 64 * KIB);
    expect(grown).toBeLessThan(512 * KIB);
  });
});
