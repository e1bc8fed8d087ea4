/** What a maxmemory-policy name asks for (Redis's MAXMEMORY_FLAG_* bits). */
export interface Policy {
  name: string;
  /** Which keys may go: all of them, or only those with a TTL. */
  volatile: boolean;
  /** How the victims are chosen. */
  kind: 'lru' | 'lfu' | 'ttl' | 'random' | 'none';
}

export function parsePolicy(name: string): Policy {
  if (name === 'noeviction') return { name, volatile: false, kind: 'none' };
  const [scope, kind] = name.split('-');
  return { name, volatile: scope === 'volatile', kind: kind as Policy['kind'] };
}

/** Which access clock keys carry under the policy: the LFU counter under an LFU one, the LRU clock under every other, as Redis. */
export function accessMode(p: Policy): 'lru' | 'lfu' {
  return p.kind === 'lfu' ? 'lfu' : 'lru';
}
