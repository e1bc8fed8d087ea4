import { as } from '../../helpers/acl-rows.js';
import { c as exact, differential, help, masked, sameType, type Row } from '../../helpers/differential.js';
import { NEW_IN_7_4 } from '../../helpers/redis-7.2-changes.js';
import type { Resp } from '../../helpers/resp-client.js';

const { c, fails } = as('default');

/** ACL CAT of a category, order-free, without the 7.4 commands Sluice also has. */
const cat = (...cmd: string[]): Row =>
  masked((r) => {
    if (r.t !== 'array' || r.v === null) return r;
    const names = r.v.filter((x) => x.t === 'bulk' && !NEW_IN_7_4.has(x.v ?? '')).map((x) => JSON.stringify(x));
    return { t: 'array', v: names.sort().map((n) => JSON.parse(n) as Resp) };
  }, ...cmd);

/** Every user the rows create: each case starts by deleting them (the servers live for the whole file). */
const USERS = ['alice', 'bob', 'carol', 'dave', 'eve', 'sub', 'selectors'];
const fresh: Row[] = [sameType('ACL', 'DELUSER', ...USERS), exact('ACL', 'LOG', 'RESET')];

const NEW_IN_7_2 = new Set(['entry-id', 'timestamp-created', 'timestamp-last-updated']);

/**
 * An ACL LOG reply with what the clock and the connection decide blanked:
 * the age, and of the client info only the command and user it names.
 * 7.2's three new fields are dropped (CI's 7.0 lacks them; acl.test.ts checks them).
 */
function logShape(r: Resp): Resp {
  if (r.t !== 'array' || r.v === null) return r;
  return {
    t: 'array',
    v: r.v.map((entry) => {
      if (entry.t !== 'array' || entry.v === null) return entry;
      const out: Resp[] = [];
      for (let i = 0; i < entry.v.length; i += 2) {
        const name = entry.v[i].t === 'bulk' ? (entry.v[i] as { v: string }).v : '';
        if (NEW_IN_7_2.has(name)) continue;
        let value = entry.v[i + 1];
        if (name === 'age-seconds') value = { t: 'bulk', v: '<age>' };
        if (name === 'client-info' && value.t === 'bulk') {
          value = { t: 'bulk', v: (value.v ?? '').match(/ (cmd=\S+ user=\S+) /)?.[1] ?? '' };
        }
        out.push(entry.v[i], value);
      }
      return { t: 'array', v: out };
    }),
  };
}
const log = (...cmd: string[]): Row => masked(logShape, ...cmd);

