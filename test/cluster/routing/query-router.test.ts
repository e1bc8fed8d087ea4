import { beforeEach, describe, expect, test } from 'vitest';
import type { Command } from '../../../src/core/command.js';
import { QueryRouter, type QueryLine } from '../../../src/cluster/routing/query-router.js';
import { routingKeys } from '../../../src/cluster/routing/routing-keys.js';
import { redirectionError, type Route } from '../../../src/cluster/routing/route.js';
import { keyHashSlot } from '../../../src/keyspace/key-slot.js';
import { useSluice } from '../../helpers/fixture.js';
import { FakeRoutingView, MYSELF, OTHER, THIRD } from './fake-routing-view.js';

// The command table of a real server: routing reads the commands' key specs, getkeys procedures and flags.
const sluice = useSluice();

let view: FakeRoutingView;
let present: Set<string>;
let lookups: number;
let router: QueryRouter;

beforeEach(() => {
  view = new FakeRoutingView().assign(MYSELF);
  present = new Set();
  lookups = 0;
  router = new QueryRouter(view, {
    keyExists: (key) => {
      lookups++;
      return present.has(key);
    },
    writes: (cmd) => cmd.isWrite,
  });
});

function line(...argv: string[]): QueryLine {
  const cmd = sluice.server.dispatcher.lookup(argv) as unknown as Command<never>;
  return { cmd, argv };
}

interface Asked {
  asking?: boolean;
  readOnly?: boolean;
  queued?: string[][] | null;
}

/** The route of a command line, and for a redirection the error a plain (not TLS) client gets. */
function route(argv: string[], { asking = false, readOnly = false, queued = null }: Asked = {}): { route: Route; slot: number; error: string | null } {
  const { cmd } = line(...argv);
  const r = router.route(cmd, argv, queued === null ? null : queued.map((q) => line(...q)), asking, readOnly);
  return { route: r, slot: router.slot, error: r === 'here' ? null : redirectionError(r, router.slot, router.node, view, false) };
}

const slotOf = keyHashSlot;

describe('serving here', () => {
  test('a key of a slot this node serves is served here, and the slot is known', () => {
    expect(route(['GET', 'foo'])).toEqual({ route: 'here', slot: 12182, error: null });
  });

  test('a command without keys is served here whatever the slots, with no slot', () => {
    view.assign(null);
    expect(route(['PING'])).toEqual({ route: 'here', slot: -1, error: null });
    expect(route(['EVAL', 'return 1', '0'])).toEqual({ route: 'here', slot: -1, error: null });
  });

  test('several keys of one slot (a hash tag) are served together', () => {
    expect(route(['MSET', '{u}a', '1', '{u}b', '2']).route).toBe('here');
  });
});

describe('the settled path (a slot of mine, none open)', () => {
  test('answers as the full scan: the key range of a command whose keys do not move names what its getkeys procedure finds', () => {
    const sample = ['k1', 'k2', 'k3', 'k4', 'GET', 'k5', 'k6'];
    let checked = 0;
    for (const cmd of sluice.server.commands.all()) {
      if (cmd.movableKeys || cmd.spec.getKeys === undefined) continue;
      const argv = [cmd.fullName.split('|')[0], ...(cmd.parent === null ? [] : [cmd.spec.name]), ...sample];
      const [first, last, step] = cmd.keyRange;
      const range: number[] = [];
      for (let j = first; first !== 0 && j <= (last < 0 ? argv.length + last : last); j += step) range.push(j);
      expect(routingKeys(cmd as unknown as Command<never>, argv), cmd.fullName).toEqual(range);
      checked++;
    }
    expect(checked).toBeGreaterThan(1);
  });

  test('with a slot open, the keys of that slot are still looked up (ASK, TRYAGAIN) and the others served here', () => {
    present.add('foo');
    expect(route(['SET', 'foo', 'v'])).toEqual({ route: 'here', slot: 12182, error: null });
    expect(lookups).toBe(0);
    view.migrate(1, OTHER);
    expect(route(['SET', 'foo', 'v'])).toEqual({ route: 'here', slot: 12182, error: null });
    expect(lookups).toBe(0);
    view.migrate(12182, OTHER);
    expect(route(['SET', 'foo', 'v'])).toEqual({ route: 'here', slot: 12182, error: null });
    expect(lookups).toBe(1);
  });
});

