import { KEY_FLAGS, type ArgType, type CommandArg, type KeyFlag, type KeySpec } from '../core/command.js';

/**
 * The two compact notations command declarations use. Key specs are
 * compiled when the table is built, so a typo in one stops the server at
 * start; arguments when COMMAND DOCS first reads them, so a typo there
 * makes that command's docs an error (the test of COMMAND DOCS of every
 * command reads them all).
 *
 * Key specs: `FLAGS: BEGIN, FIND`
 *   FLAGS  key spec flags (RW, access, …), any order
 *   BEGIN  `index N` | `keyword WORD STARTFROM` | `unknown`
 *   FIND   `range LASTKEY [KEYSTEP [LIMIT]]` (defaults 1 and 0)
 *          | `keynum KEYNUMIDX FIRSTKEY KEYSTEP` | `unknown`
 *   e.g. 'RW access delete: index 1, range 0', 'OW update: index 1, range -1 2'
 *
 * Arguments, close to Redis's usage lines:
 *   name                 a string argument
 *   name:type            type key, integer, double, pattern or unix-time
 *   name=shown           its display text, when not its name
 *   name:key#1           a key found by key spec 1 (0 when not given); a pattern
 *                        may name one too (SORT's BY and GET patterns name keys)
 *   TOKEN name           an argument introduced by a token
 *   TOKEN                a pure token, named after itself in lowercase
 *   name->TOKEN          a pure token named otherwise, or not a word ('equal->=', 'auto-id->*',
 *                        'empty-string->""' for the empty word)
 *   name(a | b)          oneof; name{a b} is a block; either may follow a TOKEN
 *   [arg]                optional
 *   arg...               multiple
 *   TOKEN arg... +       multiple, the token repeated before each
 *   arg @6.2.0           since; `!2.8.12` is deprecated since
 *   e.g. 'key:key value [condition(NX | XX) @2.6.12] [GET @6.2.0]'
 */

const FLAG_RANK = new Map<string, number>(KEY_FLAGS.map((f, i) => [f, i]));

export function parseKeySpec(decl: string | { spec: string; notes: string }): KeySpec {
  const text = typeof decl === 'string' ? decl : decl.spec;
  const fail = (): never => {
    throw new Error(`malformed key spec '${text}'`);
  };
  const m = /^([A-Za-z_ ]*):\s*(.+?),\s*(.+)$/.exec(text);
  if (m === null) return fail();
  const flags = m[1].split(/\s+/).filter(Boolean);
  if (flags.some((f) => !FLAG_RANK.has(f))) fail();
  flags.sort((a, b) => FLAG_RANK.get(a)! - FLAG_RANK.get(b)!);
  const num = (s: string | undefined): number => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : fail());
  const [bType, ...b] = m[2].split(/\s+/);
  const [fType, ...f] = m[3].split(/\s+/);
  let begin: KeySpec['begin'];
  if (bType === 'index' && b.length === 1) begin = { type: 'index', index: num(b[0]) };
  else if (bType === 'keyword' && b.length === 2) begin = { type: 'keyword', keyword: b[0], startfrom: num(b[1]) };
  else if (bType === 'unknown' && b.length === 0) begin = { type: 'unknown' };
  else return fail();
  let find: KeySpec['find'];
  if (fType === 'range' && f.length >= 1 && f.length <= 3) {
    find = { type: 'range', lastkey: num(f[0]), keystep: num(f[1] ?? '1'), limit: num(f[2] ?? '0') };
  } else if (fType === 'keynum' && f.length === 3) {
    find = { type: 'keynum', keynumidx: num(f[0]), firstkey: num(f[1]), keystep: num(f[2]) };
  } else if (fType === 'unknown' && f.length === 0) {
    find = { type: 'unknown' };
  } else {
    return fail();
  }
  return { notes: typeof decl === 'string' ? null : decl.notes, flags: flags as KeyFlag[], begin, find };
}

const VALUE = /^([a-z][a-z0-9-]*)(?::(key|integer|double|pattern|unix-time))?(?:=([^#\s]+))?(?:#(\d+))?$/;
const TOKEN = /^[A-Z][A-Z0-9-]*$/;
const NAMED_TOKEN = /^([a-z][a-z0-9-]*)->(\S+)$/;

/** Parses an argument syntax string (see above) into COMMAND DOCS's argument tree. */
export function parseArgs(syntax: string): CommandArg[] {
  const words = syntax.match(/\.\.\.|[[\](){}|]|[^\s[\](){}|.]+(?:\.[^\s[\](){}|.]+)*/g) ?? [];
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`argument syntax '${syntax}': ${why} at word ${at + 1}`);
  };
  const peek = (): string | undefined => words[at];
  const expect = (w: string): void => {
    if (words[at] !== w) fail(`expected '${w}'`);
    at++;
  };

  function sequence(end: string | undefined): CommandArg[] {
    const out: CommandArg[] = [];
    while (peek() !== end) {
      if (peek() === undefined) fail(`missing '${end}'`);
      out.push(item());
    }
    return out;
  }

  function item(): CommandArg {
    let arg: CommandArg;
    if (peek() === '[') {
      at++;
      arg = modifiers(core());
      expect(']');
      arg.optional = true;
    } else {
      arg = core();
    }
    return modifiers(arg);
  }

  function modifiers(arg: CommandArg): CommandArg {
    for (let w = peek(); w !== undefined; w = peek()) {
      if (w === '...') arg.multiple = true;
      else if (w === '+') arg.multipleToken = true;
      else if (w.startsWith('@')) arg.since = w.slice(1);
      else if (w.startsWith('!')) arg.deprecatedSince = w.slice(1);
      else break;
      at++;
    }
    return arg;
  }

  function core(): CommandArg {
    let word = peek() ?? fail('missing argument');
    const named = NAMED_TOKEN.exec(word);
    if (named !== null) {
      at++;
      // `""` stands for the empty word, as a usage line writes it (MIGRATE's empty-string).
      return leaf(named[1], 'pure-token', named[2] === '""' ? '' : named[2]);
    }
    let token: string | null = null;
    if (TOKEN.test(word)) {
      token = word;
      at++;
      const next = peek();
      if (next === undefined || !VALUE.test(next)) return leaf(token.toLowerCase(), 'pure-token', token);
      word = next;
    }
    const m = VALUE.exec(word) ?? fail(`'${word}' is not an argument`);
    at++;
    const [, name, type, display, keySpec] = m;
    const open = peek();
    if (open === '(' || open === '{') {
      if (type !== undefined || display !== undefined || keySpec !== undefined) fail(`'${word}' is a container`);
      at++;
      const oneof = open === '(';
      const args = oneof ? alternatives() : sequence('}');
      expect(oneof ? ')' : '}');
      return { ...leaf(name, oneof ? 'oneof' : 'block', token), args };
    }
    const arg = leaf(name, (type ?? 'string') as ArgType, token);
    arg.display = display ?? null;
    if (type === 'key') arg.keySpecIndex = Number(keySpec ?? '0');
    else if (type === 'pattern' && keySpec !== undefined) arg.keySpecIndex = Number(keySpec);
    else if (keySpec !== undefined) fail(`'${word}' is not a key`);
    return arg;
  }

  function alternatives(): CommandArg[] {
    const out = [item()];
    while (peek() === '|') {
      at++;
      out.push(item());
    }
    return out;
  }

  return sequence(undefined);
}

function leaf(name: string, type: ArgType, token: string | null): CommandArg {
  return {
    name, type, display: null, keySpecIndex: -1, token, since: null, deprecatedSince: null, optional: false,
    multiple: false, multipleToken: false, args: [],
  };
}
