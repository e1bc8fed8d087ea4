import type { Command } from '../core/command.js';
import type { Ctx } from '../core/context.js';
import { MASTERDOWN, NOREPLICAS, OOM, READONLY_REPLICA } from '../core/errors.js';
import { Functions } from './functions.js';
import type { ScriptHost } from './host.js';
import { LuaReply, errorTable } from './lua-reply.js';
import { writeLuaValue } from './lua-to-reply.js';
import { LuaEngine, LuaError, LuaTable, type GlobalRef, type LuaFunction, type LuaResult, type LuaValue } from './lua/index.js';
import { redisApi, raiseError, type LogLevel } from './redis-api.js';
import { RunContext } from './run-context.js';
import { toArgv } from './script-args.js';
import { ScriptCache } from './script-cache.js';
import { scriptErrorMessage } from './script-error.js';
import { sha1hex } from './sha1.js';
import { parseShebang, type ScriptFlags } from './shebang.js';

/** Lua calls and loop iterations between two looks at the clock while a script runs. */
const HOOK_EVERY = 10000;
/** How often a busy script lets the other clients in (Redis does at each hook, about every millisecond). */
const SERVE_EVERY_MS = 5;

/**
 * Redis's scripting: one Lua engine whose globals every script shares (as
 * Redis keeps one Lua state), the scripts cache, and the bridge by which a
 * running script calls commands. Scripts run to completion on the caller's
 * turn: nothing else runs between their commands.
 */
