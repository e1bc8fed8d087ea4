import type { Command } from '../../core/command.js';
import { freshKeyHashSlot, keyHashSlot } from '../../keyspace/key-slot.js';
import type { Route } from './route.js';
import { routingKeys } from './routing-keys.js';
import type { ClusterRoutingView } from './routing-view.js';

/** A command line as routing reads it: a command, or one queued in a transaction. */
export interface QueryLine {
  readonly cmd: Command<never>;
  readonly argv: string[];
}

/** What routing asks of the server beyond the cluster's state. */
export interface RoutingHost {
  /** Whether database 0 holds `key`, live: looked up without expiring, touching, counting or notifying anything. */
  keyExists(key: string): boolean;
  /** Whether the line writes (Redis's getCommandFlags & CMD_WRITE: a script's declared flags replace EVAL's and FCALL's own). */
  writes(cmd: Command<never>, argv: string[]): boolean;
}

/** The commands whose keys are shard channels: they route by slot, but no key is looked up for them. */
const SHARD_COMMANDS: ReadonlySet<string> = new Set(['ssubscribe', 'sunsubscribe', 'spublish']);

/**
 * Redis's getNodeByQuery: which node serves a command given the slots of
 * its keys. EXEC is routed by all of its transaction's commands together.
 */
export class QueryRouter {
  /** After route: the keys' slot once past the cluster-state check (what MOVED and ASK name, what a script keeps to), else -1. */
  slot = -1;
  /** After route: the node a MOVED or ASK names. */
  node: string | null = null;

  // The scan's state: the first key, its slot and owner, and what was found of the keys.
  private firstKey: string | null = null;
  private firstSlot = -1;
  private owner: string | null = null;
  private migrating = false;
  private importing = false;
  private multipleKeys = false;
  private missing = 0;
  private existing = 0;
  /** Whether the scan counts a migrating slot's keys present and missing: not for a shard channel, nor for MIGRATE, which runs whatever keys are left. */
  private countKeys = true;
  private shard = false;

  constructor(
    readonly view: ClusterRoutingView,
    private readonly host: RoutingHost,
  ) {}

  /**
   * Routes `cmd` (argv `argv`). `queued` is the client's open transaction,
   * which EXEC is routed by (an EXEC without one is served here, to fail
   * there); `asking` and `readOnly` are the client's ASKING (for this
   * command or the transaction it ends) and READONLY.
   */
  route(cmd: Command<never>, argv: string[], queued: readonly QueryLine[] | null, asking: boolean, readOnly: boolean): Route {
    this.node = null;
    const exec = cmd.fullName === 'exec';
    if (!exec && this.view.stateOk) {
      const settled = this.settledSlot(cmd, argv);
      if (settled >= 0) {
        this.slot = settled;
        return 'here';
      }
    }
    // The scan's state is reset only for the full scan: the common case above reads none of it.
    this.slot = -1;
    this.firstKey = null;
    this.firstSlot = -1;
    this.owner = null;
    this.migrating = this.importing = this.multipleKeys = false;
    this.missing = this.existing = 0;
    if (exec && queued === null) return 'here';
    this.shard = SHARD_COMMANDS.has(cmd.fullName);
    this.countKeys = !this.shard && cmd.fullName !== 'migrate';
    if (exec) {
      for (const q of queued!) {
        const failed = this.scan(q.cmd, q.argv);
        if (failed !== null) return failed;
      }
    } else {
      const failed = this.scan(cmd, argv);
      if (failed !== null) return failed;
    }
    const owner = this.owner;
    if (owner === null) return 'here';
    const view = this.view;
    if (!view.stateOk) {
      if (this.shard) {
        if (!view.allowPubsubshardWhenDown) return 'down';
      } else if (!view.allowReadsWhenDown) {
        return 'down';
      } else if (this.host.writes(cmd, argv)) {
        // EXEC's own flags are read here, not its transaction's: Redis lets a queued write through this check.
        return 'down-readonly';
      }
    }
    const slot = this.firstSlot;
    this.slot = slot;
    const moving = this.migrating || this.importing;
    // MIGRATE moves keys out of an open slot: it runs here whatever keys are left.
    if (moving && cmd.fullName === 'migrate') return 'here';
    if (this.migrating && this.missing !== 0) {
      if (this.existing !== 0) return 'tryagain';
      this.node = view.migratingTo(slot);
      return 'ask';
    }
    if (this.importing && (asking || cmd.flagSet.has('asking'))) {
      // Only several keys can be split between the nodes: then every one must have arrived.
      return this.multipleKeys && this.missingKeys(cmd, argv, exec ? queued! : null) ? 'tryagain' : 'here';
    }
    if ((readOnly || this.shard) && view.myMaster !== null && view.myMaster === owner && !this.writes(cmd, argv, exec, queued)) {
      return 'here';
    }
    if (owner === view.myself) return 'here';
    this.node = owner;
    return 'moved';
  }

