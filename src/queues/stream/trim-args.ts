import type { Ctx } from '../../core/context.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { smallInt, toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import { INVALID_ID, MIN_ID, parseIdForm, strictIdArg, type SeqForm, type StreamId } from './id.js';

/** XADD's and XTRIM's options, as Redis's streamAddTrimArgs. */
export interface TrimArgs {
  strategy: 'maxlen' | 'minid' | null;
  /** argv index of the MAXLEN count or MINID id (rewritten for propagation after a `~` trim). */
  strategyArg: number;
  approx: boolean;
  /** Most entries one trim may remove; 0: no limit. */
  limit: number;
  maxlen: number;
  minid: StreamId;
  /** XADD only: where the ID is, the ID (null for `*`) and how its sequence was given. */
  idPos: number;
  id: StreamId | null;
  seqForm: SeqForm;
  noMkstream: boolean;
}

/** Redis's stream-node-max-entries times 100, clamped, when `~` is used without LIMIT. */
function defaultLimit(c: Ctx): number {
  const limit = 100 * c.config.num('stream-node-max-entries');
  if (limit <= 0) return 10000;
  return Math.min(limit, 1000000);
}

function int64(s: string): number {
  // Every XADD … MAXLEN passes here: the plain-decimal fast path skips the regex and the BigInt.
  const small = smallInt(s);
  if (!Number.isNaN(small)) return small;
  const n = toInt64(s);
  if (n === null) throw new CommandError(NOT_INTEGER);
  return Number(n);
}

/** `~`, `=` or `*` (one char) alone, read as a C string. */
function isMark(s: string, mark: string): boolean {
  return s === mark || (s.length > 1 && s.charCodeAt(1) === 0 && s.charCodeAt(0) === mark.charCodeAt(0));
}

/** Redis's streamParseAddOrTrimArgsOrReply. */
export function parseTrimArgs(c: Ctx, argv: string[], xadd: boolean): TrimArgs {
  const a: TrimArgs = {
    strategy: null, strategyArg: 0, approx: false, limit: 0, maxlen: 0, minid: MIN_ID,
    idPos: argv.length, id: null, seqForm: 'given', noMkstream: false,
  };
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const arg = argv[i];
    if (xadd && isMark(arg, '*')) {
      a.seqForm = 'auto';
      break;
    }
    const opt = optionWord(arg);
    if ((opt === 'maxlen' || opt === 'minid') && more > 0) {
      if (a.strategy !== null) {
        throw new CommandError('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
      }
      a.approx = false;
      const next = argv[i + 1];
      if (more >= 2 && isMark(next, '~')) {
        a.approx = true;
        i++;
      } else if (more >= 2 && isMark(next, '=')) {
        i++;
      }
      if (opt === 'maxlen') {
        a.maxlen = int64(argv[i + 1]);
        if (a.maxlen < 0) throw new CommandError('ERR The MAXLEN argument must be >= 0.');
      } else {
        a.minid = strictIdArg(argv[i + 1]);
      }
      i++;
      a.strategy = opt;
      a.strategyArg = i;
    } else if (opt === 'limit' && more > 0) {
      a.limit = int64(argv[i + 1]);
      if (a.limit < 0) throw new CommandError('ERR The LIMIT argument must be >= 0.');
      limitGiven = true;
      i++;
    } else if (xadd && opt === 'nomkstream') {
      a.noMkstream = true;
    } else if (xadd) {
      const p = parseIdForm(arg, 0, true, true);
      if (p === null) throw new CommandError(INVALID_ID);
      a.id = p.id;
      a.seqForm = p.form === 'auto' ? 'auto' : 'given';
      break;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  a.idPos = i;
  if (a.limit !== 0 && a.strategy === null) {
    throw new CommandError('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  }
  if (!xadd && a.strategy === null) throw new CommandError('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (c.loading) {
    // Replayed effects carry `=` and the trimmed result: never limit them.
    a.limit = 0;
  } else if (limitGiven) {
    if (!a.approx) throw new CommandError('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else {
    a.limit = a.approx ? defaultLimit(c) : 0;
  }
  return a;
}
