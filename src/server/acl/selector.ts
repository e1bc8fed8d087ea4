import { globMatch } from '../../core/glob.js';
import type { Command } from '../command-types.js';
import type { CommandCatalog } from './catalog.js';
import { categoryByName } from './categories.js';

/** Why a rule was refused: Redis's errno values, each with its own message (see rules.ts). */
export type RuleError = 'ENOENT' | 'EINVAL' | 'EEXIST' | 'EISDIR' | 'ENODEV' | 'EBADMSG' | 'ECHILD';

/** Key pattern permissions (%R~, %W~; ~ is both). */
export const READ = 1;
export const WRITE = 2;
export const READ_WRITE = READ | WRITE;

export interface KeyPattern {
  pattern: string;
  flags: number;
}

/** Redis's ACLStringHasSpaces: isspace() characters or NUL. */
export function hasSpaces(s: string): boolean {
  return /[\t\n\v\f\r \0]/.test(s);
}

/**
 * One set of permissions (Redis's aclSelector): which commands, keys and
 * channels it allows. A user has a root selector and any number of others;
 * a command runs when one of them allows all of it.
 */
export class Selector {
  /** Every command, by the flag: cleared as soon as any command is taken away. */
  allCommands = false;
  /** Started from +@all: commands added later would be allowed (Redis's reserved command bit). */
  futureCommands = false;
  readonly allowed = new Set<Command>();
  /** Allowed first arguments of a command that is otherwise denied (+select|0). */
  firstArgs: Map<Command, string[]> | null = null;
  allKeys = false;
  patterns: KeyPattern[] = [];
  allChannels: boolean;
  channels: string[] = [];
  /** The command rules in the order given, each command or category once: what ACL LIST shows. */
  rules: string[] = [];

  constructor(
    private readonly catalog: CommandCatalog,
    allChannels: boolean,
  ) {
    this.allChannels = allChannels;
  }

  clone(): Selector {
    const s = new Selector(this.catalog, this.allChannels);
    s.allCommands = this.allCommands;
    s.futureCommands = this.futureCommands;
    for (const c of this.allowed) s.allowed.add(c);
    if (this.firstArgs !== null) s.firstArgs = new Map([...this.firstArgs].map(([c, a]) => [c, a.slice()]));
    s.allKeys = this.allKeys;
    s.patterns = this.patterns.map((p) => ({ ...p }));
    s.channels = this.channels.slice();
    s.rules = this.rules.slice();
    return s;
  }

