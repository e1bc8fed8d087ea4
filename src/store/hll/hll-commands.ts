import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { CommandError } from '../../core/errors.js';
import { optionWord } from '../../core/options.js';
import {
  CORRUPT, DENSE, HEADER, REGISTERS, SPARSE, cacheValid, cachedCount, denseGet, invalidateCache, setCachedCount,
} from './hll-format.js';
import { addElement, countOf, raise } from './hll-ops.js';
import { selfTest } from './hll-selftest.js';
import { describeSparse, emptyHll, toDense } from './hll-sparse.js';
import { RegisterMaxima } from './hll-union.js';
import { hllBytes, hllOrFail, newHll, openHll, saveHll, type OpenHll } from './hll-value.js';

const sparseMax = (c: Ctx) => c.config.num('hll-sparse-max-bytes');

/** PFADD key [element ...]: 1 when a register rose (or the key was created), one change per element that raised one. */
function pfadd(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const v = c.db.get(key);
  let o: OpenHll;
  let updated = 0;
  if (v === undefined) {
    o = newHll(key, emptyHll());
    updated = 1;
  } else {
    o = openHll(key, hllOrFail(v));
  }
  const max = sparseMax(c);
  for (let i = 2; i < argv.length; i++) {
    const r = addElement(o.h, argv[i], max);
    if (r === -1) {
      // Redis keeps what the elements before changed, unsignalled.
      saveHll(c, o, 0);
      throw new CommandError(CORRUPT);
    }
    updated += r;
  }
  if (updated > 0) {
    invalidateCache(o.h.buf);
    saveHll(c, o, updated);
    c.keyspace.notify(c.db, '$', 'pfadd', key);
  } else {
    saveHll(c, o, 0);
  }
  c.reply.integer(updated > 0 ? 1 : 0);
}

/**
 * PFCOUNT key: the cached estimate, or a new one stored in the header,
 * which counts as a change (Redis propagates it) without an event.
 * PFCOUNT key key…: the estimate of the union, nothing cached.
 */
function pfcount(c: Ctx, argv: string[]): void {
  if (argv.length > 2) {
    const max = RegisterMaxima.shared();
    for (let i = 1; i < argv.length; i++) {
      const v = c.db.read(argv[i]);
      if (v === undefined) continue;
      if (!max.merge(hllBytes(hllOrFail(v)))) throw new CommandError(CORRUPT);
    }
    c.reply.integer(max.estimate());
    return;
  }
  const key = argv[1];
  const v = c.db.read(key);
  if (v === undefined) {
    c.reply.integer(0);
    return;
  }
  const o = openHll(key, hllOrFail(v));
  const b = o.h.bytes;
  if (cacheValid(b)) {
    saveHll(c, o, 0);
    c.reply.integer(cachedCount(b));
    return;
  }
  const n = countOf(b);
  if (n === null) {
    saveHll(c, o, 0);
    throw new CommandError(CORRUPT);
  }
  setCachedCount(b, n);
  saveHll(c, o, 1);
  c.reply.integer(n);
}

/**
 * PFMERGE destkey [sourcekey ...]: the destination (a source too) gets the
 * registers' maxima, dense if any source was, set register by register as
 * Redis does so its sparse bytes come out the same; always one change and
 * a pfadd event.
 */
function pfmerge(c: Ctx, argv: string[]): void {
  const max = RegisterMaxima.shared();
  let dense = false;
  for (let i = 1; i < argv.length; i++) {
    const v = c.db.read(argv[i]);
    if (v === undefined) continue;
    const b = hllBytes(hllOrFail(v));
    if (b[4] === DENSE) dense = true;
    if (!max.merge(b)) throw new CommandError(CORRUPT);
  }
  const key = argv[1];
  const v = c.db.get(key);
  const o = v === undefined ? newHll(key, emptyHll()) : openHll(key, hllOrFail(v));
  if (dense && !toDense(o.h)) throw new CommandError(CORRUPT);
  const limit = sparseMax(c);
  for (let i = 0; i < REGISTERS; i++) {
    const r = max.get(i);
    if (r !== 0) raise(o.h, i, r, limit);
  }
  invalidateCache(o.h.buf);
  saveHll(c, o, 1);
  c.keyspace.notify(c.db, '$', 'pfadd', key);
  c.reply.ok();
}

