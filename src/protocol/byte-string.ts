/**
 * Called through the prototype's own function: read off each Buffer, the
 * method went through V8's generic load (LoadIC), about 3% of a PUBLISH
 * of a 64-byte message together with the same load in writeBulk.
 */
const latin1Slice = Buffer.prototype.latin1Slice;

/**
 * `buf[start, start + len)` as a byte string (one latin1 char per byte).
 *
 * Buffer#latin1Slice is a call into C++ that costs about 120 ns whatever the
 * length (Node 20, measured), more than everything else the parser does for
 * a short argument; String.fromCharCode with the bytes as arguments is a
 * JavaScript builtin and costs a quarter to a half of that up to 16 bytes,
 * and about two thirds at 24 (past about 30 it costs more). Most
 * arguments (command names, keys, small values) are that short. Each
 * length gets its own call so that the result is a flat string of exactly
 * that length, never a slice that keeps a longer one alive.
 */
export function byteString(b: Buffer, o: number, len: number): string {
  switch (len) {
    case 0: return '';
    case 1: return String.fromCharCode(b[o]);
    case 2: return String.fromCharCode(b[o], b[o + 1]);
    case 3: return String.fromCharCode(b[o], b[o + 1], b[o + 2]);
    case 4: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);
    case 5: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4]);
    case 6: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5]);
    case 7: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6]);
    case 8: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7]);
    case 9: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8]);
    case 10: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9]);
    case 11: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10]);
    case 12: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11]);
    case 13: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12]);
    case 14: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13]);
    case 15: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14]);
    case 16: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14], b[o + 15]);
    case 17: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14], b[o + 15], b[o + 16]);
    case 18: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14], b[o + 15], b[o + 16], b[o + 17]);
    case 19: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14], b[o + 15], b[o + 16], b[o + 17], b[o + 18]);
    case 20: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14], b[o + 15], b[o + 16], b[o + 17], b[o + 18], b[o + 19]);
    case 21: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14], b[o + 15], b[o + 16], b[o + 17], b[o + 18], b[o + 19], b[o + 20]);
    case 22: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14], b[o + 15], b[o + 16], b[o + 17], b[o + 18], b[o + 19], b[o + 20], b[o + 21]);
    case 23: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14], b[o + 15], b[o + 16], b[o + 17], b[o + 18], b[o + 19], b[o + 20], b[o + 21], b[o + 22]);
    case 24: return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7], b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14], b[o + 15], b[o + 16], b[o + 17], b[o + 18], b[o + 19], b[o + 20], b[o + 21], b[o + 22], b[o + 23]);
    default: return latin1Slice.call(b, o, o + len);
  }
}

/**
 * Every arm runs at load, the longer lengths' latin1Slice included, so that
 * the feedback V8 optimises byteString from covers them all: left to
 * traffic, each arm first taken after the function was optimised
 * deoptimises it ("insufficient type feedback") and it is compiled again,
 * on a compiler thread that competes with the server for its core (the
 * first argument past 24 bytes did that on every fresh server). V8 keeps
 * feedback only once a function has run a while (it allocates it lazily),
 * hence the rounds.
 */
const PRIMER = Buffer.alloc(25);
for (let round = 0; round < 16; round++) for (let len = 0; len <= 25; len++) byteString(PRIMER, 0, len);
