import { toBytes } from '../bytes.js';
import type { ConsoleHost } from '../host.js';
import { arr, num, str } from '../replies.js';
import type { Session } from '../session.js';
import type { Denied, NameCount, Pubsub, PubsubClient } from '../web/types.js';
import { clientLines, MAX_WHOLE_LISTING, optional, tooMany } from './common.js';

/** Channels listed at most; PUBSUB NUMSUB is asked about them this many at a time. */
const MAX_CHANNELS = 1000;
const NUMSUB_BATCH = 100;

/**
 * Names with their subscriber counts (PUBSUB NUMSUB or SHARDNUMSUB in
 * batches) and the messages counted through each.
 */
async function withCounts(s: Session, numsub: string, names: string[], messages: ReadonlyMap<string, number> | undefined): Promise<NameCount[]> {
  const out: NameCount[] = [];
  for (let i = 0; i < names.length; i += NUMSUB_BATCH) {
    const pairs = arr(await s.call('PUBSUB', numsub, ...names.slice(i, i + NUMSUB_BATCH)));
    for (let j = 0; j + 1 < pairs.length; j += 2) {
      const name = str(pairs[j]);
      out.push({ name: toBytes(name), subscribers: num(pairs[j + 1]), messages: messages?.get(name) ?? 0 });
    }
  }
  return out;
}

/**
 * The Pub/sub view: channels and shard channels from PUBSUB, run as the
 * user; patterns, which RESP can only count (PUBSUB NUMPAT), from the
 * registry, and only for a user that may run PUBSUB NUMPAT; the subscribed
 * clients from CLIENT LIST TYPE pubsub.
 */
export async function pubsub(s: Session, host: ConsoleHost): Promise<Pubsub> {
  const denied: Denied[] = [];
  const counts = host.countMessages(true);
  const sizes = host.sizes();
  const allChannels = sizes.channels > MAX_WHOLE_LISTING ? (tooMany(denied, 'channels', sizes.channels), [])
    : arr(await s.call('PUBSUB', 'CHANNELS')).map(str).sort();
  const channels = await withCounts(s, 'NUMSUB', allChannels.slice(0, MAX_CHANNELS), counts?.channels);
  const shardNames = sizes.shardChannels > MAX_WHOLE_LISTING ? (tooMany(denied, 'shard channels', sizes.shardChannels), [])
    : arr(await s.call('PUBSUB', 'SHARDCHANNELS')).map(str).sort().slice(0, MAX_CHANNELS);
  const shardChannels = await withCounts(s, 'SHARDNUMSUB', shardNames, counts?.shardChannels);
  const patterns = sizes.patterns > MAX_WHOLE_LISTING ? tooMany(denied, 'patterns', sizes.patterns) : await optional(denied, 'patterns', async () => {
    await s.call('PUBSUB', 'NUMPAT');
    return [...host.patterns()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, MAX_CHANNELS)
      .map(([name, subscribers]): NameCount => ({ name: toBytes(name), subscribers, messages: counts?.patterns.get(name) ?? 0 }));
  });
  const clients = sizes.clients > MAX_WHOLE_LISTING ? tooMany(denied, 'subscribed clients', sizes.clients) : await optional(denied, 'subscribed clients', async () =>
    clientLines(str(await s.call('CLIENT', 'LIST', 'TYPE', 'pubsub'))).map((f): PubsubClient => ({
      id: f.get('id') ?? '',
      addr: f.get('addr') ?? '',
      name: f.get('name') ?? '',
      user: f.get('user') ?? '',
      sub: Number(f.get('sub') ?? 0),
      psub: Number(f.get('psub') ?? 0),
      ssub: Number(f.get('ssub') ?? 0),
      age: Number(f.get('age') ?? 0),
      idle: Number(f.get('idle') ?? 0),
    })),
  );
  const channelsLeftOut = Math.max(0, sizes.channels - channels.length);
  return { channels, channelsLeftOut, patterns, shardChannels, clients, denied, t: Date.now() };
}
