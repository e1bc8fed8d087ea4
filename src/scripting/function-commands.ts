import type { CommandSpec } from '../core/command.js';
import type { Ctx } from '../core/context.js';
import { CommandError } from '../core/errors.js';
import { globMatch } from '../core/glob.js';
import { helpReply, subcommandSyntaxError } from '../core/help.js';
import { toInt64 } from '../codecs/integer-text.js';
import { keysAfterCount } from '../core/numkeys.js';
import { dumpPayload, parsePayload } from './function-dump.js';
import { LOAD_TIMEOUT_MS, type Functions } from './functions.js';
import { LibrarySet, type FunctionInfo } from './library-set.js';
import { busyError, type Scripting } from './scripting.js';
import { FLAG_NAMES } from './shebang.js';

/** FCALL and FCALL_RO (fcallCommandGeneric): the function is looked up before numkeys is read. */
function fcallCommand(s: Scripting, f: Functions, ro: boolean) {
  return (c: Ctx, argv: string[]): void => {
    // MONITOR shows the FCALL before the commands its function calls.
    s.feedMonitors(c, argv);
    const fi = f.find(argv[1]);
    if (fi === undefined) throw new CommandError('ERR Function not found');
    const n = toInt64(argv[2]);
    if (n === null) throw new CommandError('ERR Bad number of keys provided');
    if (n > BigInt(argv.length - 3)) throw new CommandError("ERR Number of keys can't be greater than number of args");
    if (n < 0n) throw new CommandError("ERR Number of keys can't be negative");
    const numkeys = Number(n);
    // The commands the function calls propagate their own effects; the FCALL itself never does.
    c.propagateArgv = null;
    const outer = f.runningArgv;
    f.runningArgv = argv;
    try {
      s.run(c, fi.fn, fi.name, fi.flags, ro, false, argv, numkeys);
    } finally {
      f.runningArgv = outer;
    }
  };
}

/** FUNCTION LOAD [REPLACE] code: every argument before the last is an option. */
function loadCommand(f: Functions) {
  return (c: Ctx, argv: string[]): void => {
    let replace = false;
    for (let i = 2; i < argv.length - 1; i++) {
      if (argv[i].toLowerCase() !== 'replace') throw new CommandError(`ERR Unknown option given: ${argv[i]}`);
      replace = true;
    }
    // Replaying the AOF, a library loads whatever its code takes, as Redis does for the clients it must obey.
    const name = f.create(argv[argv.length - 1], replace, c.loading ? 0 : LOAD_TIMEOUT_MS);
    c.keyspace.dirty++;
    c.reply.bulk(name);
  };
}

/** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE], each option once; the pattern matches names in any case. */
function listCommand(f: Functions) {
  return (c: Ctx, argv: string[]): void => {
    let withCode = false;
    let pattern: string | null = null;
    for (let i = 2; i < argv.length; i++) {
      const arg = argv[i].toLowerCase();
      if (!withCode && arg === 'withcode') {
        withCode = true;
      } else if (pattern === null && arg === 'libraryname') {
        if (i >= argv.length - 1) throw new CommandError('ERR library name argument was not given');
        pattern = argv[++i];
      } else {
        throw new CommandError(`ERR Unknown argument ${argv[i]}`);
      }
    }
    const libs = [...f.libraries.libraries.values()].filter((lib) => pattern === null || globMatch(pattern, lib.name, true));
    const r = c.reply;
    r.array(libs.length);
    for (const lib of libs) {
      r.map(withCode ? 4 : 3);
      r.bulk('library_name');
      r.bulk(lib.name);
      r.bulk('engine');
      r.bulk('LUA');
      r.bulk('functions');
      r.array(lib.functions.size);
      for (const fi of lib.functions.values()) {
        r.map(3);
        r.bulk('name');
        r.bulk(fi.name);
        r.bulk('description');
        if (fi.description === null) r.nullBulk();
        else r.bulk(fi.description);
        r.bulk('flags');
        const names = flagNames(fi);
        r.set(names.length);
        for (const name of names) r.simple(name);
      }
      if (withCode) {
        r.bulk('library_code');
        r.bulk(lib.code);
      }
    }
  };
}

/** A function's flags by name, in Redis's order (scripts_flags_def). */
function flagNames(fi: FunctionInfo): string[] {
  return Object.entries(FLAG_NAMES)
    .filter(([, field]) => fi.flags[field])
    .map(([name]) => name);
}

/** FUNCTION STATS: the function running (while a busy one lets others in), and the counts of the one engine. */
function statsCommand(s: Scripting, f: Functions) {
  return (c: Ctx): void => {
    const run = s.current;
    if (run !== null && run.evalMode) throw new CommandError(busyError(run));
    const r = c.reply;
    r.map(2);
    r.bulk('running_script');
    if (run === null) {
      r.nullBulk();
    } else {
      const argv = f.runningArgv ?? [];
      r.map(3);
      r.bulk('name');
      r.bulk(run.name);
      r.bulk('command');
      r.array(argv.length);
      for (const a of argv) r.bulk(a);
      r.bulk('duration_ms');
      r.integer(Math.floor(performance.now() - run.startedAt));
    }
    r.bulk('engines');
    r.map(1);
    r.bulk('LUA');
    r.map(2);
    r.bulk('libraries_count');
    r.integer(f.libraries.libraries.size);
    r.bulk('functions_count');
    r.integer(f.libraries.registeredCount);
  };
}

/**
 * FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: the payload's libraries
 * are loaded apart first (no time limit, as from an RDB), then swapped in
 * (FLUSH) or joined; any failure leaves the libraries as they were.
 */
