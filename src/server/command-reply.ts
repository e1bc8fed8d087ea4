import type { Reply } from '../protocol/reply.js';
import type { CommandArg, CommandFlag, KeySpec } from '../core/command.js';
import type { Command } from './command-types.js';

/**
 * How COMMAND INFO and COMMAND DOCS describe a command, built from its
 * declaration in the command table. Sets are written in Redis's fixed order
 * so that RESP2 replies (plain arrays) compare equal to Redis's.
 */

/** The flags COMMAND shows, in Redis's order; may_replicate, sentinel and protected stay internal, as in Redis 7. */
const SHOWN_FLAGS: readonly CommandFlag[] = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale',
  'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'no_mandatory_keys', 'no_async_loading',
  'no_multi', 'movablekeys', 'allow_busy',
];

/** Redis's ACL category table, whose order COMMAND INFO follows. */
const CATEGORY_ORDER = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

export function shownFlags(cmd: Command): string[] {
  return SHOWN_FLAGS.filter((f) => cmd.flagSet.has(f) || (f === 'movablekeys' && cmd.movableKeys));
}

export function categoryNames(cmd: Command): string[] {
  const rank = (c: string) => {
    const i = CATEGORY_ORDER.indexOf(c);
    return i === -1 ? CATEGORY_ORDER.length : i;
  };
  return [...cmd.aclCategories].sort((a, b) => rank(a) - rank(b)).map((c) => `@${c}`);
}

/** A set of flag names as simple strings, Redis's addReplyCommandFlags. */
export function writeFlags(r: Reply, flags: readonly string[]): void {
  r.set(flags.length);
  for (const f of flags) r.simple(f);
}

function writeKeySpec(r: Reply, spec: KeySpec): void {
  r.map(spec.notes === null ? 3 : 4);
  if (spec.notes !== null) {
    r.bulk('notes');
    r.bulk(spec.notes);
  }
  r.bulk('flags');
  writeFlags(r, spec.flags);
  r.bulk('begin_search');
  r.map(2);
  r.bulk('type');
  const begin = spec.begin;
  r.bulk(begin.type);
  r.bulk('spec');
  if (begin.type === 'index') {
    r.map(1);
    r.bulk('index');
    r.integer(begin.index);
  } else if (begin.type === 'keyword') {
    r.map(2);
    r.bulk('keyword');
    r.bulk(begin.keyword);
    r.bulk('startfrom');
    r.integer(begin.startfrom);
  } else {
    r.map(0);
  }
  r.bulk('find_keys');
  r.map(2);
  r.bulk('type');
  const find = spec.find;
  r.bulk(find.type);
  r.bulk('spec');
  if (find.type === 'range') {
    r.map(3);
    r.bulk('lastkey');
    r.integer(find.lastkey);
    r.bulk('keystep');
    r.integer(find.keystep);
    r.bulk('limit');
    r.integer(find.limit);
  } else if (find.type === 'keynum') {
    r.map(3);
    r.bulk('keynumidx');
    r.integer(find.keynumidx);
    r.bulk('firstkey');
    r.integer(find.firstkey);
    r.bulk('keystep');
    r.integer(find.keystep);
  } else {
    r.map(0);
  }
}

/** COMMAND INFO's entry: name, arity, flags, first key, last key, step, categories, tips, key specs, subcommands. */
export function writeCommandInfo(r: Reply, cmd: Command | undefined): void {
  if (cmd === undefined) {
    r.nullBulk();
    return;
  }
  const [first, last, step] = cmd.keyRange;
  r.array(10);
  r.bulk(cmd.fullName);
  r.integer(cmd.arity);
  writeFlags(r, shownFlags(cmd));
  r.integer(first);
  r.integer(last);
  r.integer(step);
  writeFlags(r, categoryNames(cmd));
  const tips = cmd.spec.tips ?? [];
  r.set(tips.length);
  for (const t of tips) r.bulk(t);
  r.set(cmd.keySpecs.length);
  for (const s of cmd.keySpecs) writeKeySpec(r, s);
  if (cmd.subcommands === null) {
    // Redis answers an empty set here but an array when there are subcommands.
    r.set(0);
  } else {
    r.array(cmd.subcommands.size);
    for (const sub of cmd.subcommands.values()) writeCommandInfo(r, sub);
  }
}

