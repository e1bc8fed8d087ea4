import type { Client } from '../client.js';
import type { Command } from '../command-types.js';
import { AclLog, type LogContext } from './acl-log.js';
import { CommandCatalog } from './catalog.js';
import { checkCommand, denialMessage } from './permission-check.js';
import { stageRules } from './rules.js';
import { channelInList } from './selector.js';
import { User, type UserEnv } from './user.js';

const EXEC_REASONS = {
  command: 'no permission to execute the command or subcommand',
  key: 'no permission to touch the specified keys',
  channel: 'no permission to access one of the channels used as arguments',
} as const;

/** What the ACL system needs of the server. */
export interface AclHost {
  clients(): Iterable<Client>;
  /** The client whose command is running (a script's caller, not the script's client). */
  current(): Client | null;
  clientInfo(c: Client): string;
  config(name: 'acllog-max-len' | 'acl-pubsub-default'): string;
}

/**
 * The users (Redis's Users radix tree), the default user every connection
 * starts as, the ACL log, and what changes to users do to the clients
 * logged in as them.
 */
export class Acl implements UserEnv {
  readonly catalog: CommandCatalog;
  readonly users = new Map<string, User>();
  readonly defaultUser: User;
  readonly log = new AclLog();

  constructor(
    private readonly host: AclHost,
    commands: ReadonlyMap<string, Command>,
  ) {
    this.catalog = new CommandCatalog(commands);
    this.defaultUser = this.createDefault();
    this.users.set('default', this.defaultUser);
  }

  allChannelsByDefault(): boolean {
    return this.host.config('acl-pubsub-default') === 'allchannels';
  }

