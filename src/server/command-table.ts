import type { Command, CommandSpec } from './command-types.js';

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

function compile(spec: CommandSpec, parent: Command | null): Command {
  const f = new Set(spec.flags);
  const traits = new Set(spec.traits ?? []);
  const own = [...spec.acl];
  for (const c of derivedCategories(spec)) if (!own.includes(c)) own.push(c);
  const cmd: Command = {
    spec,
    fullName: parent ? `${parent.fullName}|${spec.name}` : spec.name,
    parent,
    handler: spec.handler ?? null,
    subcommands: null,
    arity: spec.arity,
    flagSet: f,
    isWrite: f.has('write'),
    isReadonly: f.has('readonly'),
    denyOom: f.has('denyoom'),
    allowLoading: f.has('loading'),
    noAuth: f.has('no_auth'),
    noMulti: f.has('no_multi'),
    noScript: f.has('noscript'),
    skipMonitor: f.has('skip_monitor'),
    skipSlowlog: f.has('skip_slowlog'),
    isBlocking: f.has('blocking'),
    isProtected: f.has('protected'),
    notQueued: traits.has('not-queued') || traits.has('ends-transaction'),
    endsTransaction: traits.has('ends-transaction'),
    allowedWhenSubscribed: traits.has('allowed-when-subscribed'),
    aclCategories: own,
    stats: { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 },
  };
  if (spec.subcommands) {
    cmd.subcommands = new Map();
    for (const sub of spec.subcommands) cmd.subcommands.set(sub.name, compile(sub, cmd));
  }
  return cmd;
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
