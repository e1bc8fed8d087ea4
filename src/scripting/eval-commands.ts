import type { CommandSpec } from '../core/command.js';
import type { Ctx } from '../core/context.js';
import { CommandError } from '../core/errors.js';
import { helpReply } from '../core/help.js';
import { intArg } from '../core/numbers.js';
import { keysAfterCount } from '../core/numkeys.js';
import { LuaSyntaxError, type LuaFunction } from './lua/index.js';
import type { CachedScript } from './script-cache.js';
import type { Scripting } from './scripting.js';
import { sha1hex } from './sha1.js';
import { parseShebang } from './shebang.js';

const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';

/**
 * The cached script for a body, compiled and added when new (Redis's
 * luaCreateFunction). A shebang line is blanked but its newline kept, so
 * that error lines count as the user wrote them. Throws the reply's error
 * for a bad shebang or a syntax error.
 */
export function scriptFor(s: Scripting, body: string, evictable: boolean): CachedScript {
  const sha = sha1hex(body);
  const cached = s.scripts.get(sha);
  if (cached !== undefined) {
    if (!evictable && cached.evictable) s.scripts.pin(cached);
    return cached;
  }
  const shebang = parseShebang(body);
  if ('error' in shebang) throw new CommandError('ERR ' + shebang.error);
  let chunk;
  try {
    // In its first form: the client waits for this compile, and then for the run.
    chunk = s.lua.compile(body.slice(shebang.length), '@user_script', true, true);
  } catch (e) {
    if (e instanceof LuaSyntaxError) throw new CommandError(`ERR Error compiling script (new function): ${e.message}`);
    throw e;
  }
  const script: CachedScript = { sha, body, flags: shebang.flags, fn: s.lua.load(chunk), chunk, generation: chunk.generation, evictable };
  s.scripts.add(script);
  return script;
}

/** EVAL, EVALSHA and their _RO forms (evalGenericCommand). */
function evalCommand(s: Scripting, bySha: boolean, ro: boolean) {
  return (c: Ctx, argv: string[]): void => {
    // MONITOR shows the script's command before the commands it calls.
    s.feedMonitors(c, argv);
    if (bySha && argv[1].length !== 40) throw new CommandError(NOSCRIPT);
    const numkeys = intArg(argv[2]);
    if (numkeys > argv.length - 3) throw new CommandError("ERR Number of keys can't be greater than number of args");
    if (numkeys < 0) throw new CommandError("ERR Number of keys can't be negative");
    let script: CachedScript | undefined;
    if (bySha) {
      // Clients send the SHA as SCRIPT LOAD gave it, in lowercase: only a miss pays for lowering it.
      script = s.scripts.get(argv[1]) ?? s.scripts.get(argv[1].toLowerCase());
      if (script === undefined) throw new CommandError(NOSCRIPT);
    } else {
      script = scriptFor(s, argv[1], true);
    }
    // The commands the script calls propagate their own effects; the script itself never does.
    c.propagateArgv = null;
    s.run(c, mainOf(s, script), script.sha, script.flags, ro, true, argv, numkeys);
  };
}

/** The script's main function for a run; instantiated again when its chunk has been made whole since (compile.ts). */
function mainOf(s: Scripting, script: CachedScript): LuaFunction {
  const chunk = script.chunk;
  chunk.noteRun();
  if (script.generation !== chunk.generation) {
    script.fn = s.lua.load(chunk);
    script.generation = chunk.generation;
  }
  return script.fn;
}

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

