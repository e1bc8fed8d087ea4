import type { User } from '../acl/user.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import type { Client } from '../client.js';
import { clientType, clientTypeByName, secondsSince, type ClientType } from './client-list.js';

/** What CLIENT KILL matches on; every filter given must match (logical AND). */
interface KillFilter {
  addr: string | null;
  laddr: string | null;
  type: ClientType | null;
  id: number | null;
  /** Seconds; only connections at least this old match (Redis 7.4). */
  maxAge: number | null;
  skipMe: boolean;
  user: User | null;
}

function unknownType(name: string): CommandError {
  return new CommandError(`ERR Unknown client type '${name}'`);
}

/** The new form: CLIENT KILL <filter> <value> [<filter> <value> ...]. */
function parseFilters(c: Client, argv: string[]): KillFilter {
  const f: KillFilter = { addr: null, laddr: null, type: null, id: null, maxAge: null, skipMe: true, user: null };
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) throw new CommandError(SYNTAX);
    const value = argv[i + 1];
    switch (argv[i].toLowerCase()) {
      case 'id': {
        const id = toInt64(value);
        if (id === null || id < 1n) throw new CommandError('ERR client-id should be greater than 0');
        f.id = Number(id);
        break;
      }
      case 'maxage': {
        const age = toInt64(value);
        if (age === null) throw new CommandError('ERR maxage is not an integer or out of range');
        if (age <= 0n) throw new CommandError('ERR maxage should be greater than 0');
        f.maxAge = Number(age);
        break;
      }
      case 'type':
        f.type = clientTypeByName(value);
        if (f.type === null) throw unknownType(value);
        break;
      case 'addr':
        f.addr = value;
        break;
      case 'laddr':
        f.laddr = value;
        break;
      case 'user':
        f.user = c.server.acl.users.get(value) ?? null;
        if (f.user === null) throw new CommandError(`ERR No such user '${value}'`);
        break;
      case 'skipme': {
        const v = value.toLowerCase();
        if (v !== 'yes' && v !== 'no') throw new CommandError(SYNTAX);
        f.skipMe = v === 'yes';
        break;
      }
      default:
        throw new CommandError(SYNTAX);
    }
  }
  return f;
}

function matches(f: KillFilter, caller: Client, target: Client, nowSecs: number): boolean {
  if (f.addr !== null && target.addr !== f.addr) return false;
  if (f.laddr !== null && target.laddr !== f.laddr) return false;
  if (f.type !== null && clientType(target) !== f.type) return false;
  if (f.id !== null && target.id !== f.id) return false;
  if (f.user !== null && target.user !== f.user) return false;
  if (f.maxAge !== null && secondsSince(nowSecs, target.createdAt) < f.maxAge) return false;
  return !(f.skipMe && target === caller);
}

/**
 * CLIENT KILL addr:port (OK, or an error when nothing matched; the caller
 * may kill itself) and CLIENT KILL <filter> <value> ... (the number killed).
 * Other connections close at once; the caller, if it matched, closes after
 * its reply is written.
 */
export function clientKill(c: Client, argv: string[]): void {
  const oldForm = argv.length === 3;
  const f: KillFilter = oldForm
    ? { addr: argv[2], laddr: null, type: null, id: null, maxAge: null, skipMe: false, user: null }
    : parseFilters(c, argv);
  const nowSecs = Math.floor(c.server.keyspace.now / 1000);
  let killed = 0;
  for (const target of [...c.server.clients.values()]) {
    if (!matches(f, c, target, nowSecs)) continue;
    killed++;
    if (target === c) c.closeAfterReply = true;
    else target.close();
  }
  if (!oldForm) c.reply.integer(killed);
  else if (killed === 0) throw new CommandError('ERR No such client');
  else c.reply.ok();
}
