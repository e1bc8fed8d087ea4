import fs from 'node:fs';
import { Crc64 } from '../../core/crc64.js';
import { RDB_VERSION } from '../../core/rdb/payload.js';
import type { Keyspace } from '../../store/keyspace/keyspace.js';
import { writeValue } from './encode-value.js';
import { OPCODE_AUX, OPCODE_EOF, OPCODE_EXPIRETIME_MS, OPCODE_FUNCTION2, OPCODE_RESIZEDB, OPCODE_SELECTDB } from './format.js';
import { RdbWriter } from '../../core/rdb/writer.js';

/** Bytes gathered before they go to the file. */
const CHUNK = 1 << 20;

/** What a snapshot holds and how it is written. */
export interface RdbSource {
  keyspace: Keyspace;
  /** The function libraries' code, written before the keys. */
  libraryCodes: readonly string[];
  /** The version Sluice reports as Redis's (INFO's redis_version), for the redis-ver field. */
  redisVersion: string;
  /** rdbcompression */
  compress: boolean;
  /** rdbchecksum: without it the trailer is eight zero bytes, which loaders take as "not computed". */
  checksum: boolean;
  /** list-max-listpack-size */
  listFill: number;
  /** What the used-mem field says (Redis: its allocator's figure). */
  usedMemory: number;
}

/**
 * Writes the whole keyspace to `fd` as Redis 7.2's rdbSaveRio does: the
 * magic and version, the AUX fields, the function libraries, then each
 * database that has keys (SELECTDB, RESIZEDB, each key with its deadline),
 * EOF and the CRC-64 of everything before it. Synchronous: nothing changes
 * the keyspace while it runs.
 */
export function writeRdb(fd: number, src: RdbSource, nowMs: number): void {
  const w = new RdbWriter(src.compress);
  const crc = new Crc64();
  const flush = (): void => {
    const bytes = w.result();
    if (src.checksum) crc.update(bytes);
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off);
    w.reset();
  };
  w.raw(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'));
  const aux = (key: string, value: string): void => {
    w.byte(OPCODE_AUX);
    w.string(key);
    w.string(value);
  };
  aux('redis-ver', src.redisVersion);
  aux('redis-bits', '64');
  aux('ctime', String(Math.floor(nowMs / 1000)));
  aux('used-mem', String(src.usedMemory));
  aux('aof-base', '0');
  for (const code of src.libraryCodes) {
    w.byte(OPCODE_FUNCTION2);
    w.string(code);
  }
  for (const db of src.keyspace.dbs) {
    const dict = db.dict;
    if (dict.size === 0) continue;
    w.byte(OPCODE_SELECTDB);
    w.length(db.index);
    w.byte(OPCODE_RESIZEDB);
    w.length(dict.size);
    w.length(db.expires.size);
    for (let part = 0; part < dict.partCount; part++) {
      const keys = dict.partKeys(part);
      for (let k = keys.next(); !k.done; k = keys.next()) {
        const key = k.value;
        const deadline = db.expires.size === 0 ? undefined : db.expires.get(key);
        if (deadline !== undefined) {
          w.byte(OPCODE_EXPIRETIME_MS);
          w.msTime(deadline);
        }
        writeValue(w, dict.get(key)!, src.listFill, key);
        if (w.size >= CHUNK) flush();
      }
    }
  }
  w.byte(OPCODE_EOF);
  flush();
  const trailer = src.checksum ? crc.digest() : Buffer.alloc(8);
  fs.writeSync(fd, trailer);
}
