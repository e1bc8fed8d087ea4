import type { Resp } from '../../../helpers/resp-client.js';

/**
 * A RESP2 reply in a form test cases can spell out: an integer reply is a
 * number, a bulk string a string, the nil bulk null, an array an array, a
 * status reply { ok } and an error reply { err }. Error texts name the
 * script's SHA1; tests compare them with it replaced by '*'.
 */
export type Plain = number | string | null | Plain[] | { ok: string } | { err: string };

export function normaliseError(msg: string): string {
  return msg.replace(/script: [0-9a-f]{40}/, 'script: *');
}

export function fromResp(r: Resp): Plain {
  switch (r.t) {
    case 'int':
      return Number(r.v);
    case 'bulk':
      return r.v;
    case 'array':
      return r.v === null ? null : r.v.map(fromResp);
    case 'simple':
      return { ok: r.v };
    case 'error':
      return { err: normaliseError(r.v) };
    default:
      throw new Error(`unexpected RESP2 reply type ${r.t}`);
  }
}
