import { describe, expect, it } from 'vitest';
import { readNodesConf } from '../../../src/cluster/node-table/nodes-conf-read.js';
import { writeNodesConf } from '../../../src/cluster/node-table/nodes-conf-write.js';
import { CAPTURED_VERSIONS, loadNodeTableCapture } from './captured.js';

/** A small deterministic generator, so that a failure names a reproducible case. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const ALPHABET = ' \n\r\t,:@-=[]<>"\'0123456789abcdefxyz?';

describe('a damaged nodes.conf is read without throwing', () => {
  for (const version of CAPTURED_VERSIONS) {
    it(`every captured file of ${version}, with bytes replaced, inserted or cut, gives a table or an error value`, () => {
      const random = generator(64);
      for (const view of loadNodeTableCapture(version).views) {
        for (let round = 0; round < 40; round++) {
          const chars = [...view.nodesConf];
          for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
            const at = Math.floor(random() * chars.length);
            const ch = ALPHABET[Math.floor(random() * ALPHABET.length)];
            const kind = random();
            if (kind < 0.4) chars[at] = ch;
            else if (kind < 0.7) chars.splice(at, 0, ch);
            else chars.splice(at, 1 + Math.floor(random() * 50));
          }
          const text = chars.join('');
          const result = readNodesConf(text);
          if (result.ok) {
            // What is accepted must also be writable.
            if (result.table !== null) expect(typeof writeNodesConf(result.table)).toBe('string');
          } else {
            expect(result.error.line).toBeGreaterThan(0);
            expect(text.split('\n')[result.error.line - 1]).toBe(result.error.text);
          }
        }
      }
    });
  }
});
