import type { Command } from '../../src/server/command-types.js';
import type { CommandTable } from '../../src/server/command-table.js';
import { encodeCommand } from '../helpers/resp-client.js';
import type { Rng } from './rng.js';

/**
 * Commands a campaign leaves out because they would stop it from testing
 * anything afterwards, not because they could hurt the server: SHUTDOWN
 * ends the process, CLIENT PAUSE holds every connection, CONFIG SET can
 * lock every later connection out (requirepass, maxclients, bind), and
 * so can ACL SETUSER (`default off`, or the default user's commands taken away);
 * REPLICAOF and SLAVEOF make the server a replica, which refuses every
 * later write (REPLICAOF NO ONE would have to come next).
 * PFSELFTEST takes seconds per call, as in Redis (10,000,000 elements),
 * and takes no input: a hundred runs of it would only stall the fuzzer.
 */
const LEFT_OUT = new Set(['shutdown', 'client|pause', 'config|set', 'acl|setuser', 'pfselftest', 'replicaof', 'slaveof']);

/** Keys shared by every command, so that types collide (WRONGTYPE) and values grow. */
const KEYS = ['k0', 'k1', 'k2', 'list', 'str', '{tag}a', '{tag}b', '', '\x00\xff'];

/** Option words the implemented commands read; a command given another's options must refuse them cleanly. */
const TOKENS = [
  'NX', 'XX', 'GT', 'LT', 'CH', 'EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL', 'GET', 'PERSIST', 'LEFT', 'RIGHT', 'BEFORE',
  'AFTER', 'COUNT', 'MATCH', 'TYPE', 'RANK', 'MAXLEN', 'LEN', 'IDX', 'MINMATCHLEN', 'WITHMATCHLEN', 'REPLACE', 'DB',
  'ABSTTL', 'IDLETIME', 'FREQ', 'ON', 'OFF', 'SKIP', 'YES', 'NO', 'SYNC', 'ASYNC', 'ID', 'KILL', 'LIST', 'INFO',
  'SETNAME', 'GETNAME', 'NOEVICT', 'NOTOUCH', 'TRACKING', 'REDIRECT', 'HELP', 'RESET', 'ERROR', 'TIMEOUT',
  'USER', 'ADDR', 'LADDR', 'MAXAGE', 'SKIPME', 'NORMAL', 'PUBSUB', 'MASTER', 'REPLICA', 'WRITE', 'ALL', 'DOCS',
  'GETKEYS', 'FILTERBY', 'MODULE', 'ACLCAT', 'PATTERN', 'ENCODING', 'REFCOUNT', 'STRING', 'SET', 'ZSET',
];

const NUMBERS = [
  '0', '1', '-1', '2', '3', '7', '10', '100', '-100', '65536', '2147483647', '2147483648', '-2147483649',
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '18446744073709551615', '1e3', '0.5',
  '-0.0', '3.14', 'inf', '-inf', '+inf', 'nan', '1.7976931348623157e308', '4294967295', '4294967296', '536870912',
  ' 1', '1 ', '01', '0x10', '', '-', '+1',
];

/** Blocking commands read their last argument as a timeout: mostly short, so that waits end by themselves. */
const TIMEOUTS = ['0.01', '0.001', '0.05', '1', '-1', 'x', '0'];

function argument(rng: Rng): string {
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2:
      return rng.pick(KEYS);
    case 3:
    case 4:
      return rng.pick(NUMBERS);
    case 5:
    case 6:
      return rng.pick(TOKENS);
    case 7:
      return rng.bytes(rng.int(24)).toString('latin1');
    case 8:
      return 'v'.repeat(rng.int(rng.chance(0.05) ? 70000 : 300));
    default:
      return rng.pick(['*', 'k*', '[a-', '\\', '?', 'ch.*', 'lua', 'default', 'hz', 'loglevel']);
  }
}

/** Every command and subcommand a campaign draws from, each with its name as a client spells it. */
export function commandPool(table: CommandTable): { cmd: Command; name: string[] }[] {
  const pool: { cmd: Command; name: string[] }[] = [];
  for (const cmd of table.all()) {
    if (cmd.handler === null || LEFT_OUT.has(cmd.fullName)) continue;
    pool.push({ cmd, name: cmd.parent === null ? [cmd.spec.name] : [cmd.parent.spec.name, cmd.spec.name] });
  }
  return pool;
}

/**
 * A request for a command drawn from the pool: mostly of a valid arity
 * (a few too short or too long), arguments drawn from a vocabulary of keys,
 * numbers, option words and odd bytes, the name in random letter case.
 */
export function generateRequest(rng: Rng, pool: readonly { cmd: Command; name: string[] }[]): string[] {
  const { cmd, name } = rng.pick(pool);
  const arity = cmd.arity;
  let argc = arity > 0 ? arity : -arity + rng.int(6);
  if (rng.chance(0.05)) argc = Math.max(name.length, argc + rng.pick([-2, -1, 1, 3]));
  const argv = name.map((part) => (rng.chance(0.5) ? part.toUpperCase() : part));
  while (argv.length < argc) argv.push(argument(rng));
  if (cmd.isBlocking && argv.length > name.length) argv[argv.length - 1] = rng.pick(TIMEOUTS);
  return argv;
}

/** The same, encoded as a multibulk request. */
export function generateEncoded(rng: Rng, pool: readonly { cmd: Command; name: string[] }[]): Buffer {
  return encodeCommand(generateRequest(rng, pool));
}
