import { describe, expect, test } from 'vitest';
import { sealPayload, validFooter, validFooterText } from '../../../src/codecs/rdb/payload.js';
import { RdbWriter } from '../../../src/codecs/rdb/writer.js';
import { dumpPayload, payloadString, payloadValue } from '../../../src/persistence/rdb/dump-payload.js';
import { loadLimits } from '../../../src/persistence/rdb/decode-value.js';
import { Config } from '../../../src/server/config.js';
import { seededInts } from '../../helpers/seeded.js';

/** RESTORE reads a payload as its argument's text (validFooterText, payloadString) where it can: the same answers as from its bytes. */

const LIMITS = loadLimits({ config: new Config() });

/** What payloadValue makes of the payload, or the error's class name. */
function fromBytes(p: Buffer): unknown {
  try {
    return payloadValue(p, LIMITS);
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

describe('A payload read as text', () => {
  test('a plain string, raw, as an integer or compressed, reads as payloadValue reads it (or is left to it)', () => {
    const values = ['', 'a', 'value-1', '0', '-1', '127', '-128', '128', '-129', '32767', '-32768', '32768', '2147483647', '-2147483648',
      '2147483648', '007', '+1', 'x'.repeat(63), 'x'.repeat(64), 'y'.repeat(5000), 'z'.repeat(20000), '\u00ff\u0000\r\n'];
    let read = 0;
    for (const v of values) {
      for (const compress of [false, true]) {
        const p = dumpPayload(v, { compress, listFill: -2 });
        const s = p.toString('latin1');
        expect(validFooterText(s)).toBe(1);
        const text = payloadString(s);
        if (text !== undefined) {
          read++;
          expect(text).toBe(v);
        }
        expect(fromBytes(p)).toBe(v);
      }
    }
    // All but the four that LZF shrinks (the long runs) and the one past a 14-bit length.
    expect(read).toBe(values.length * 2 - 5);
  });

  test('a length past the body runs into the footer, or past the end is left to payloadValue, which refuses it', () => {
    for (const [n, claimed] of [[11, 16], [11, 21], [100, 109], [100, 111]]) {
      const w = new RdbWriter(false);
      w.byte(0);
      w.length(claimed);
      w.raw(Buffer.alloc(n, 'q'));
      const p = sealPayload(w.result());
      const text = payloadString(p.toString('latin1'));
      const bytes = fromBytes(p);
      if (text === undefined) expect(bytes).toBe('RdbError');
      else expect(text).toBe(bytes);
    }
  });

  test('other types are left to payloadValue', () => {
    const w = new RdbWriter(false);
    w.byte(2); // a set of strings
    w.length(1);
    w.string('m');
    expect(payloadString(sealPayload(w.result()).toString('latin1'))).toBeUndefined();
  });

  test('the footer is judged as validFooter judges the bytes; a char that is not a byte is left to it', () => {
    const rnd = seededInts(9);
    const good = dumpPayload('hello world', { compress: false, listFill: -2 });
    const cases: Buffer[] = [Buffer.alloc(0), Buffer.alloc(9), Buffer.alloc(10), good];
    for (let i = 0; i < good.length; i++) {
      const b = Buffer.from(good);
      b[i] ^= 1 << rnd(8);
      cases.push(b);
    }
    const newer = Buffer.from(good.subarray(0, good.length - 10));
    cases.push(sealPayload(newer));
    const v12 = Buffer.from(cases[cases.length - 1]);
    v12.writeUInt16LE(12, v12.length - 10);
    cases.push(v12);
    for (let n = 0; n < 40; n++) cases.push(Buffer.from(Array.from({ length: n }, () => rnd(256))));
    for (const b of cases) expect(validFooterText(b.toString('latin1'))).toBe(validFooter(b) ? 1 : 0);
    const s = good.toString('latin1');
    for (const at of [0, 5, s.length - 9, s.length - 1]) expect(validFooterText(s.slice(0, at) + '\u0100' + s.slice(at + 1))).toBe(-1);
  });
});