const SCRIPTING = { acl: ['scripting'], group: 'scripting' } as const;
const EVAL_ARGS = 'script numkeys:integer [key:key...] [arg...]';
const EVALSHA_ARGS = 'sha1 numkeys:integer [key:key...] [arg...]';
const RW_NOTES = { spec: 'RW access update: index 2, keynum 0 1 1', notes: 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE' };
const RO_NOTES = { spec: 'RO access: index 2, keynum 0 1 1', notes: 'We cannot tell how the keys will be used so we assume the worst, RO and ACCESS' };
const EVAL_FLAGS = ['noscript', 'stale', 'skip_monitor', 'may_replicate', 'no_mandatory_keys'] as const;
const EVAL_RO_FLAGS = ['readonly', 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'] as const;
const EVAL_COMPLEXITY = 'Depends on the script that is executed.';

export function evalCommands(s: Scripting): CommandSpec[] {
  return [
    {
      ...SCRIPTING, name: 'eval', arity: -3, traits: ['runs-script'], flags: EVAL_FLAGS, keySpecs: [RW_NOTES], getKeys: keysAfterCount(2),
      args: EVAL_ARGS, since: '2.6.0', summary: 'Executes a server-side Lua script.', complexity: EVAL_COMPLEXITY,
      handler: evalCommand(s, false, false),
    },
    {
      ...SCRIPTING, name: 'evalsha', arity: -3, traits: ['runs-script'], flags: EVAL_FLAGS, keySpecs: ['RW access update: index 2, keynum 0 1 1'],
      getKeys: keysAfterCount(2), args: EVALSHA_ARGS, since: '2.6.0',
      summary: 'Executes a server-side Lua script by SHA1 digest.', complexity: EVAL_COMPLEXITY,
      handler: evalCommand(s, true, false),
    },
    {
      ...SCRIPTING, name: 'eval_ro', arity: -3, traits: ['runs-script'], flags: EVAL_RO_FLAGS, keySpecs: [RO_NOTES], getKeys: keysAfterCount(2),
      args: EVAL_ARGS, since: '7.0.0', summary: 'Executes a read-only server-side Lua script.', complexity: EVAL_COMPLEXITY,
      handler: evalCommand(s, false, true),
    },
    {
      ...SCRIPTING, name: 'evalsha_ro', arity: -3, traits: ['runs-script'], flags: EVAL_RO_FLAGS, keySpecs: ['RO access: index 2, keynum 0 1 1'],
      getKeys: keysAfterCount(2), args: EVALSHA_ARGS, since: '7.0.0',
      summary: 'Executes a read-only server-side Lua script by SHA1 digest.', complexity: EVAL_COMPLEXITY,
      handler: evalCommand(s, true, true),
    },
    {
      name: 'script', arity: -2, flags: [], acl: [], group: 'scripting', since: '2.6.0',
      summary: 'A container for Lua scripts management commands.', complexity: 'Depends on subcommand.',
      subcommands: [
        {
          name: 'help', arity: 2, flags: ['loading', 'stale'], ...SCRIPTING, since: '5.0.0',
          summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
          handler: (c, argv) => helpReply(c, argv, SCRIPT_HELP),
        },
        {
          name: 'flush', arity: -2, flags: ['noscript'], ...SCRIPTING, since: '2.6.0',
          summary: 'Removes all server-side Lua scripts from the script cache.',
          complexity: 'O(N) with N being the number of scripts in cache', args: '[flush-type(ASYNC | SYNC) @6.2.0]',
          history: [['6.2.0', 'Added the `ASYNC` and `SYNC` flushing mode modifiers.']],
          tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
          handler: (c, argv) => {
            const mode = argv.length === 3 ? argv[2].toLowerCase() : null;
            if (argv.length > 3 || (mode !== null && mode !== 'sync' && mode !== 'async')) {
              throw new CommandError('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
            }
            s.scripts.clear();
            c.reply.ok();
          },
        },
        {
          name: 'debug', arity: 3, flags: ['noscript'], ...SCRIPTING, since: '3.2.0',
          summary: 'Sets the debug mode of server-side Lua scripts.', complexity: 'O(1)', args: 'mode(YES | SYNC | NO)',
          handler: (c, argv) => {
            const mode = argv[2].toLowerCase();
            if (mode === 'no') c.reply.ok();
            else if (mode === 'yes' || mode === 'sync') throw new CommandError('ERR Sluice has no Lua debugger: SCRIPT DEBUG YES and SYNC are not supported');
            else throw new CommandError('ERR Use SCRIPT DEBUG YES/SYNC/NO');
          },
        },
        {
          name: 'exists', arity: -3, flags: ['noscript'], ...SCRIPTING, since: '2.6.0',
          summary: 'Determines whether server-side Lua scripts exist in the script cache.',
          complexity: 'O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).',
          args: 'sha1...', tips: ['request_policy:all_shards', 'response_policy:agg_logical_and'],
          handler: (c, argv) => {
            c.reply.array(argv.length - 2);
            for (let i = 2; i < argv.length; i++) c.reply.integer(s.scripts.has(argv[i].toLowerCase()) ? 1 : 0);
          },
        },
        {
          name: 'load', arity: 3, flags: ['noscript', 'stale'], ...SCRIPTING, since: '2.6.0',
          summary: 'Loads a server-side Lua script to the script cache.',
          complexity: 'O(N) with N being the length in bytes of the script body.', args: 'script',
          tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
          handler: (c, argv) => c.reply.bulk(scriptFor(s, argv[2], false).sha),
        },
        {
          name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'], ...SCRIPTING, since: '2.6.0',
          summary: 'Terminates a server-side Lua script during execution.', complexity: 'O(1)',
          tips: ['request_policy:all_shards', 'response_policy:one_succeeded'],
          handler: (c) => s.kill(c, true),
        },
      ],
    },
  ];
}