  /** Redis's ACLCreateDefaultUser: every command, key and channel, no password. */
  createDefault(): User {
    const u = new User('default', this);
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) u.apply(op);
    return u;
  }

  /** Users in Redis's order (the radix tree's: by name, bytewise). */
  sorted(): User[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Redis's authRequired: the default user asks for a password, or is off, and the client has not logged in. */
  authRequired(c: Client): boolean {
    const d = this.defaultUser;
    return (!d.nopass || !d.enabled) && !c.authenticated;
  }

  /** Whether a new connection starts logged in (as the default user). */
  startsAuthenticated(): boolean {
    return this.defaultUser.nopass && this.defaultUser.enabled;
  }

  /**
   * AUTH and HELLO AUTH: on success the client becomes the user; a failure
   * is logged (object: the command as typed).
   */
  authenticate(c: Client, username: string, password: string, command: string, fullName: string): boolean {
    const u = this.users.get(username);
    if (u !== undefined && u.enabled && u.checkPassword(password)) {
      c.user = u;
      c.setAuthenticated(true);
      return true;
    }
    // Redis names the command being run in the entry's client info.
    c.lastCommand = fullName;
    // Run by EXEC (which denies blocking while it runs the queue), AUTH is still in the transaction for Redis; the console's
    // client, which has no connection, never blocks and logs in at the top level.
    this.logDenial(c, 'auth', c.multi !== null || (c.denyBlocking && c.conn !== null) ? 'multi' : 'toplevel', command, username);
    return false;
  }

  /**
   * The dispatcher's check for a restricted user: null to run the command,
   * else the NOPERM error, logged.
   */
  deny(c: Client, cmd: Command, argv: string[], context: LogContext): string | null {
    const d = checkCommand(c.user, cmd, argv);
    if (d === null) return null;
    // Redis names the refused command as the client's last in the entry's client info (a script's caller keeps EVAL).
    if (context !== 'lua') c.lastCommand = cmd.fullName;
    this.logDenial(c, d.reason, context, d.reason === 'command' ? cmd.fullName : argv[d.pos], c.user.name);
    return denialMessage(d, c.user, cmd, argv, false);
  }

  /** EXEC's check of a queued command: null to run it, else Redis's NOPERM text for a rule changed since MULTI. */
  execDenial(c: Client, cmd: Command, argv: string[]): string | null {
    const d = checkCommand(c.user, cmd, argv);
    if (d === null) return null;
    this.logDenial(c, d.reason, 'multi', d.reason === 'command' ? cmd.fullName : argv[d.pos], c.user.name);
    return (
      'NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. ' +
      `This command is no longer allowed for the following reason: ${EXEC_REASONS[d.reason]}`
    );
  }

  logDenial(c: Client, reason: 'command' | 'key' | 'channel' | 'auth', context: LogContext, object: string, username: string): void {
    const real = this.host.current() ?? c;
    const max = Number(this.host.config('acllog-max-len'));
    this.log.add(reason, context, object, username, this.host.clientInfo(real), max);
  }

  /** ACL SETUSER: all the rules or none. Returns Redis's error, or null. */
  setUser(name: string, ops: readonly string[]): string | null {
    const existing = this.users.get(name);
    const staged = stageRules(existing ?? new User(name, this), ops);
    if (typeof staged === 'string') return staged;
    if (existing === undefined) {
      this.users.set(name, staged);
      return null;
    }
    this.dropRevokedSubscribers(existing, staged);
    existing.copyFrom(staged);
    return null;
  }

  /** ACL DELUSER of one user: its clients are logged out and disconnected. */
  deleteUser(name: string): boolean {
    const u = this.users.get(name);
    if (u === undefined) return false;
    this.users.delete(name);
    this.disconnectUser(u);
    return true;
  }

  /** Redis's ACLFreeUserAndKillClients: the running client gets its reply first. */
  disconnectUser(u: User): void {
    const current = this.host.current();
    for (const c of this.host.clients()) {
      if (c.user !== u) continue;
      c.user = this.defaultUser;
      c.setAuthenticated(false);
      if (c === current) c.closeAfterReply = true;
      else c.close();
    }
  }

  /**
   * Redis's ACLKillPubsubClientsIfNeeded: when a user's new rules take away
   * a channel or pattern one of its subscribed clients holds, that client
   * is disconnected.
   */
  private dropRevokedSubscribers(old: User, next: User): void {
    if (next.selectors.some((s) => s.allChannels)) return;
    const upcoming = next.selectors.flatMap((s) => s.channels);
    const widened = old.selectors.every((s) => !s.allChannels && s.channels.every((ch) => upcoming.includes(ch)));
    if (widened) return;
    const current = this.host.current();
    for (const c of this.host.clients()) {
      if (c.user !== old || c.pubsub === null) continue;
      const subs = c.pubsub;
      const revoked =
        [...subs.patterns].some((p) => !channelInList(upcoming, p, true)) ||
        [...subs.channels].some((ch) => !channelInList(upcoming, ch, false)) ||
        [...subs.shardChannels].some((ch) => !channelInList(upcoming, ch, false));
      if (!revoked) continue;
      if (c === current) c.closeAfterReply = true;
      else c.close();
    }
  }

  /** requirepass sets the default user's one password, or makes it nopass when empty (Redis's ACLUpdateDefaultUserPassword). */
  requirePass(password: string): void {
    this.defaultUser.apply('resetpass');
    this.defaultUser.apply(password === '' ? 'nopass' : `>${password}`);
  }

  /**
   * Replaces every user (ACL LOAD, the aclfile at start): the default user
   * keeps its identity and takes the new rules; clients of every other old
   * user are disconnected.
   */
  replaceUsers(users: Map<string, User>): void {
    const fresh = users.get('default') ?? this.createDefault();
    this.defaultUser.copyFrom(fresh);
    const old = [...this.users.values()].filter((u) => u !== this.defaultUser);
    this.users.clear();
    for (const [name, u] of users) this.users.set(name, name === 'default' ? this.defaultUser : u);
    this.users.set('default', this.defaultUser);
    for (const u of old) this.disconnectUser(u);
  }
}
