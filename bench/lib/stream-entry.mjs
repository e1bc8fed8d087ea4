// The stream entry the memory measurements add: five small fields, with an
// explicit ID so that XRANGE probes can name any entry by its index.
export const FIRST_MS = 1700000000000;

/** The ID of the i-th entry (0-based). */
export const entryId = (i) => `${FIRST_MS + i}-0`;

/** XADD of the i-th entry into `key`. */
export const entryXadd = (key, i) => [
  'XADD', key, entryId(i), 'name', `job${i % 10000}`, 'type', 'email', 'ts', String(1700000000 + i), 'user', `u${i % 997}`, 'state', 'queued',
];