  /** Redis's ACLSetSelector: applies one rule; an error leaves the rule unapplied. */
  apply(op: string): RuleError | null {
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || op === '~*') {
      this.allKeys = true;
      this.patterns = [];
    } else if (lower === 'resetkeys') {
      this.allKeys = false;
      this.patterns = [];
    } else if (lower === 'allchannels' || op === '&*') {
      this.allChannels = true;
      this.channels = [];
    } else if (lower === 'resetchannels') {
      this.allChannels = false;
      this.channels = [];
    } else if (lower === 'allcommands' || lower === '+@all') {
      this.setAll(true);
    } else if (lower === 'nocommands' || lower === '-@all') {
      this.setAll(false);
    } else if (op[0] === '~' || op[0] === '%') {
      return this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if (this.allChannels) return 'EISDIR';
      const pattern = op.slice(1);
      if (hasSpaces(pattern)) return 'EINVAL';
      if (!this.channels.includes(pattern)) this.channels.push(pattern);
      this.allChannels = false;
    } else if (op[0] === '+' && op[1] !== '@') {
      return this.allowCommand(op.slice(1));
    } else if (op[0] === '-' && op[1] !== '@') {
      const cmd = this.catalog.lookup(op.slice(1));
      if (cmd === undefined) return 'ENOENT';
      this.changePerm(cmd, false);
      this.updateRules(cmd.fullName, false);
    } else if (op[0] === '+' || op[0] === '-') {
      const category = categoryByName(op.slice(2));
      if (category === null) return 'ENOENT';
      const allow = op[0] === '+';
      this.updateRules(op.slice(1), allow);
      for (const cmd of this.catalog.all()) if (cmd.aclCategories.includes(category)) this.changePerm(cmd, allow);
    } else {
      return 'EINVAL';
    }
    return null;
  }

  private setAll(allow: boolean): void {
    this.allowed.clear();
    if (allow) for (const cmd of this.catalog.all()) this.allowed.add(cmd);
    this.allCommands = this.futureCommands = allow;
    this.rules = [];
    this.firstArgs = null;
  }

  private addKeyPattern(op: string): RuleError | null {
    if (this.allKeys) return 'EEXIST';
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < op.length; offset++) {
        const ch = op[offset].toUpperCase();
        if (ch === 'R' && (flags & READ) === 0) {
          flags |= READ;
        } else if (ch === 'W' && (flags & WRITE) === 0) {
          flags |= WRITE;
        } else if (op[offset] === '~' && flags !== 0) {
          offset++;
          break;
        } else {
          return 'EINVAL';
        }
      }
    } else {
      flags = READ_WRITE;
    }
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) return 'EINVAL';
    const existing = this.patterns.find((p) => p.pattern === pattern);
    if (existing === undefined) this.patterns.push({ pattern, flags });
    else existing.flags |= flags;
    this.allKeys = false;
    return null;
  }

  /** +command, +container|subcommand, or +command|first-arg for a command without subcommands. */
  private allowCommand(name: string): RuleError | null {
    const bar = name.lastIndexOf('|');
    if (bar === -1) {
      const cmd = this.catalog.lookup(name);
      if (cmd === undefined) return 'ENOENT';
      this.changePerm(cmd, true);
      this.updateRules(cmd.fullName, true);
      return null;
    }
    const cmd = this.catalog.lookup(name.slice(0, bar));
    if (cmd === undefined) return 'ENOENT';
    if (cmd.parent !== null) return 'ECHILD';
    const first = name.slice(bar + 1);
    if (first === '') return 'EINVAL';
    if (cmd.subcommands !== null) {
      const sub = this.catalog.lookup(name);
      if (sub === undefined) return 'ENOENT';
      this.changePerm(sub, true);
    } else {
      this.addFirstArg(cmd, first);
    }
    this.updateRules(name, true);
    return null;
  }

  private addFirstArg(cmd: Command, arg: string): void {
    this.firstArgs ??= new Map();
    const list = this.firstArgs.get(cmd);
    if (list === undefined) this.firstArgs.set(cmd, [arg]);
    else if (!list.some((a) => a.toLowerCase() === arg.toLowerCase())) list.push(arg);
  }

  /** Redis's ACLChangeSelectorPerm: a container's subcommands follow it. */
  private changePerm(cmd: Command, allow: boolean): void {
    this.setBit(cmd, allow);
    this.firstArgs?.delete(cmd);
    if (cmd.subcommands !== null) for (const sub of cmd.subcommands.values()) this.setBit(sub, allow);
  }

  private setBit(cmd: Command, allow: boolean): void {
    if (allow) {
      this.allowed.add(cmd);
    } else {
      this.allowed.delete(cmd);
      this.allCommands = false;
    }
  }

  /** A rule replaces earlier ones for the same command (and for its subcommands), keeping the others' order. */
  private updateRules(rule: string, allow: boolean): void {
    const r = rule.toLowerCase();
    this.rules = this.rules.filter((old) => {
      const body = old.slice(1);
      return body !== r && !body.startsWith(`${r}|`);
    });
    this.rules.push(`${allow ? '+' : '-'}${r}`);
  }

  /** The command rules as ACL GETUSER and ACL LIST show them. */
  describeCommands(): string {
    const base = this.futureCommands ? '+@all' : '-@all';
    return this.rules.length === 0 ? base : `${base} ${this.rules.join(' ')}`;
  }

  describeKeys(): string {
    return this.allKeys ? '~*' : this.patterns.map(patternString).join(' ');
  }

  describeChannels(): string {
    return this.allChannels ? '&*' : this.channels.map((c) => `&${c}`).join(' ');
  }

  /** Redis's ACLDescribeSelector: keys, channels, then commands. */
  describe(): string {
    let out = this.allKeys ? '~* ' : this.patterns.map((p) => `${patternString(p)} `).join('');
    out += this.allChannels ? '&* ' : `resetchannels ${this.channels.map((c) => `&${c} `).join('')}`;
    return out + this.describeCommands();
  }

  /** Whether the command itself is allowed (NO_AUTH commands always are), its first argument considered. */
  allowsCommand(cmd: Command, argv: readonly string[]): boolean {
    if (this.allCommands || cmd.noAuth || this.allowed.has(cmd)) return true;
    const args = this.firstArgs?.get(cmd);
    if (args === undefined || argv.length < 2) return false;
    const first = argv[cmd.parent !== null ? 2 : 1]?.toLowerCase();
    return args.some((a) => a.toLowerCase() === first);
  }

  /** Redis's ACLSelectorCheckKey: a pattern with every permission the access needs matches the key. */
  allowsKey(key: string, needs: number): boolean {
    if (this.allKeys) return true;
    for (const p of this.patterns) {
      if ((p.flags & needs) === needs && globMatch(p.pattern, key)) return true;
    }
    return false;
  }

  /**
   * Redis's ACLSelectorHasUnrestrictedKeyAccess: any key at all may be used
   * with `needs` (allkeys, or a `*` pattern granting it), which is what a
   * command reaching keys by pattern (SORT's BY and GET) must have.
   */
  allowsEveryKey(needs: number): boolean {
    return this.allKeys || this.patterns.some((p) => (p.flags & needs) === needs && p.pattern === '*');
  }

  /** A channel named by PUBLISH/SUBSCRIBE matches a pattern; a PSUBSCRIBE pattern must equal one. */
  allowsChannel(channel: string, isPattern: boolean): boolean {
    if (this.allChannels) return true;
    return channelInList(this.channels, channel, isPattern);
  }
}

export function channelInList(list: readonly string[], channel: string, isPattern: boolean): boolean {
  for (const p of list) {
    if (isPattern ? p === channel : globMatch(p, channel)) return true;
  }
  return false;
}

function patternString(p: KeyPattern): string {
  const prefix = p.flags === READ_WRITE ? '~' : p.flags === READ ? '%R~' : '%W~';
  return prefix + p.pattern;
}
