import { optionWord } from '../../core/options.js';
import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { isString } from '../../keyspace/value.js';
import { byteForm, stringText } from './string-access.js';

interface LcsOptions {
  len: boolean;
  idx: boolean;
  withMatchLen: boolean;
  minMatchLen: number;
}

function parseOptions(argv: string[]): LcsOptions {
  const o: LcsOptions = { len: false, idx: false, withMatchLen: false, minMatchLen: 0 };
  for (let j = 3; j < argv.length; j++) {
    const opt = optionWord(argv[j]);
    if (opt === 'idx') o.idx = true;
    else if (opt === 'len') o.len = true;
    else if (opt === 'withmatchlen') o.withMatchLen = true;
    else if (opt === 'minmatchlen' && j + 1 < argv.length) o.minMatchLen = Math.max(0, intArg(argv[++j]));
    else throw new CommandError(SYNTAX);
  }
  if (o.idx && o.len) throw new CommandError('ERR If you want both the length and indexes, please just use IDX.');
  return o;
}

/** One run of matching bytes, as inclusive ranges in each string. */
interface Match {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

/**
 * LCS by the classic dynamic-programming table, O(N*M) time and memory as
 * in Redis. The walk back from the table's corner must choose exactly as
 * Redis's does (on a tie, step back in b), because that choice decides
 * which of several equally long answers, and which ranges, are reported.
 */
function lcs(c: Ctx, argv: string[]): void {
  const valueA = c.db.read(argv[1]);
  const valueB = c.db.read(argv[2]);
  if ((valueA !== undefined && !isString(valueA)) || (valueB !== undefined && !isString(valueB))) {
    throw new CommandError('ERR The specified keys must contain string values');
  }
  const va = valueA === undefined ? undefined : byteForm(valueA);
  const vb = valueB === undefined ? undefined : byteForm(valueB);
  const o = parseOptions(argv);
  const cols = (vb?.length ?? 0) + 1;
  const cells = ((va?.length ?? 0) + 1) * cols;
  if (cells * 4 > c.config.num('proto-max-bulk-len')) {
    throw new CommandError('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  const a = va === undefined ? '' : stringText(va);
  const b = vb === undefined ? '' : stringText(vb);
  const dp = new Uint32Array(cells);
  for (let i = 1; i <= a.length; i++) {
    const ai = a.charCodeAt(i - 1);
    const row = i * cols;
    const prev = row - cols;
    for (let j = 1; j <= b.length; j++) {
      if (ai === b.charCodeAt(j - 1)) dp[row + j] = dp[prev + j - 1] + 1;
      else dp[row + j] = Math.max(dp[prev + j], dp[row + j - 1]);
    }
  }
  const total = dp[cells - 1];
  if (o.len) {
    c.reply.integer(total);
    return;
  }
  const out = new Array<string>(total);
  const matches: Match[] = [];
  let cur: Match | null = null;
  let k = total;
  let i = a.length;
  let j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      out[--k] = a[i - 1];
      if (cur === null) cur = { aStart: i - 1, aEnd: i - 1, bStart: j - 1, bEnd: j - 1 };
      else {
        cur.aStart--;
        cur.bStart--;
      }
      if (cur.aStart === 0 || cur.bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (dp[(i - 1) * cols + j] > dp[i * cols + j - 1]) i--;
      else j--;
      if (cur !== null) emit = true;
    }
    if (emit && cur !== null) {
      if (cur.aEnd - cur.aStart + 1 >= o.minMatchLen) matches.push(cur);
      cur = null;
    }
  }
  if (!o.idx) {
    c.reply.bulk(out.join(''));
    return;
  }
  c.reply.map(2);
  c.reply.bulk('matches');
  c.reply.array(matches.length);
  for (const m of matches) {
    c.reply.array(o.withMatchLen ? 3 : 2);
    c.reply.array(2);
    c.reply.integer(m.aStart);
    c.reply.integer(m.aEnd);
    c.reply.array(2);
    c.reply.integer(m.bStart);
    c.reply.integer(m.bEnd);
    if (o.withMatchLen) c.reply.integer(m.aEnd - m.aStart + 1);
  }
  c.reply.bulk('len');
  c.reply.integer(total);
}

export const lcsCommands: CommandSpec[] = [
  {
    name: 'lcs', arity: -3, flags: ['readonly'], keySpecs: ['RO access: index 1, range 1'], acl: ['string'],
    group: 'string', args: 'key1:key key2:key [LEN] [IDX] [MINMATCHLEN min-match-len:integer] [WITHMATCHLEN]',
    since: '7.0.0', summary: 'Finds the longest common substring.',
    complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively', handler: lcs,
  },
];
