import type { CommandArg, CommandFlag, CommandStats, KeySpec } from '../core/command.js';
import type { Command, CommandSpec } from './command-types.js';
import { parseArgs, parseKeySpec } from './command-syntax.js';

/** ACL categories Redis derives from flags rather than declaring them. */
function derivedCategories(spec: CommandSpec): string[] {
  const f = new Set(spec.flags);
  const cats: string[] = [];
  if (f.has('write')) cats.push('write');
  if (f.has('readonly') && !spec.acl.includes('scripting')) cats.push('read');
  if (f.has('admin')) cats.push('admin', 'dangerous');
  if (f.has('pubsub')) cats.push('pubsub');
  if (f.has('fast')) cats.push('fast');
  if (f.has('blocking')) cats.push('blocking');
  if (!f.has('fast')) cats.push('slow');
  return cats;
}

/**
 * Redis's populateCommandLegacyRangeSpec: the first/last/step COMMAND INFO
 * reports, from the key specs. A single index/range spec is taken as it is;
 * otherwise consecutive step-1 ranges are merged, and any spec that does not
 * fit (not a plain range, or incomplete) makes the keys movable.
 */
function legacyRange(specs: readonly KeySpec[]): { range: [number, number, number]; movable: boolean } {
  if (specs.length === 0) return { range: [0, 0, 0], movable: false };
  const only = specs[0];
  if (specs.length === 1 && only.begin.type === 'index' && only.find.type === 'range') {
    const { index } = only.begin;
    const { lastkey, keystep } = only.find;
    return { range: [index, lastkey >= 0 ? index + lastkey : lastkey, keystep], movable: only.flags.includes('incomplete') };
  }
  let movable = false;
  let first = Infinity;
  let last = 0;
  let prevLast = 0;
  // Redis compares last keys as unsigned ints, so a key counted from the end outranks any fixed one.
  const unsigned = (n: number) => n >>> 0;
  for (const s of specs) {
    if (s.begin.type !== 'index' || s.find.type !== 'range') {
      movable = true;
      continue;
    }
    if (s.find.keystep !== 1 || (prevLast !== 0 && prevLast !== s.begin.index - 1)) {
      movable = true;
      continue;
    }
    if (s.flags.includes('incomplete')) movable = true;
    first = Math.min(first, s.begin.index);
    const abs = s.find.lastkey >= 0 ? s.find.lastkey + s.begin.index : s.find.lastkey;
    if (unsigned(abs) > unsigned(last)) last = abs;
    prevLast = last;
  }
  if (first === Infinity) return { range: [0, 0, 0], movable: true };
  return { range: [first, last, 1], movable };
}

/** Every key argument must name one of the command's key specs. */
function checkKeyArgs(name: string, args: readonly CommandArg[], specs: number): void {
  for (const a of args) {
    if (a.keySpecIndex >= specs) throw new Error(`${name}: argument ${a.name} names key spec ${a.keySpecIndex}`);
    checkKeyArgs(name, a.args, specs);
  }
}

function compile(spec: CommandSpec, parent: Command | null): Command {
  const cmd = new CompiledCommand(spec, parent);
  if (spec.subcommands) {
    cmd.subcommands = new Map();
    for (const sub of spec.subcommands) cmd.subcommands.set(sub.name, compile(sub, cmd));
  }
  return cmd;
}

/**
 * A command's derived fields as its own data properties, the lazily parsed
 * argument tree behind a getter of the class: a getter written in an object
 * literal leaves the object in V8's dictionary mode, and the dispatcher
 * reads a dozen of these fields for every command it runs.
 */