differential('ACL SETUSER, GETUSER and LIST', {
  'a new user is off, without passwords, keys, channels or commands': [
    ...fresh,
    c('ACL', 'SETUSER', 'alice'),
    c('ACL', 'GETUSER', 'alice'),
    c('ACL', 'LIST'),
    c('ACL', 'USERS'),
    c('ACL', 'GETUSER', 'nobody'),
  ],
  'flags, passwords and their hashes': [
    ...fresh,
    c('ACL', 'SETUSER', 'alice', 'on', '>p1', '>p2', '>p1', 'skip-sanitize-payload'),
    c('ACL', 'GETUSER', 'alice'),
    c('ACL', 'SETUSER', 'alice', '<p1', '#' + 'a'.repeat(64), '!' + 'a'.repeat(64)),
    c('ACL', 'GETUSER', 'alice'),
    c('ACL', 'SETUSER', 'alice', 'nopass', 'sanitize-payload', 'off'),
    c('ACL', 'LIST'),
    c('ACL', 'SETUSER', 'alice', 'resetpass'),
    c('ACL', 'GETUSER', 'alice'),
  ],
  'command and category rules, named as given or lowercased': [
    ...fresh,
    c('ACL', 'SETUSER', 'bob', '+@read', '+config|get'),
    c('ACL', 'GETUSER', 'bob'),
    c('ACL', 'SETUSER', 'bob', 'allcommands', '-flushdb'),
    c('ACL', 'LIST'),
    c('ACL', 'SETUSER', 'bob', 'nocommands', '+@STRING'),
    c('ACL', 'LIST'),
  ],
  'key and channel patterns, read and write selectors': [
    ...fresh,
    c('ACL', 'SETUSER', 'carol', '~a*', '%R~r*', '%W~w*', '%RW~rw*', '%R~a*', '%r~x', '%w~x', '&ch*', '&ch*', '&other'),
    c('ACL', 'GETUSER', 'carol'),
    c('ACL', 'LIST'),
    c('ACL', 'SETUSER', 'carol', 'resetkeys', 'allkeys', 'resetchannels'),
    c('ACL', 'GETUSER', 'carol'),
    c('ACL', 'SETUSER', 'carol', 'allchannels'),
    c('ACL', 'LIST'),
  ],
  'selectors, spread over arguments or in one, and clearselectors': [
    ...fresh,
    c('ACL', 'SETUSER', 'selectors', 'on', 'nopass', '+get', '~a*', '(+set ~b*)', '(~c*', '+@hash', '&x)'),
    c('ACL', 'GETUSER', 'selectors'),
    c('ACL', 'LIST'),
    c('ACL', 'SETUSER', 'selectors', 'clearselectors'),
    c('ACL', 'GETUSER', 'selectors'),
    c('ACL', 'SETUSER', 'selectors', 'reset'),
    c('ACL', 'LIST'),
  ],
  'rule errors, each refusing the whole line': [
    ...fresh,
    c('ACL', 'SETUSER', 'alice', 'on', '+get'),
    fails('ACL', 'SETUSER', 'alice', 'off', '+nosuch'),
    fails('ACL', 'SETUSER', 'alice', '-@nosuch'),
    fails('ACL', 'SETUSER', 'alice', 'bogus'),
    fails('ACL', 'SETUSER', 'alice', '%X~a'),
    fails('ACL', 'SETUSER', 'alice', '~a b'),
    fails('ACL', 'SETUSER', 'alice', '&a\tb'),
    fails('ACL', 'SETUSER', 'alice', 'allkeys', '~x'),
    fails('ACL', 'SETUSER', 'alice', 'allchannels', '&x'),
    fails('ACL', 'SETUSER', 'alice', '#abc'),
    fails('ACL', 'SETUSER', 'alice', '!' + 'A'.repeat(64)),
    fails('ACL', 'SETUSER', 'alice', '<never-set'),
    fails('ACL', 'SETUSER', 'alice', '+config|get|x'),
    fails('ACL', 'SETUSER', 'alice', '+config|nosuch'),
    fails('ACL', 'SETUSER', 'alice', '+get|'),
    fails('ACL', 'SETUSER', 'alice', '(+get', '~a'),
    fails('ACL', 'SETUSER', 'alice', '(+nosuch)'),
    fails('ACL', 'SETUSER', 'a b'),
    c('ACL', 'GETUSER', 'alice'),
    c('ACL', 'USERS'),
  ],
  'DELUSER counts what it deleted and never deletes the default user': [
    ...fresh,
    c('ACL', 'SETUSER', 'alice'),
    c('ACL', 'SETUSER', 'bob'),
    fails('ACL', 'DELUSER', 'alice', 'default'),
    c('ACL', 'DELUSER', 'alice', 'bob', 'nobody'),
    c('ACL', 'USERS'),
  ],
  'requirepass is the default user\'s password': [
    ...fresh,
    c('CONFIG', 'SET', 'requirepass', 'secret'),
    c('ACL', 'GETUSER', 'default'),
    c('AUTH', 'secret'),
    c('CONFIG', 'SET', 'requirepass', ''),
    c('ACL', 'LIST'),
    fails('AUTH', 'secret'),
  ],
});

differential(
  'ACL GETUSER in RESP3',
  {
    'flags are a set, the user a map, selectors maps': [
      ...fresh,
      c('ACL', 'SETUSER', 'alice', 'on', '>pw', '~k*', '+get', '(+set %W~w*)'),
      c('ACL', 'GETUSER', 'alice'),
      c('ACL', 'GETUSER', 'default'),
    ],
  },
  { proto: 3 },
);