  /**
   * The common case in short: a command whose keys do not move, so that
   * its key range names them (a getkeys procedure of such a command, as
   * SET's, only refines their flags), all in one slot this node serves
   * settled (servesSettled). Nothing else can change the answer then: the
   * owner is myself, no key needs looking up, and the state is ok. The
   * slot, or -1 for the full scan.
   */
  private settledSlot(cmd: Command<never>, argv: string[]): number {
    if (cmd.movableKeys) return -1;
    const range = cmd.keyRange;
    const first = range[0];
    if (first === 0) return -1;
    const last = range[1] < 0 ? argv.length + range[1] : range[1];
    if (last < first || last >= argv.length) return -1;
    const slot = freshKeyHashSlot(argv[first]);
    for (let j = first + range[2]; j <= last; j += range[2]) if (keyHashSlot(argv[j]) !== slot) return -1;
    return this.view.servesSettled(slot) ? slot : -1;
  }

  /** Whether any key of the line (for EXEC, of its queued commands) is absent here. */
  private missingKeys(cmd: Command<never>, argv: string[], queued: readonly QueryLine[] | null): boolean {
    const lines = queued ?? [{ cmd, argv }];
    for (const q of lines) {
      const positions = routingKeys(q.cmd, q.argv);
      for (let i = 0; i < positions.length; i++) if (!this.host.keyExists(q.argv[positions[i]])) return true;
    }
    return false;
  }

  /** Redis's is_write_command: the command's flags, or for EXEC its transaction's. */
  private writes(cmd: Command<never>, argv: string[], exec: boolean, queued: readonly QueryLine[] | null): boolean {
    if (this.host.writes(cmd, argv)) return true;
    return exec && queued!.some((q) => this.host.writes(q.cmd, q.argv));
  }

  /**
   * Reads one line's keys into the scan's state: the first key fixes the
   * slot (unbound: no node serves it), every other must hash to it, and in
   * a slot migrating away the keys present and missing are counted.
   */
  private scan(cmd: Command<never>, argv: string[]): Route | null {
    const positions = routingKeys(cmd, argv);
    const view = this.view;
    for (let i = 0; i < positions.length; i++) {
      const key = argv[positions[i]];
      const slot = keyHashSlot(key);
      if (this.firstKey === null) {
        this.firstKey = key;
        this.firstSlot = slot;
        const owner = view.slotOwner(slot);
        if (owner === null) return 'unbound';
        this.owner = owner;
        if (owner === view.myself && view.migratingTo(slot) !== null) this.migrating = true;
        else if (view.importingFrom(slot) !== null) this.importing = true;
      } else {
        if (slot !== this.firstSlot) return 'crossslot';
        if (this.importing && !this.multipleKeys && key !== this.firstKey) this.multipleKeys = true;
      }
      // A shard channel is served by the slot's source until the migration ends: no key to look for.
      // An importing slot's keys are looked up only when the answer turns on them (missingKeys).
      if (this.migrating && this.countKeys) {
        if (this.host.keyExists(key)) this.existing++;
        else this.missing++;
      }
    }
    return null;
  }
}