class CompiledCommand implements Command {
  readonly fullName: string;
  readonly handler: Command['handler'];
  readonly bytesArg: number;
  subcommands: Map<string, Command> | null = null;
  readonly arity: number;
  readonly flagSet: ReadonlySet<CommandFlag>;
  readonly isWrite: boolean;
  readonly isReadonly: boolean;
  readonly denyOom: boolean;
  readonly allowLoading: boolean;
  readonly noAuth: boolean;
  readonly noMulti: boolean;
  readonly noScript: boolean;
  readonly skipMonitor: boolean;
  readonly skipSlowlog: boolean;
  readonly isBlocking: boolean;
  readonly isProtected: boolean;
  readonly notQueued: boolean;
  readonly endsTransaction: boolean;
  readonly allowedWhenSubscribed: boolean;
  readonly runsScript: boolean;
  readonly noTouch: boolean;
  readonly keepsNoArgv: boolean;
  /** The touches-arbitrary-keys trait. */
  readonly touchesArbitraryKeys: boolean;
  readonly keySpecs: readonly KeySpec[];
  readonly keyRange: readonly [number, number, number];
  readonly movableKeys: boolean;
  readonly hasKeys: boolean;
  readonly keysBySpecs: boolean;
  readonly aclCategories: readonly string[];
  readonly stats: CommandStats = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, histogram: null };
  /** Only COMMAND DOCS reads the argument tree: parsed when first read, not at every start. */
  private parsedArgs: readonly CommandArg[] | null = null;

  constructor(
    readonly spec: CommandSpec,
    readonly parent: Command | null,
  ) {
    const fullName = parent ? `${parent.fullName}|${spec.name}` : spec.name;
    const f = new Set(spec.flags);
    const traits = new Set(spec.traits ?? []);
    const own = [...spec.acl];
    for (const c of derivedCategories(spec)) if (!own.includes(c)) own.push(c);
    const keySpecs = (spec.keySpecs ?? []).map(parseKeySpec);
    const { range, movable } = legacyRange(keySpecs);
    const namesKeys = keySpecs.some((s) => !s.flags.includes('not_key'));
    if (spec.bytesArg !== undefined && (f.has('write') || f.has('blocking') || spec.bytesArg < 1)) throw new Error(`${fullName}: bytesArg ${spec.bytesArg}`);
    this.fullName = fullName;
    this.handler = spec.handler ?? null;
    this.bytesArg = spec.bytesArg ?? -1;
    this.arity = spec.arity;
    this.flagSet = f;
    this.isWrite = f.has('write');
    this.isReadonly = f.has('readonly');
    this.denyOom = f.has('denyoom');
    this.allowLoading = f.has('loading');
    this.noAuth = f.has('no_auth');
    this.noMulti = f.has('no_multi');
    this.noScript = f.has('noscript');
    this.skipMonitor = f.has('skip_monitor');
    this.skipSlowlog = f.has('skip_slowlog');
    this.isBlocking = f.has('blocking');
    this.isProtected = f.has('protected');
    this.notQueued = traits.has('not-queued') || traits.has('ends-transaction');
    this.endsTransaction = traits.has('ends-transaction');
    this.allowedWhenSubscribed = traits.has('allowed-when-subscribed');
    this.runsScript = traits.has('runs-script');
    this.noTouch = traits.has('no-touch');
    this.keepsNoArgv = traits.has('keeps-no-argv');
    this.touchesArbitraryKeys = traits.has('touches-arbitrary-keys');
    this.keySpecs = keySpecs;
    this.keyRange = range;
    this.movableKeys = movable;
    this.hasKeys = namesKeys || spec.getKeys !== undefined;
    this.keysBySpecs = namesKeys && !keySpecs.some((s) => s.flags.includes('variable_flags'));
    this.aclCategories = own;
  }

  get args(): readonly CommandArg[] {
    if (this.parsedArgs === null) {
      const parsed = this.spec.args === undefined ? [] : parseArgs(this.spec.args);
      checkKeyArgs(this.fullName, parsed, this.keySpecs.length);
      this.parsedArgs = parsed;
    }
    return this.parsedArgs;
  }
}

/** The one table of commands: built from the families' declarations. */
export class CommandTable {
  readonly commands = new Map<string, Command>();

  constructor(specs: readonly CommandSpec[]) {
    for (const spec of specs) {
      if (this.commands.has(spec.name)) throw new Error(`command ${spec.name} declared twice`);
      this.commands.set(spec.name, compile(spec, null));
    }
  }

  /** Looks a command up by its lowercase name. */
  get(name: string): Command | undefined {
    return this.commands.get(name);
  }

  /**
   * redis.conf's `rename-command`, applied at start: the command answers to
   * `to` from now on (to nothing, when it is empty). Returns Redis's reason
   * for refusing it, or null.
   */
  rename(from: string, to: string): string | null {
    const cmd = this.commands.get(from.toLowerCase());
    if (cmd === undefined) return 'No such command in rename-command';
    this.commands.delete(from.toLowerCase());
    if (to === '') return null;
    if (this.commands.has(to.toLowerCase())) return 'Target command name already exists';
    this.commands.set(to.toLowerCase(), cmd);
    return null;
  }

  /** The time every command and subcommand has taken, in µs: INFO's eventloop_duration_cmd_sum, without a generator's cost per command. */
  totalUsec(): number {
    let usec = 0;
    for (const cmd of this.commands.values()) {
      usec += cmd.stats.usec;
      if (cmd.subcommands) for (const sub of cmd.subcommands.values()) usec += sub.stats.usec;
    }
    return usec;
  }

  /** Every command and subcommand, parents first. */
  *all(): IterableIterator<Command> {
    for (const cmd of this.commands.values()) {
      yield cmd;
      if (cmd.subcommands) yield* cmd.subcommands.values();
    }
  }

  /** Resolves "config|get"-style names (COMMAND INFO, stats). */
  byFullName(fullName: string): Command | undefined {
    const [top, sub] = fullName.toLowerCase().split('|');
    const cmd = this.commands.get(top);
    if (sub === undefined || cmd === undefined) return cmd;
    return cmd.subcommands?.get(sub);
  }
}
