import { Crc64 } from '../../codecs/crc64.js';
import { RdbReader } from '../../codecs/rdb/reader.js';

/**
 * An RdbReader that holds only a window of its input: the bytes it lets go
 * are added to the CRC-64 first, so that the checksum at the end covers
 * them all.
 */
export abstract class SummingRdbReader extends RdbReader {
  private readonly crc = new Crc64();
  /** The bytes before this offset are in `crc`. */
  private summed = 0;

  override checksumBefore(at: number): Buffer {
    this.sumTo(at);
    return this.crc.digest();
  }

  /** Adds the bytes from `summed` to `to`, all in hand, to the checksum. */
  protected sumTo(to: number): void {
    if (to <= this.summed) return;
    this.crc.update(this.data.subarray(this.summed - this.base, to - this.base));
    this.summed = to;
  }
}