differential('ACL CAT, GENPASS, WHOAMI, DRYRUN, HELP and the other subcommands', {
  'CAT lists the categories, and the commands of one': [
    c('ACL', 'CAT'),
    cat('ACL', 'CAT', 'string'),
    cat('ACL', 'CAT', 'HASH'),
    cat('ACL', 'CAT', 'pubsub'),
    cat('ACL', 'CAT', 'transaction'),
    fails('ACL', 'CAT', 'nosuch'),
    fails('ACL', 'CAT', 'a', 'b'),
  ],
  'GENPASS: 256 bits by default, or the bits asked for, rounded up to hex digits': [
    sameType('ACL', 'GENPASS'),
    masked((r) => (r.t === 'bulk' ? { t: 'int', v: String(r.v?.length) } : r), 'ACL', 'GENPASS', '5'),
    masked((r) => (r.t === 'bulk' ? { t: 'int', v: String(r.v?.length) } : r), 'ACL', 'GENPASS', '4096'),
    fails('ACL', 'GENPASS', '0'),
    fails('ACL', 'GENPASS', '4097'),
    fails('ACL', 'GENPASS', 'x'),
  ],
  'WHOAMI, HELP, LOAD and SAVE without an aclfile, unknown subcommands': [
    c('ACL', 'WHOAMI'),
    help('ACL', 'HELP'),
    fails('ACL', 'LOAD'),
    fails('ACL', 'SAVE'),
    fails('ACL', 'NOSUCH'),
    fails('ACL', 'GETUSER'),
    fails('ACL', 'WHOAMI', 'x'),
    fails('ACL'),
  ],
  'DRYRUN names the refused key, channel or command': [
    ...fresh,
    c('ACL', 'SETUSER', 'dave', 'on', 'nopass', '+@all', '-flushall', '%R~r*', '%W~w*', '&pub*'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'GET', 'r1'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'GET', 'w1'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'SET', 'w1', 'v'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'COPY', 'r1', 'w1'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'COPY', 'w1', 'r1'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'LMOVE', 'r1', 'w1', 'LEFT', 'RIGHT'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'FLUSHALL'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'PUBLISH', 'pubx', 'm'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'PUBLISH', 'other', 'm'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'SUBSCRIBE', 'pub1', 'nope'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'PSUBSCRIBE', 'pub*'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'PSUBSCRIBE', 'pub1*'),
    as('dave').c('ACL', 'DRYRUN', 'dave', 'UNSUBSCRIBE', 'nope'),
    fails('ACL', 'DRYRUN', 'nobody', 'GET', 'x'),
    fails('ACL', 'DRYRUN', 'dave', 'NOSUCH'),
    fails('ACL', 'DRYRUN', 'dave', 'GET'),
  ],
  'DRYRUN with selectors reports the last key no selector allows': [
    ...fresh,
    c('ACL', 'SETUSER', 'selectors', 'on', 'nopass', '+@all', '~a*', '(+get ~b*)', '(+set ~c*)'),
    as('selectors').c('ACL', 'DRYRUN', 'selectors', 'GET', 'b1'),
    as('selectors').c('ACL', 'DRYRUN', 'selectors', 'SET', 'b1', 'v'),
    as('selectors').c('ACL', 'DRYRUN', 'selectors', 'MSET', 'a1', 'v', 'b1', 'v'),
    as('selectors').c('ACL', 'DRYRUN', 'selectors', 'MSET', 'c1', 'v', 'b1', 'v', 'z', 'v'),
  ],
});

const eve = as('eve');