/** Turns a sparse HLL dense for PFDEBUG: a change counted (so propagated) but not signalled, as in Redis. */
function densify(c: Ctx, o: OpenHll): boolean {
  if (o.h.encoding === DENSE) return false;
  if (!toDense(o.h)) {
    saveHll(c, o, 0);
    throw new CommandError(CORRUPT);
  }
  saveHll(c, o, 1, false);
  return true;
}

/** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. */
function pfdebug(c: Ctx, argv: string[]): void {
  const name = argv[1];
  const key = argv[2];
  const v = c.db.get(key);
  if (v === undefined) throw new CommandError('ERR The specified key does not exist');
  const o = openHll(key, hllOrFail(v));
  const sub = optionWord(name);
  if (sub === 'getreg') {
    if (!densify(c, o)) saveHll(c, o, 0);
    c.reply.array(REGISTERS);
    for (let i = 0; i < REGISTERS; i++) c.reply.integer(denseGet(o.h.buf, HEADER, i));
  } else if (sub === 'decode') {
    saveHll(c, o, 0);
    if (o.h.encoding !== SPARSE) throw new CommandError('ERR HLL encoding is not sparse');
    c.reply.bulk(describeSparse(o.h.bytes));
  } else if (sub === 'encoding') {
    saveHll(c, o, 0);
    c.reply.simple(o.h.encoding === DENSE ? 'dense' : 'sparse');
  } else if (sub === 'todense') {
    const converted = densify(c, o);
    if (!converted) saveHll(c, o, 0);
    c.reply.integer(converted ? 1 : 0);
  } else {
    saveHll(c, o, 0);
    const nul = name.indexOf('\0');
    throw new CommandError(`ERR Unknown PFDEBUG subcommand '${nul === -1 ? name : name.slice(0, nul)}'`);
  }
}

function pfselftest(c: Ctx): void {
  const failure = selfTest(sparseMax(c));
  if (failure === null) c.reply.ok();
  else c.reply.error(failure);
}

const HLL = { acl: ['hyperloglog'], group: 'hyperloglog' } as const;

export const hllCommands: CommandSpec[] = [
  {
    ...HLL, name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], keySpecs: ['RW insert: index 1, range 0'],
    args: 'key:key [element...]', since: '2.8.9', summary: 'Adds elements to a HyperLogLog key. Creates the key if it doesn\'t exist.',
    complexity: 'O(1) to add every element.', handler: pfadd,
  },
  {
    ...HLL, name: 'pfcount', arity: -2, flags: ['readonly', 'may_replicate'],
    keySpecs: [{
      spec: 'RW access: index 1, range -1',
      notes: 'RW because it may change the internal representation of the key, and propagate to replicas',
    }],
    args: 'key:key...', since: '2.8.9',
    summary: 'Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).',
    complexity: 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
    handler: pfcount,
  },
  {
    ...HLL, name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'],
    keySpecs: ['RW access insert: index 1, range 0', 'RO access: index 2, range -1'],
    args: 'destkey:key [sourcekey:key#1...]', since: '2.8.9', summary: 'Merges one or more HyperLogLog values into a single key.',
    complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.', handler: pfmerge,
  },
  {
    ...HLL, name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'], acl: ['hyperloglog', 'dangerous'],
    keySpecs: ['RW access: index 2, range 0'], args: 'subcommand key:key', since: '2.8.9',
    summary: 'Internal commands for debugging HyperLogLog values.', complexity: 'N/A', docFlags: ['syscmd'], handler: pfdebug,
  },
  {
    ...HLL, name: 'pfselftest', arity: 1, flags: ['admin'], since: '2.8.9',
    summary: 'An internal command for testing HyperLogLog values.', complexity: 'N/A', docFlags: ['syscmd'], handler: pfselftest,
  },
];