export class Scripting {
  readonly lua = new LuaEngine();
  /** The sink of the script's client: the host makes that client with it. */
  readonly sink = new LuaReply();
  readonly scripts = new ScriptCache();
  /** FUNCTION's libraries, over the same engine (built last: they copy the sandboxed globals). */
  readonly functions: Functions;
  /** The script running now, or null. */
  current: RunContext | null = null;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call commands flagged noscript (a testing aid of Redis's). */
  denyScriptsDisabled = false;
  private readonly keysRef: GlobalRef;
  private readonly argvRef: GlobalRef;

  constructor(
    private readonly host: ScriptHost,
    version: string,
    private readonly busyThreshold: () => number,
  ) {
    const lua = this.lua;
    lua.setGlobal(
      'redis',
      redisApi(lua, {
        command: (args, raise) => this.command(args, raise),
        aclCheck: (args) => this.aclCheck(args),
        setResp: (proto) => {
          this.sink.proto = proto;
        },
        setRepl: (flags) => {
          this.running().repl = flags;
        },
        log: (level, message) => this.log(level, message),
        version,
      }),
    );
    lua.setGlobal('pcall', redisPcall(lua.globals.getStr('pcall') as LuaFunction));
    this.keysRef = lua.globalRef('KEYS');
    this.argvRef = lua.globalRef('ARGV');
    lua.sandbox();
    lua.setHook(() => this.interrupt(), HOOK_EVERY);
    this.functions = new Functions(lua);
  }

  /**
   * Resolves once compiled scripts stored by earlier processes can be read
   * (compile-store.ts), or after `maxMs` whatever the disk does: a server
   * waits for it before it listens, so that its first scripts find them.
   */
  storeReady(maxMs: number): Promise<void> {
    return within(LuaEngine.storeReady(), maxMs);
  }

  /** The script store's pending writes done now rather than after a pause (the server is closing), or `maxMs` on. */
  storeSettled(maxMs: number): Promise<void> {
    return within(LuaEngine.storeSettled().catch(() => {}), maxMs);
  }

  private running(): RunContext {
    const run = this.current;
    if (run === null) raiseError(this.lua, 'This function can only be called from a running script');
    return run;
  }

  /**
   * Runs a script or function for the client `c` and writes its result (or
   * its error, named after `name`) as c's reply. The keys are argv[3..3 +
   * numkeys), the arguments the rest (EVAL's and FCALL's layout): KEYS and
   * ARGV for EVAL, the arguments of the function for FCALL. When the
   * flags forbid running it now (scriptPrepareForRun), the refusal is the
   * reply.
   */
  run(c: Ctx, fn: LuaFunction, name: string, flags: ScriptFlags, ro: boolean, evalMode: boolean, argv: string[], numkeys: number): void {
    const refusal = this.refusal(c, flags, ro);
    if (refusal !== null) {
      c.reply.error(refusal);
      return;
    }
    const run = new RunContext(c, name, evalMode, flags, ro, this.host.overMemory(), this.host.now());
    this.host.enter(c);
    this.sink.proto = 2;
    const outer = this.current;
    this.current = run;
    try {
      const keyTable = LuaTable.fromArray(argv, 3, 3 + numkeys);
      const argTable = LuaTable.fromArray(argv, 3 + numkeys);
      let result: LuaValue[];
      if (evalMode) {
        this.keysRef.set(keyTable);
        this.argvRef.set(argTable);
        result = this.lua.call(fn);
      } else {
        result = this.lua.call(fn, [keyTable, argTable]);
      }
      writeLuaValue(c.reply, result[0], this.sink.proto);
    } catch (e) {
      if (!(e instanceof LuaError)) throw e;
      const { message, counted } = scriptErrorMessage(this.lua, e, name);
      c.reply.error(message, true);
      c.reply.lastErrorCounted = counted;
    } finally {
      this.current = outer;
      if (run.aborted) this.host.discardEffects();
      if (run.timedOut) this.host.busyEnded();
    }
  }

  feedMonitors(c: Ctx, argv: string[]): void {
    this.host.feedMonitors(c, argv);
  }

  /**
   * Whether the script or function an EVAL, EVALSHA or FCALL (or _RO form;
   * `name` is the command's, lowercase) names declares that it writes, read before it runs as Redis's
   * evalGetCommandFlags and fcallGetCommandFlags read it: from the cache,
   * an EVAL's body's shebang, or the function. Null when nothing is
   * declared (no such script or function, or no shebang): the command's
   * own flags decide.
   */
  declaresWrites(name: string, argv: readonly string[]): boolean | null {
    const flags = this.declaredFlags(name, argv);
    return flags === null ? null : !flags.noWrites;
  }

  /**
   * The flags a script or function declares, known before it runs (EVAL's
   * shebang, a loaded script's, a function's), which replace the command's
   * own where Redis reads them (getCommandFlags); null when it declares
   * none or is not known yet.
   */
  declaredFlags(name: string, argv: readonly string[]): ScriptFlags | null {
    let flags: ScriptFlags | undefined;
    if (name === 'fcall' || name === 'fcall_ro') {
      flags = this.functions.find(argv[1])?.flags;
    } else if (name === 'evalsha' || name === 'evalsha_ro') {
      if (argv[1].length === 40) flags = this.scripts.peek(argv[1].toLowerCase())?.flags;
    } else {
      flags = this.scripts.peek(sha1hex(argv[1]))?.flags;
      if (flags === undefined) {
        const shebang = parseShebang(argv[1]);
        if (!('error' in shebang)) flags = shebang.flags;
      }
    }
    return flags === undefined || flags.compat ? null : flags;
  }

  /** SCRIPT KILL (isEval) and FUNCTION KILL: marks the running script killed, so that its next check stops it. */
  kill(c: Ctx, isEval: boolean): void {
    const run = this.current;
    if (run === null) {
      c.reply.error('NOTBUSY No scripts in execution right now.');
    } else if (run.writeDirty) {
      c.reply.error(
        'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the ' +
          'script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
      );
    } else if (isEval !== run.evalMode) {
      c.reply.error(busyError(run));
    } else {
      run.killed = true;
      c.reply.ok();
    }
  }

  /**
   * SHUTDOWN NOSAVE while a script is busy: Redis exits in the middle of
   * it. The script is stopped at its next check whatever it has written,
   * and its effects are dropped, so the AOF never holds half of it.
   */
  abort(): void {
    const run = this.current;
    if (run === null) return;
    run.killed = true;
    run.aborted = true;
  }

  /** Redis's scriptPrepareForRun: what the script's declared flags forbid in the server's state. */
  private refusal(caller: Ctx, flags: ScriptFlags, ro: boolean): string | null {
    // A script that declares no flags runs on a stale replica no more than its caller could.
    if (flags.compat) return this.host.runningStale() ? MASTERDOWN : null;
    if (flags.noCluster && this.host.clusterMode()) return "ERR Can not run script on cluster, 'no-cluster' flag is set.";
    if (this.host.runningStale() && !flags.allowStale) {
      return "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.";
    }
    if (flags.noWrites) return null;
    if (this.host.readOnlyReplicaFor(caller)) return 'READONLY Can not run script with write flag on readonly replica';
    const misconf = this.host.writeRefusal();
    if (misconf !== null) return misconf;
    if (ro) return 'ERR Can not execute a script with write flag using *_ro command.';
    if (this.host.replicasShort()) return NOREPLICAS;
    if (!flags.allowOom && this.host.overMemory()) {
      return "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";
    }
    return null;
  }

  /** redis.call and redis.pcall (luaRedisGenericCommand): the command's reply, or its error raised or returned. */
  private command(args: LuaValue[], raise: boolean): LuaResult {
    const run = this.running();
    if (args.length === 0) return this.fail('ERR Please specify at least one argument for this redis lib call', raise, false);
    const argv = toArgv(args);
    if (argv === null) return this.fail('ERR Lua redis lib command arguments must be strings or integers', raise, false);
    const cmd = this.host.lookup(argv);
    const refused = this.check(run, cmd, argv);
    if (refused !== null) {
      this.host.rejected(cmd, refused);
      return this.fail(refused, raise, true);
    }
    if (cmd!.isWrite) run.writeDirty = true;
    this.host.call(cmd!, argv, run.repl);
    const value = this.sink.take();
    if (raise && this.sink.failed) throw this.lua.error(value);
    return value;
  }

  /** Redis's scriptCall checks, in its order: the refusal's text, or null to run the command. */
  private check(run: RunContext, cmd: Command<never> | undefined, argv: string[]): string | null {
    if (cmd === undefined) return 'ERR Unknown Redis command called from script';
    const arity = cmd.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) return 'ERR Wrong number of args calling Redis command from script';
    if (cmd.noScript && !this.denyScriptsDisabled) return 'ERR This Redis command is not allowed from script';
    if (!cmd.flagSet.has('stale') && this.host.runningStale()) return 'ERR Can not execute the command on a stale replica';
    const denied = this.host.aclDenial(run.caller, cmd, argv);
    if (denied !== null) return denied;
    if (run.readOnly && (cmd.isWrite || cmd.flagSet.has('may_replicate'))) {
      return 'ERR Write commands are not allowed from read-only scripts.';
    }
    if (cmd.isWrite && !run.writeDirty) {
      if (this.host.readOnlyReplicaFor(run.caller)) return READONLY_REPLICA;
      const misconf = this.host.writeRefusal();
      if (misconf !== null) return misconf;
      if (this.host.replicasShort()) return NOREPLICAS;
    }
    if (!run.allowOom && !run.writeDirty && run.overMemory && cmd.denyOom) return OOM;
    return this.host.clusterDenial(run.caller, cmd, argv, run.allowCrossSlot);
  }

