import { byteString } from './byte-string.js';

/**
 * The longest argument RepeatedArgs remembers at each of the places it
 * watches: comparing or copying a longer one would cost more than it saves.
 * The third is kept short: it is a field, member, score, TTL or stream ID
 * as often as a value or a message that changes with every request, and a
 * miss costs the copy of its bytes.
 */
export const REMEMBERED = [64, 64, 24];

/**
 * The first three arguments of a multibulk: a client mostly repeats its
 * command, and often its key or channel (a publisher's channel, a queue's
 * list) and the argument after it (a hash field, a TTL, XADD's `*`), so
 * the last string seen at each of these places is kept, with a
 * copy of its bytes, and given again when the bytes match. That saves
 * making a string, and a lookup finds its hash already computed. The
 * bytes are compared with bytes (reading a string's chars back costs
 * twice as much), from the end: keys that differ mostly differ there.
 */
export class RepeatedArgs {
  private readonly lastArgs = REMEMBERED.map(() => '');
  private readonly lastBytes = REMEMBERED.map((n) => new Uint8Array(n));

  /** `buf[start, start + len)` as a byte string, argument `index` (< REMEMBERED.length) of its command. */
  arg(buf: Uint8Array, index: number, start: number, len: number): string {
    if (this.matches(buf, index, start, len)) return this.lastArgs[index];
    const arg = byteString(buf as Buffer, start, len);
    if (len <= REMEMBERED[index]) {
      this.lastArgs[index] = arg;
      const bytes = this.lastBytes[index];
      for (let i = 0; i < len; i++) bytes[i] = buf[start + i];
    }
    return arg;
  }

  /** Whether `buf[start, start + len)` are the bytes of the string `arg` gave last for argument `index`. */
  matches(buf: Uint8Array, index: number, start: number, len: number): boolean {
    if (len !== this.lastArgs[index].length) return false;
    const bytes = this.lastBytes[index];
    // Two bytes a step: half the branches of a byte at a time.
    let i = len - 1;
    for (; i > 0; i -= 2) if (((buf[start + i] ^ bytes[i]) | (buf[start + i - 1] ^ bytes[i - 1])) !== 0) return false;
    return i < 0 || buf[start] === bytes[0];
  }
}
