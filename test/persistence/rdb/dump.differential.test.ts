import { c, differential, fails, sameType, type Row } from '../../helpers/differential.js';
import { HELLO, payload } from './payloads.js';

/** Payloads both Redis 7.0 (RDB 10) and Sluice read, and damaged ones both refuse. */
const V11 = payload('\x00\x05hello', 12);
const BAD_CRC = HELLO.slice(0, -1) + String.fromCharCode(HELLO.charCodeAt(HELLO.length - 1) ^ 1);
const NOT_A_TYPE = payload('\x08\x05hello');
const TRUNCATED = payload('\x00\x20hello');
/** A string that runs into the footer: Redis reads the value from the whole payload. */
const INTO_FOOTER = payload('\x00\x09hello');
const EMPTY_LIST = payload('\x12\x00');
const EMPTY_SET = payload('\x02\x00');
const INTSET = payload(Buffer.from('0b1002000000030000000100020003000000', 'hex'));
const LIST = payload(Buffer.from('1201020b0b00000003008161018162ff', 'hex'));

const rows: Record<string, Row[]> = {
  'DUMP of a missing key is nil': [c('DUMP', 'nokey')],
  'RESTORE creates the key; a second time it is busy; REPLACE replaces': [
    c('RESTORE', 'k', '0', HELLO), c('GET', 'k'), c('TTL', 'k'),
    fails('RESTORE', 'k', '0', HELLO),
    c('SET', 'k', 'other'), c('RESTORE', 'k', '0', HELLO, 'REPLACE'), c('GET', 'k'),
    c('RESTORE', 'k', '0', HELLO, 'replace', 'IDLETIME', '10'), c('RESTORE', 'k', '0', HELLO, 'REPLACE', 'FREQ', '255'),
  ],
  'RESTORE-ASKING is RESTORE for a standalone server (its asking flag matters only in a cluster)': [
    c('RESTORE-ASKING', 'k', '0', HELLO), c('GET', 'k'), fails('RESTORE-ASKING', 'k', '0', HELLO),
    c('RESTORE-ASKING', 'k', '100000', HELLO, 'REPLACE'), sameType('PTTL', 'k'), fails('RESTORE-ASKING', 'k', '0'),
  ],
  'RESTORE with a TTL sets it; ABSTTL takes a Unix time in ms': [
    c('RESTORE', 'k', '100000', HELLO), sameType('PTTL', 'k'),
    c('RESTORE', 'a', '99999999999999', HELLO, 'ABSTTL'), sameType('PTTL', 'a'),
  ],
  'RESTORE with a deadline in the past creates nothing, and deletes what it replaces': [
    c('RESTORE', 'k', '1', HELLO, 'ABSTTL'), c('EXISTS', 'k'),
    c('SET', 'k', 'v'), c('RESTORE', 'k', '1', HELLO, 'ABSTTL', 'REPLACE'), c('EXISTS', 'k'),
  ],
  'argument errors, in Redis order': [
    fails('RESTORE', 'k', '0'),
    fails('RESTORE', 'k', '0', HELLO, 'NOPE'),
    fails('RESTORE', 'k', '0', HELLO, 'IDLETIME'),
    fails('RESTORE', 'k', '0', HELLO, 'IDLETIME', 'x'),
    fails('RESTORE', 'k', '0', HELLO, 'IDLETIME', '-1'),
    fails('RESTORE', 'k', '0', HELLO, 'FREQ', '256'),
    fails('RESTORE', 'k', '0', HELLO, 'FREQ', '-1'),
    fails('RESTORE', 'k', '0', HELLO, 'FREQ', '1.5'),
    fails('RESTORE', 'k', '0', HELLO, 'FREQ', '1', 'IDLETIME', '1'),
    fails('RESTORE', 'k', '0', HELLO, 'IDLETIME', '1', 'FREQ', '1'),
    fails('RESTORE', 'k', '-1', HELLO),
    fails('RESTORE', 'k', 'ten', HELLO),
    fails('RESTORE', 'k', '-1', 'garbage'),
    c('SET', 'k', 'v'),
    fails('RESTORE', 'k', '-1', HELLO),
    fails('RESTORE', 'k', '0', HELLO, 'NOPE'),
  ],
  'damaged payloads': [
    fails('RESTORE', 'k', '0', ''),
    fails('RESTORE', 'k', '0', 'short'),
    fails('RESTORE', 'k', '0', BAD_CRC),
    fails('RESTORE', 'k', '0', V11),
    fails('RESTORE', 'k', '0', NOT_A_TYPE),
    fails('RESTORE', 'k', '0', TRUNCATED),
    fails('RESTORE', 'k', '0', EMPTY_LIST),
    fails('RESTORE', 'k', '0', EMPTY_SET),
    c('EXISTS', 'k'),
    c('RESTORE', 'k', '0', INTO_FOOTER), c('GET', 'k'),
  ],
  'restored collections read as the originals': [
    c('RESTORE', 'set', '0', INTSET), c('SMEMBERS', 'set'), c('OBJECT', 'ENCODING', 'set'),
    c('RESTORE', 'list', '0', LIST), c('LRANGE', 'list', '0', '-1'), c('OBJECT', 'ENCODING', 'list'),
  ],
};

differential('DUMP and RESTORE', rows);
