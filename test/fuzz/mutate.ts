import type { Rng } from './rng.js';

const WEIRD_HEADERS = [
  '*-1', '*0', '*-0', '*01', '*2147483647', '*2147483648', '*-9223372036854775809', '*99999999999999999999', '*', '*x',
  '$-1', '$0', '$-0', '$00', '$1000000000', '$536870912', '$536870913', '$9223372036854775807', '$', '$x', ':1', '+OK',
];

const SPECIALS = [0x0d, 0x0a, 0x00, 0x22, 0x27, 0x5c, 0x2a, 0x24, 0x20, 0x09, 0x0b, 0xff];

/**
 * Damages a request the ways a buggy or hostile client would: flipped,
 * dropped, inserted and duplicated bytes, truncation, absurd length
 * headers, splices with other requests. Never makes it more than a few
 * kilobytes longer.
 */
export function mutate(rng: Rng, request: Buffer, others: readonly Buffer[]): Buffer {
  let input = Buffer.from(request);
  const mutations = 1 + rng.int(3);
  for (let m = 0; m < mutations; m++) {
    switch (rng.int(8)) {
      case 0: { // flip bytes
        if (input.length === 0) break;
        const flips = 1 + rng.int(3);
        for (let f = 0; f < flips; f++) input[rng.int(input.length)] = rng.int(256);
        break;
      }
      case 1: // truncate
        input = input.subarray(0, rng.int(input.length + 1));
        break;
      case 2: { // insert random bytes
        const at = rng.int(input.length + 1);
        input = Buffer.concat([input.subarray(0, at), rng.bytes(1 + rng.int(8)), input.subarray(at)]);
        break;
      }
      case 3: { // replace a length header with a huge, negative or malformed one
        const text = input.toString('latin1');
        const headers = [...text.matchAll(/[*$]-?\d*/g)];
        if (headers.length === 0) break;
        const h = rng.pick(headers);
        input = Buffer.from(text.slice(0, h.index) + rng.pick(WEIRD_HEADERS) + text.slice(h.index! + h[0].length), 'latin1');
        break;
      }
      case 4: { // duplicate a slice
        const a = rng.int(input.length + 1);
        const b = a + rng.int(input.length - a + 1);
        input = Buffer.concat([input.subarray(0, b), input.subarray(a, b), input.subarray(b)]);
        break;
      }
      case 5: // splice with another seed
        input = Buffer.concat([input.subarray(0, rng.int(input.length + 1)), rng.pick(others).subarray(rng.int(8))]);
        break;
      case 6: { // insert a protocol-significant byte
        const at = rng.int(input.length + 1);
        input = Buffer.concat([input.subarray(0, at), Buffer.from([rng.pick(SPECIALS)]), input.subarray(at)]);
        break;
      }
      default: // drop a byte
        if (input.length > 0) {
          const at = rng.int(input.length);
          input = Buffer.concat([input.subarray(0, at), input.subarray(at + 1)]);
        }
    }
  }
  return input;
}

/** Splits an input at random points, to exercise every parser state across chunk boundaries. */
export function chunked(rng: Rng, input: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < input.length) {
    const n = 1 + rng.int(Math.max(1, input.length - at));
    parts.push(input.subarray(at, at + n));
    at += n;
  }
  return parts;
}