/** COMMAND DOCS's description of arguments (Redis 7.2's: every argument but a oneof or block has a display text). */
function writeArgs(r: Reply, args: readonly CommandArg[]): void {
  r.array(args.length);
  for (const a of args) {
    const container = a.type === 'oneof' || a.type === 'block';
    const flags: string[] = [];
    if (a.optional) flags.push('optional');
    if (a.multiple) flags.push('multiple');
    if (a.multipleToken) flags.push('multiple_token');
    // name, type, and display_text or arguments; then the optional fields.
    r.map(
      3 + (a.keySpecIndex !== -1 ? 1 : 0) + (a.token !== null ? 1 : 0) + (a.since !== null ? 1 : 0)
        + (a.deprecatedSince !== null ? 1 : 0) + (flags.length !== 0 ? 1 : 0),
    );
    r.bulk('name');
    r.bulk(a.name);
    r.bulk('type');
    r.bulk(a.type);
    if (!container) {
      r.bulk('display_text');
      r.bulk(a.display ?? a.name);
    }
    if (a.keySpecIndex !== -1) {
      r.bulk('key_spec_index');
      r.integer(a.keySpecIndex);
    }
    if (a.token !== null) {
      r.bulk('token');
      r.bulk(a.token);
    }
    if (a.since !== null) {
      r.bulk('since');
      r.bulk(a.since);
    }
    if (a.deprecatedSince !== null) {
      r.bulk('deprecated_since');
      r.bulk(a.deprecatedSince);
    }
    if (flags.length !== 0) {
      r.bulk('flags');
      writeFlags(r, flags);
    }
    if (container) {
      r.bulk('arguments');
      writeArgs(r, a.args);
    }
  }
}

/** COMMAND DOCS's entry, with Redis's fields in Redis's order, each present only when the declaration has it. */
export function writeCommandDocs(r: Reply, cmd: Command): void {
  const spec = cmd.spec;
  const fields = [
    spec.complexity, spec.docFlags, spec.deprecatedSince, spec.replacedBy, spec.history, spec.args, spec.subcommands,
  ];
  r.map(3 + fields.filter((f) => f !== undefined).length);
  r.bulk('summary');
  r.bulk(spec.summary);
  r.bulk('since');
  r.bulk(spec.since);
  r.bulk('group');
  r.bulk(spec.group);
  if (spec.complexity !== undefined) {
    r.bulk('complexity');
    r.bulk(spec.complexity);
  }
  if (spec.docFlags !== undefined) {
    r.bulk('doc_flags');
    writeFlags(r, spec.docFlags);
  }
  if (spec.deprecatedSince !== undefined) {
    r.bulk('deprecated_since');
    r.bulk(spec.deprecatedSince);
  }
  if (spec.replacedBy !== undefined) {
    r.bulk('replaced_by');
    r.bulk(spec.replacedBy);
  }
  if (spec.history !== undefined) {
    r.bulk('history');
    r.set(spec.history.length);
    for (const [version, change] of spec.history) {
      r.array(2);
      r.bulk(version);
      r.bulk(change);
    }
  }
  if (spec.args !== undefined) {
    r.bulk('arguments');
    writeArgs(r, cmd.args);
  }
  if (cmd.subcommands !== null) {
    r.bulk('subcommands');
    r.map(cmd.subcommands.size);
    for (const sub of cmd.subcommands.values()) {
      r.bulk(sub.fullName);
      writeCommandDocs(r, sub);
    }
  }
}