  /**
   * An error of the bridge itself (not of a command): raised by redis.call,
   * returned by redis.pcall. `counted`: the error statistics have it already
   * (a refused command), so the script's own error reply must not count it.
   */
  private fail(message: string, raise: boolean, counted: boolean): LuaValue {
    const t = errorTable(message);
    if (counted) t.rawSet('ignore_error_stats_update', true);
    if (raise) throw this.lua.error(t);
    return t;
  }

  private aclCheck(args: LuaValue[]): LuaResult {
    if (args.length === 0) raiseError(this.lua, 'Please specify at least one argument for this redis lib call');
    const argv = toArgv(args);
    if (argv === null) raiseError(this.lua, 'Lua redis lib command arguments must be strings or integers');
    const cmd = this.host.lookup(argv);
    if (cmd === undefined) raiseError(this.lua, 'Invalid command passed to redis.acl_check_cmd()');
    return this.host.aclAllows(this.running().caller, cmd, argv);
  }

  private log(level: LogLevel, message: string): void {
    this.host.log[level](message);
  }

  /**
   * The engine's hook: past busy-reply-threshold the script is marked as
   * timed out (it may be killed from then on), and a killed script is
   * stopped at every check, so that pcall cannot keep it alive.
   */
  private interrupt(): void {
    const run = this.current;
    if (run === null) return;
    // Redis says SCRIPT KILL here for functions too.
    if (run.killed) throw this.lua.error(errorTable('ERR Script killed by user with SCRIPT KILL...'));
    const now = performance.now();
    if (!run.timedOut) {
      const threshold = this.busyThreshold();
      const elapsed = now - run.startedAt;
      if (threshold <= 0 || elapsed < threshold) return;
      run.timedOut = true;
      this.host.log.warning(
        `Slow script detected: still in execution after ${Math.round(elapsed)} milliseconds. ` +
          `You can try killing the script using the ${run.evalMode ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${run.name}.`,
      );
    } else if (now - run.lastServed < SERVE_EVERY_MS) {
      return;
    }
    run.lastServed = now;
    this.host.whileBusy(run.caller);
    if (run.killed) throw this.lua.error(errorTable('ERR Script killed by user with SCRIPT KILL...'));
  }
}

/** What a client is told while `run` is busy: which command can stop it. */
export function busyError(run: RunContext): string {
  return `BUSY Redis is busy running a script. You can only call ${run.evalMode ? 'SCRIPT KILL' : 'FUNCTION KILL'} or SHUTDOWN NOSAVE.`;
}

/**
 * Redis's pcall: as Lua's, except that an error table with an `err` field
 * (what redis.call raises) is caught as its message, as scripts written for
 * Redis 6 expect.
 */
function redisPcall(basePcall: LuaFunction): LuaFunction {
  return function (this: void) {
    // eslint-disable-next-line prefer-rest-params
    const r = basePcall.apply(undefined, arguments as unknown as LuaValue[]);
    if (Array.isArray(r) && r[0] === false && r[1] instanceof LuaTable) {
      const err = r[1].getStr('err');
      if (typeof err === 'string' || typeof err === 'number') r[1] = err;
    }
    return r;
  };
}

/** Resolves when `work` does or after `maxMs`, whichever comes first. */
function within(work: Promise<void>, maxMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
