import { createHash } from 'node:crypto';
import { splitInlineArgs } from '../../protocol/inline.js';
import type { CommandCatalog } from './catalog.js';
import { Selector, type RuleError } from './selector.js';

/** What users need of the ACL system they belong to. */
export interface UserEnv {
  readonly catalog: CommandCatalog;
  /** acl-pubsub-default is allchannels: new selectors start with every channel. */
  allChannelsByDefault(): boolean;
}

/** SHA-256 of a password's bytes, as the lowercase hex Redis stores. */
export function hashPassword(password: string): string {
  return createHash('sha256').update(Buffer.from(password, 'latin1')).digest('hex');
}

function validHash(h: string): boolean {
  return /^[0-9a-f]{64}$/.test(h);
}

/**
 * An ACL user (Redis's user struct): flags, password hashes and selectors,
 * the root selector first. Clients hold the object itself, so changes reach
 * them at once; `unrestricted` caches whether every check would pass.
 */
export class User {
  enabled = false;
  nopass = false;
  sanitizePayload = true;
  passwords: string[] = [];
  selectors: Selector[];
  /** Some selector allows every command, key and channel: the dispatcher skips the checks. */
  unrestricted = false;

  constructor(
    readonly name: string,
    private readonly env: UserEnv,
  ) {
    this.selectors = [new Selector(env.catalog, env.allChannelsByDefault())];
  }

  get root(): Selector {
    return this.selectors[0];
  }

  /** Takes every rule of `other` (Redis's ACLCopyUser): the name stays. */
  copyFrom(other: User): void {
    this.enabled = other.enabled;
    this.nopass = other.nopass;
    this.sanitizePayload = other.sanitizePayload;
    this.passwords = other.passwords.slice();
    this.selectors = other.selectors.map((s) => s.clone());
    this.refresh();
  }

  clone(name = this.name): User {
    const u = new User(name, this.env);
    u.copyFrom(this);
    return u;
  }

  refresh(): void {
    this.unrestricted = this.selectors.some((s) => s.allCommands && s.allKeys && s.allChannels);
  }

  /** Redis's ACLSetUser: applies one rule to the user (or its root selector). */
  apply(op: string): RuleError | null {
    const err = this.applyOne(op);
    this.refresh();
    return err;
  }

  private applyOne(op: string): RuleError | null {
    if (op === '') return null;
    const lower = op.toLowerCase();
    switch (lower) {
      case 'on':
        this.enabled = true;
        return null;
      case 'off':
        this.enabled = false;
        return null;
      case 'skip-sanitize-payload':
        this.sanitizePayload = false;
        return null;
      case 'sanitize-payload':
        this.sanitizePayload = true;
        return null;
      case 'nopass':
        this.nopass = true;
        this.passwords = [];
        return null;
      case 'resetpass':
        this.nopass = false;
        this.passwords = [];
        return null;
      case 'clearselectors':
        this.selectors = [this.root];
        return null;
      case 'reset':
        this.reset();
        return null;
    }
    if (op[0] === '>' || op[0] === '#') {
      const hash = op[0] === '>' ? hashPassword(op.slice(1)) : op.slice(1);
      if (op[0] === '#' && !validHash(hash)) return 'EBADMSG';
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
      return null;
    }
    if (op[0] === '<' || op[0] === '!') {
      const hash = op[0] === '<' ? hashPassword(op.slice(1)) : op.slice(1);
      if (op[0] === '!' && !validHash(hash)) return 'EBADMSG';
      const at = this.passwords.indexOf(hash);
      if (at === -1) return 'ENODEV';
      this.passwords.splice(at, 1);
      return null;
    }
    if (op[0] === '(' && op[op.length - 1] === ')') {
      const s = new Selector(this.env.catalog, this.env.allChannelsByDefault());
      const words = splitInlineArgs(Buffer.from(op.slice(1, -1), 'latin1')) ?? [];
      for (const w of words) {
        const err = s.apply(w.toString('latin1'));
        if (err !== null) return err;
      }
      this.selectors.push(s);
      return null;
    }
    return this.root.apply(op);
  }

  private reset(): void {
    this.applyOne('resetpass');
    this.root.apply('resetkeys');
    this.root.apply('resetchannels');
    if (this.env.allChannelsByDefault()) this.root.apply('allchannels');
    this.enabled = false;
    this.sanitizePayload = true;
    this.selectors = [this.root];
    this.root.apply('-@all');
  }

  /** Whether `password` logs in as this user (ignoring whether it is enabled). */
  checkPassword(password: string): boolean {
    if (this.nopass) return true;
    const h = hashPassword(password);
    return this.passwords.includes(h);
  }

  /** The flags as ACL GETUSER lists them, in Redis's order. */
  flags(): string[] {
    const out = [this.enabled ? 'on' : 'off'];
    if (this.nopass) out.push('nopass');
    out.push(this.sanitizePayload ? 'sanitize-payload' : 'skip-sanitize-payload');
    return out;
  }

  /** Redis's ACLDescribeUser: the rules that rebuild the user, as ACL LIST and ACL SAVE write them. */
  describe(): string {
    let out = this.flags().map((f) => `${f} `).join('');
    out += this.passwords.map((p) => `#${p} `).join('');
    out += this.root.describe();
    for (const s of this.selectors.slice(1)) out += ` (${s.describe()})`;
    return out;
  }
}