differential('ACL enforcement', {
  'AUTH and HELLO AUTH log in as a user; failures are WRONGPASS': [
    ...fresh,
    eve.c('ACL', 'SETUSER', 'alice', 'on', '>pw', '+@all', '~*'),
    eve.c('ACL', 'SETUSER', 'bob', 'off', '>pw', '+@all'),
    eve.fails('AUTH', 'alice', 'wrong'),
    eve.fails('AUTH', 'nobody', 'pw'),
    eve.fails('AUTH', 'bob', 'pw'),
    eve.fails('AUTH', 'pw'),
    eve.fails('AUTH', 'a', 'b', 'c'),
    eve.c('AUTH', 'alice', 'pw'),
    eve.c('ACL', 'WHOAMI'),
    eve.fails('HELLO', '2', 'AUTH', 'bob', 'pw'),
    eve.c('ACL', 'WHOAMI'),
    masked((r) => (r.t === 'array' ? { t: 'array', v: r.v!.slice(4, 6) } : r), 'HELLO', '2', 'AUTH', 'default', 'any'),
    eve.c('ACL', 'WHOAMI'),
  ],
  'a denied command, key or channel changes nothing and answers NOPERM': [
    ...fresh,
    eve.c('ACL', 'SETUSER', 'eve', 'on', '>pw', '+@all', '-flushall', '-config|set', '~k*', '&ch*'),
    eve.c('AUTH', 'eve', 'pw'),
    eve.c('SET', 'k1', 'v'),
    eve.fails('SET', 'z1', 'v'),
    eve.fails('MSET', 'k2', 'v', 'z2', 'v'),
    eve.fails('FLUSHALL'),
    eve.fails('CONFIG', 'SET', 'maxclients', '10'),
    eve.c('CONFIG', 'GET', 'maxclients'),
    eve.c('PUBLISH', 'ch1', 'm'),
    eve.fails('PUBLISH', 'other', 'm'),
    eve.fails('SUBSCRIBE', 'ch1', 'other'),
    eve.c('AUTH', 'default', 'x'),
    eve.c('EXISTS', 'k1', 'k2', 'z1', 'z2'),
  ],
  'read-only and write-only key patterns follow the key specs': [
    ...fresh,
    eve.c('ACL', 'SETUSER', 'eve', 'on', '>pw', '+@all', '%R~r*', '%W~w*'),
    eve.c('AUTH', 'eve', 'pw'),
    eve.c('GET', 'r1'),
    eve.fails('GET', 'w1'),
    eve.fails('SET', 'r1', 'v'),
    eve.c('SET', 'w1', 'v'),
    eve.fails('COPY', 'w1', 'r2'),
    eve.fails('GETDEL', 'r1'),
    eve.c('AUTH', 'default', 'x'),
  ],
  'inside MULTI a denied command dooms the transaction': [
    ...fresh,
    eve.c('ACL', 'SETUSER', 'eve', 'on', '>pw', '+@all', '~k*'),
    eve.c('AUTH', 'eve', 'pw'),
    eve.c('MULTI'),
    eve.c('SET', 'k1', 'v'),
    eve.fails('SET', 'z1', 'v'),
    eve.fails('EXEC'),
    eve.c('EXISTS', 'k1'),
    eve.c('AUTH', 'default', 'x'),
  ],
  'rules changed between MULTI and EXEC refuse the command at EXEC': [
    ...fresh,
    eve.c('ACL', 'SETUSER', 'eve', 'on', '>pw', '+@all', '~*'),
    eve.c('AUTH', 'eve', 'pw'),
    eve.c('MULTI'),
    eve.c('SET', 'k1', 'v'),
    eve.c('GET', 'k1'),
    eve.c('ACL', 'SETUSER', 'eve', 'resetkeys', '~other'),
    eve.c('EXEC'),
    eve.c('AUTH', 'default', 'x'),
  ],
  'scripts run as their caller: redis.call fails, pcall returns the error, acl_check_cmd says': [
    ...fresh,
    eve.c('ACL', 'SETUSER', 'eve', 'on', '>pw', '+@all', '-del', '~k*'),
    eve.c('AUTH', 'eve', 'pw'),
    eve.fails('EVAL', "return redis.call('set', KEYS[1], 'v')", '1', 'z'),
    eve.c('EVAL', "return redis.acl_check_cmd('set', 'z', 'v')", '0'),
    eve.c('EVAL', "return redis.acl_check_cmd('set', 'k', 'v')", '0'),
    eve.c('EVAL', "return redis.acl_check_cmd('del', 'k')", '0'),
    eve.c('AUTH', 'default', 'x'),
    eve.c('EXISTS', 'z'),
  ],
  'ACL LOG: the newest first, similar denials counted in one entry, COUNT and RESET': [
    ...fresh,
    eve.c('ACL', 'SETUSER', 'eve', 'on', '>pw', '+@all', '-flushall', '~k*', '&ch*'),
    eve.fails('AUTH', 'eve', 'wrong'),
    eve.c('AUTH', 'eve', 'pw'),
    eve.fails('FLUSHALL'),
    eve.fails('FLUSHALL'),
    eve.fails('GET', 'z'),
    eve.fails('PUBLISH', 'x', 'm'),
    eve.c('MULTI'),
    eve.fails('GET', 'zz'),
    eve.c('DISCARD'),
    log('ACL', 'LOG'),
    log('ACL', 'LOG', '2'),
    log('ACL', 'LOG', '-1'),
    eve.fails('ACL', 'LOG', 'x'),
    eve.c('AUTH', 'default', 'x'),
    eve.c('ACL', 'LOG', 'RESET'),
    eve.c('ACL', 'LOG'),
  ],
});