function restoreCommand(f: Functions) {
  return (c: Ctx, argv: string[]): void => {
    if (argv.length > 4) throw new CommandError(subcommandSyntaxError(argv));
    const policy = argv.length === 4 ? argv[3].toLowerCase() : 'append';
    if (policy !== 'append' && policy !== 'replace' && policy !== 'flush') {
      throw new CommandError('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    }
    const parsed = parsePayload(argv[2], c.keyspace.skipDumpChecksum);
    if ('error' in parsed) throw new CommandError('ERR ' + parsed.error);
    const restored = new LibrarySet();
    for (const code of parsed.codes) f.create(code, false, 0, restored);
    if (policy === 'flush') {
      f.libraries = restored;
    } else {
      const error = f.libraries.join(restored, policy === 'replace');
      if (error !== null) throw new CommandError(error);
    }
    c.keyspace.dirty++;
    c.reply.ok();
  };
}

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

const SCRIPTING = { acl: ['scripting'], group: 'scripting', since: '7.0.0' } as const;
const ALL_SHARDS = ['request_policy:all_shards', 'response_policy:all_succeeded'];
const FCALL_ARGS = 'function numkeys:integer [key:key...] [arg...]';
const FCALL_COMPLEXITY = 'Depends on the function that is executed.';

export function functionCommands(s: Scripting): CommandSpec[] {
  const f = s.functions;
  return [
    {
      ...SCRIPTING, name: 'fcall', arity: -3, traits: ['runs-script'], flags: ['noscript', 'stale', 'skip_monitor', 'may_replicate', 'no_mandatory_keys'],
      keySpecs: [{ spec: 'RW access update: index 2, keynum 0 1 1', notes: 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE' }],
      getKeys: keysAfterCount(2), args: FCALL_ARGS, summary: 'Invokes a function.', complexity: FCALL_COMPLEXITY,
      handler: fcallCommand(s, f, false),
    },
    {
      ...SCRIPTING, name: 'fcall_ro', arity: -3, traits: ['runs-script'], flags: ['readonly', 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'],
      keySpecs: [{ spec: 'RO access: index 2, keynum 0 1 1', notes: 'We cannot tell how the keys will be used so we assume the worst, RO and ACCESS' }],
      getKeys: keysAfterCount(2), args: FCALL_ARGS, summary: 'Invokes a read-only function.', complexity: FCALL_COMPLEXITY,
      handler: fcallCommand(s, f, true),
    },
    {
      name: 'function', arity: -2, flags: [], acl: [], group: 'scripting', since: '7.0.0',
      summary: 'A container for function commands.', complexity: 'Depends on subcommand.',
      subcommands: [
        {
          ...SCRIPTING, name: 'delete', arity: 3, flags: ['write', 'noscript'], tips: ALL_SHARDS,
          summary: 'Deletes a library and its functions.', complexity: 'O(1)', args: 'library-name',
          handler: (c, argv) => {
            const lib = f.libraries.libraries.get(argv[2]);
            if (lib === undefined) throw new CommandError('ERR Library not found');
            f.libraries.unlink(lib);
            c.keyspace.dirty++;
            c.reply.ok();
          },
        },
        {
          ...SCRIPTING, name: 'dump', arity: 2, flags: ['noscript'],
          summary: 'Dumps all libraries into a serialized binary payload.', complexity: 'O(N) where N is the number of functions',
          handler: (c) => c.reply.bulk(dumpPayload(f.codes())),
        },
        {
          ...SCRIPTING, name: 'flush', arity: -2, flags: ['write', 'noscript'], tips: ALL_SHARDS,
          summary: 'Deletes all libraries and functions.', complexity: 'O(N) where N is the number of functions deleted',
          args: '[flush-type(ASYNC | SYNC)]',
          handler: (c, argv) => {
            if (argv.length > 3) throw new CommandError(subcommandSyntaxError(argv));
            const mode = argv.length === 3 ? argv[2].toLowerCase() : 'sync';
            if (mode !== 'sync' && mode !== 'async') throw new CommandError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
            f.flush();
            c.keyspace.dirty++;
            c.reply.ok();
          },
        },
        {
          ...SCRIPTING, name: 'help', arity: 2, flags: ['loading', 'stale'],
          summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
          handler: (c, argv) => helpReply(c, argv, FUNCTION_HELP),
        },
        {
          ...SCRIPTING, name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'],
          tips: ['request_policy:all_shards', 'response_policy:one_succeeded'],
          summary: 'Terminates a function during execution.', complexity: 'O(1)',
          handler: (c) => s.kill(c, false),
        },
        {
          ...SCRIPTING, name: 'list', arity: -2, flags: ['noscript'], tips: ['nondeterministic_output_order'],
          summary: 'Returns information about all libraries.', complexity: 'O(N) where N is the number of functions',
          args: '[LIBRARYNAME library-name-pattern] [WITHCODE]',
          handler: listCommand(f),
        },
        {
          ...SCRIPTING, name: 'load', arity: -3, flags: ['write', 'denyoom', 'noscript'], tips: ALL_SHARDS,
          summary: 'Creates a library.', complexity: 'O(1) (considering compilation time is redundant)',
          args: '[REPLACE] function-code',
          handler: loadCommand(f),
        },
        {
          ...SCRIPTING, name: 'restore', arity: -3, flags: ['write', 'denyoom', 'noscript'], tips: ALL_SHARDS,
          summary: 'Restores all libraries from a payload.', complexity: 'O(N) where N is the number of functions on the payload',
          args: 'serialized-value [policy(FLUSH | APPEND | REPLACE)]',
          handler: restoreCommand(f),
        },
        {
          ...SCRIPTING, name: 'stats', arity: 2, flags: ['noscript', 'allow_busy'],
          tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
          summary: 'Returns information about a function during execution.', complexity: 'O(1)',
          handler: statsCommand(s, f),
        },
      ],
    },
  ];
}
