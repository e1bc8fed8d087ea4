/** Redis's ACL categories, in the order ACL CAT lists them and COMMAND INFO writes them. */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
] as const;

/** A category's canonical name, matched case-insensitively as Redis does, or null when there is none. */
export function categoryByName(name: string): string | null {
  const lower = name.toLowerCase();
  return (ACL_CATEGORIES as readonly string[]).includes(lower) ? lower : null;
}