describe('MOVED', () => {
  test('a key of a slot another node serves: MOVED with the slot and that node\'s endpoint', () => {
    view.assign(OTHER, slotOf('foo'), slotOf('foo'));
    expect(route(['GET', 'foo']).error).toBe('MOVED 12182 10.0.0.2:7001');
  });

  test('a TLS client is sent to the TLS port', () => {
    view.assign(OTHER);
    const { cmd, argv } = line('GET', 'foo');
    const r = router.route(cmd, argv, null, false, false);
    expect(redirectionError(r as Exclude<Route, 'here'>, router.slot, router.node, view, true)).toBe('MOVED 12182 10.0.0.2:17001');
  });

  test('keys are routed by the legacy range too where specs differ: every key of MSET, the STORE key of SORT, the streams of XREAD', () => {
    view.assign(OTHER, slotOf('b'), slotOf('b'));
    expect(route(['MSET', 'b', '1']).error).toBe(`MOVED ${slotOf('b')} 10.0.0.2:7001`);
    expect(route(['SORT', 'a', 'STORE', 'b']).route).toBe('crossslot');
    expect(route(['XREAD', 'COUNT', '1', 'STREAMS', 'b', '0']).route).toBe('moved');
    expect(route(['EVAL', 'return 1', '1', 'b']).route).toBe('moved');
  });
});

describe('CROSSSLOT', () => {
  test('keys of different slots are refused, even where each is served here', () => {
    expect(route(['MSET', 'a', '1', 'b', '2']).error).toBe("CROSSSLOT Keys in request don't hash to the same slot");
  });

  test('it wins over a MOVED of the first key', () => {
    view.assign(OTHER);
    expect(route(['MGET', 'a', 'b']).route).toBe('crossslot');
  });

  test('an unserved first key answers before the others are looked at', () => {
    view.assign(null, slotOf('a'), slotOf('a'));
    expect(route(['MGET', 'a', 'b']).route).toBe('unbound');
  });
});

describe('CLUSTERDOWN', () => {
  test('a slot no node serves: Hash slot not served', () => {
    view.assign(null, slotOf('foo'), slotOf('foo'));
    expect(route(['GET', 'foo']).error).toBe('CLUSTERDOWN Hash slot not served');
  });

  test('the cluster down refuses every command with keys', () => {
    view.stateOk = false;
    expect(route(['GET', 'foo']).error).toBe('CLUSTERDOWN The cluster is down');
    expect(route(['PING']).route).toBe('here');
  });

  test('with cluster-allow-reads-when-down, reads are served and writes refused as read-only', () => {
    view.stateOk = false;
    view.allowReadsWhenDown = true;
    expect(route(['GET', 'foo']).route).toBe('here');
    expect(route(['SET', 'foo', '1']).error).toBe('CLUSTERDOWN The cluster is down and only accepts read commands');
  });

  test('EXEC passes that check on its own flags, as in Redis, even with a write queued', () => {
    view.stateOk = false;
    view.allowReadsWhenDown = true;
    expect(route(['EXEC'], { queued: [['SET', 'foo', '1']] }).route).toBe('here');
  });

  test('a read of a slot elsewhere while down (reads allowed) is still MOVED', () => {
    view.stateOk = false;
    view.allowReadsWhenDown = true;
    view.assign(OTHER);
    expect(route(['GET', 'foo']).route).toBe('moved');
  });
});

describe('a slot migrating away (this node serves it)', () => {
  beforeEach(() => {
    view.migrate(slotOf('{m}'), THIRD);
  });

  test('a key still here is served here', () => {
    present.add('{m}a');
    expect(route(['GET', '{m}a']).route).toBe('here');
  });

  test('a key gone: ASK the target node', () => {
    expect(route(['GET', '{m}a']).error).toBe(`ASK ${slotOf('{m}')} node-3.example:7002`);
  });

  test('some keys here and some gone: TRYAGAIN', () => {
    present.add('{m}a');
    expect(route(['MGET', '{m}a', '{m}b']).error).toBe('TRYAGAIN Multiple keys request during rehashing of slot');
  });

  test('every key gone: ASK', () => {
    expect(route(['MGET', '{m}a', '{m}b']).route).toBe('ask');
  });

  test('MIGRATE runs here whatever keys are left, without looking any up', () => {
    present.add('{m}a');
    expect(route(['MIGRATE', '127.0.0.1', '7002', '{m}a', '0', '1000']).route).toBe('here');
    expect(route(['MIGRATE', '127.0.0.1', '7002', '', '0', '1000', 'KEYS', '{m}a', '{m}b']).route).toBe('here');
    expect(lookups).toBe(0);
    expect(route(['MIGRATE', '127.0.0.1', '7002', '', '0', '1000', 'KEYS', '{m}a', 'other']).route).toBe('crossslot');
  });

  test('a key past its deadline counts as gone: the host answers for it', () => {
    expect(route(['GET', '{m}a']).route).toBe('ask');
    expect(lookups).toBe(1);
  });
});

