import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { prefixOverlap } from './prefix-table.js';
import type { TrackingOptions } from './tracking.js';

/** Parses CLIENT TRACKING's options as Redis does: in order, the redirect target checked as it is read. */
function trackingOptions(c: Client, argv: string[]): TrackingOptions {
  const o = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, prefixes: [] as string[] };
  for (let j = 3; j < argv.length; j++) {
    const more = j < argv.length - 1;
    const word = optionWord(argv[j]);
    if (word === 'redirect' && more) {
      j++;
      if (o.redirect !== 0) throw new CommandError('ERR A client can only redirect to a single other client');
      const id = toInt64(argv[j]);
      if (id === null) throw new CommandError(NOT_INTEGER);
      o.redirect = Number(id);
      if (c.server.clients.get(o.redirect) === undefined) {
        throw new CommandError('ERR The client ID you want redirect to does not exist');
      }
    } else if (word === 'bcast') {
      o.bcast = true;
    } else if (word === 'optin') {
      o.optin = true;
    } else if (word === 'optout') {
      o.optout = true;
    } else if (word === 'noloop') {
      o.noloop = true;
    } else if (word === 'prefix' && more) {
      o.prefixes.push(argv[++j]);
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return o;
}

/** The checks Redis makes before turning tracking on, in its order: the error, or null. */
function enableRefusal(c: Client, o: TrackingOptions): string | null {
  if (!o.bcast && o.prefixes.length !== 0) return 'ERR PREFIX option requires BCAST mode to be enabled';
  const t = c.tracking;
  if (t !== null && t.bcast !== o.bcast) {
    return 'ERR You can\'t switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.';
  }
  if (o.bcast && (o.optin || o.optout)) return 'ERR OPTIN and OPTOUT are not compatible with BCAST';
  if (o.optin && o.optout) return "ERR You can't specify both OPTIN mode and OPTOUT mode";
  if (t !== null && ((o.optin && t.optout) || (o.optout && t.optin))) {
    return 'ERR You can\'t switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.';
  }
  if (o.bcast) return prefixOverlap(t?.prefixes ?? new Set(), o.prefixes);
  return null;
}

/** CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP] */
function clientTracking(c: Client, argv: string[]): void {
  const o = trackingOptions(c, argv);
  const mode = optionWord(argv[2]);
  if (mode === 'on') {
    const refusal = enableRefusal(c, o);
    if (refusal !== null) throw new CommandError(refusal);
    c.server.tracking.enable(c, o);
  } else if (mode === 'off') {
    c.server.tracking.disable(c);
  } else {
    throw new CommandError(SYNTAX);
  }
  c.reply.ok();
}

/** CLIENT CACHING YES|NO: whether the next command (or transaction) counts under OPTIN / OPTOUT. */
function clientCaching(c: Client, argv: string[]): void {
  const t = c.tracking;
  if (t === null) {
    throw new CommandError('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
  }
  const word = optionWord(argv[2]);
  if (word === 'yes') {
    if (!t.optin) throw new CommandError('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (word === 'no') {
    if (!t.optout) throw new CommandError('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else {
    throw new CommandError(SYNTAX);
  }
  t.caching = true;
  c.reply.ok();
}

function clientGetredir(c: Client): void {
  c.reply.integer(c.tracking === null ? -1 : c.tracking.redirect);
}

function clientTrackinginfo(c: Client): void {
  const t = c.tracking;
  const flags = t === null ? ['off'] : ['on', ...t.flags()];
  c.reply.map(3);
  c.reply.bulk('flags');
  c.reply.set(flags.length);
  for (const f of flags) c.reply.bulk(f);
  c.reply.bulk('redirect');
  c.reply.integer(t === null ? -1 : t.redirect);
  c.reply.bulk('prefixes');
  const prefixes = t === null ? [] : [...t.prefixes].sort();
  c.reply.array(prefixes.length);
  for (const p of prefixes) c.reply.bulk(p);
}

const SUB = { acl: ['connection'], group: 'connection', complexity: 'O(1)', flags: ['noscript', 'loading', 'stale'] } as const;

/** CLIENT's tracking subcommands, for the CLIENT container. */
export const trackingSubcommands: CommandSpec[] = [
  {
    ...SUB, name: 'tracking', arity: -3, since: '6.0.0',
    args: 'status(ON | OFF) [REDIRECT client-id:integer] [PREFIX prefix... +] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]',
    summary: 'Controls server-assisted client-side caching for the connection.',
    complexity: 'O(1). Some options may introduce additional complexity.', handler: clientTracking,
  },
  {
    ...SUB, name: 'caching', arity: 3, since: '6.0.0', args: 'mode(YES | NO)',
    summary: 'Instructs the server whether to track the keys in the next request.', handler: clientCaching,
  },
  {
    ...SUB, name: 'getredir', arity: 2, since: '6.0.0',
    summary: "Returns the client ID to which the connection's tracking notifications are redirected.", handler: clientGetredir,
  },
  {
    ...SUB, name: 'trackinginfo', arity: 2, since: '6.2.0',
    summary: 'Returns information about server-assisted client-side caching for the connection.', handler: clientTrackinginfo,
  },
];