describe('a slot being imported (another node serves it)', () => {
  beforeEach(() => {
    view.assign(OTHER).import(slotOf('{i}'), OTHER);
  });

  test('without ASKING the client is MOVED to the owner', () => {
    expect(route(['GET', '{i}a']).route).toBe('moved');
  });

  test('after ASKING it is served here, present or not', () => {
    expect(route(['GET', '{i}a'], { asking: true }).route).toBe('here');
  });

  test('a command flagged asking (RESTORE-ASKING, which MIGRATE sends) needs no ASKING, and its one key is not looked up', () => {
    expect(route(['RESTORE-ASKING', '{i}a', '0', 'payload']).route).toBe('here');
    expect(lookups).toBe(0);
    expect(route(['RESTORE', '{i}a', '0', 'payload']).route).toBe('moved');
  });

  test('several different keys with one missing: TRYAGAIN even after ASKING, also for a transaction', () => {
    present.add('{i}a');
    expect(route(['MGET', '{i}a', '{i}b'], { asking: true }).route).toBe('tryagain');
    expect(route(['EXEC'], { asking: true, queued: [['GET', '{i}a'], ['GET', '{i}b']] }).route).toBe('tryagain');
    present.add('{i}b');
    expect(route(['EXEC'], { asking: true, queued: [['GET', '{i}a'], ['GET', '{i}b']] }).route).toBe('here');
  });

  test('the same key twice is one key: served after ASKING though missing', () => {
    expect(route(['LMOVE', '{i}a', '{i}a', 'LEFT', 'RIGHT'], { asking: true }).route).toBe('here');
  });

  test('every key present: served after ASKING', () => {
    present.add('{i}a').add('{i}b');
    expect(route(['MGET', '{i}a', '{i}b'], { asking: true }).route).toBe('here');
  });
});

describe('READONLY on a replica', () => {
  beforeEach(() => {
    view.assign(OTHER);
    view.myMaster = OTHER.id;
  });

  test('reads of the master\'s slots are served here', () => {
    expect(route(['GET', 'foo'], { readOnly: true }).route).toBe('here');
  });

  test('without READONLY they are MOVED to the master', () => {
    expect(route(['GET', 'foo']).error).toBe('MOVED 12182 10.0.0.2:7001');
  });

  test('writes are MOVED to the master', () => {
    expect(route(['SET', 'foo', '1'], { readOnly: true }).route).toBe('moved');
  });

  test('EXEC with a write queued is MOVED; with reads only it is served here', () => {
    expect(route(['EXEC'], { readOnly: true, queued: [['GET', 'foo'], ['SET', 'foo', '1']] }).route).toBe('moved');
    expect(route(['EXEC'], { readOnly: true, queued: [['GET', 'foo']] }).route).toBe('here');
  });

  test('slots of another master are MOVED', () => {
    view.assign(THIRD, slotOf('foo'), slotOf('foo'));
    expect(route(['GET', 'foo'], { readOnly: true }).error).toBe('MOVED 12182 node-3.example:7002');
  });
});

describe('EXEC is routed by its transaction', () => {
  test('outside a transaction it is served here, to fail there', () => {
    view.assign(OTHER);
    expect(route(['EXEC']).route).toBe('here');
  });

  test('queued commands of one slot served here: here', () => {
    expect(route(['EXEC'], { queued: [['SET', '{t}a', '1'], ['GET', '{t}b'], ['PING']] })).toEqual({ route: 'here', slot: slotOf('t'), error: null });
  });

  test('queued commands of several slots: CROSSSLOT', () => {
    expect(route(['EXEC'], { queued: [['SET', 'a', '1'], ['GET', 'b']] }).route).toBe('crossslot');
  });

  test('a slot that moved away since the commands were queued: MOVED', () => {
    view.assign(OTHER);
    expect(route(['EXEC'], { queued: [['SET', 'foo', '1']] }).error).toBe('MOVED 12182 10.0.0.2:7001');
  });
});

describe('pub/sub shard channels', () => {
  test('SPUBLISH and SSUBSCRIBE route by their channels\' slot', () => {
    view.assign(OTHER, slotOf('news'), slotOf('news'));
    expect(route(['SPUBLISH', 'news', 'hi']).route).toBe('moved');
    expect(route(['SSUBSCRIBE', 'news']).route).toBe('moved');
    expect(route(['SUNSUBSCRIBE', 'news']).route).toBe('moved');
    expect(route(['SUNSUBSCRIBE']).route).toBe('here');
  });

  test('channels of several slots: CROSSSLOT', () => {
    expect(route(['SSUBSCRIBE', 'a', 'b']).route).toBe('crossslot');
  });

  test('a replica serves its master\'s channels without READONLY', () => {
    view.assign(OTHER);
    view.myMaster = OTHER.id;
    expect(route(['SPUBLISH', 'news', 'hi']).route).toBe('here');
  });

  test('while the cluster is down they are served under cluster-allow-pubsubshard-when-down (yes by default)', () => {
    view.stateOk = false;
    expect(route(['SPUBLISH', 'news', 'hi']).route).toBe('here');
    view.allowPubsubshardWhenDown = false;
    expect(route(['SPUBLISH', 'news', 'hi']).error).toBe('CLUSTERDOWN The cluster is down');
  });

  test('in an open slot no channel is looked up as a key: served by the source until the migration ends', () => {
    view.migrate(slotOf('news'), OTHER);
    expect(route(['SPUBLISH', 'news', 'hi']).route).toBe('here');
    expect(lookups).toBe(0);
  });
});
