import path from 'node:path';
import { displayedEventFlags, INVALID_EVENT_CLASS, parseEventFlags, storedEventFlags } from '../broker/notifications.js';
import { normalizeSave, SAVE_DEFAULT, validateSave } from './save-points.js';
import { mergeOutputLimits, OUTPUT_LIMIT_DEFAULT, validateOutputLimits } from './output-limits.js';

/**
 * Every configuration parameter Sluice accepts, with Redis 7.2's names,
 * types, defaults and limits. A parameter is listed here only when something
 * in Sluice reads it, or (the encoding-tuning ones) when Redis clients and
 * tools expect to read and set it even though Sluice's representation does
 * not depend on it; docs/commands.md says which.
 */
export interface ParamDef {
  name: string;
  /** Redis's older name for the same parameter (CONFIG GET lists both). */
  alias?: string;
  /**
   * 'int' parses like Redis's string2ll, 'memory' like its memtoull (a
   * number with an optional k/kb/m/mb/g/gb suffix, wrapping past 2^64).
   */
  type: 'bool' | 'int' | 'memory' | 'enum' | 'string';
  /** The default, written as CONFIG GET prints it. */
  default: string;
  /** Settable only from the command line or config file. */
  immutable?: boolean;
  /** CONFIG SET refuses it unless enable-protected-configs allows the client. */
  protected?: boolean;
  /** Numeric bounds, inclusive. */
  min?: bigint;
  max?: bigint;
  /** Redis stores it unsigned: a negative input wraps and fails the range check. */
  unsigned?: boolean;
  /** Accepted anywhere in [min, max] but held within these bounds (hz). */
  clamp?: readonly [bigint, bigint];
  values?: readonly string[];
  /** For strings: an error reason, or null when the value is acceptable. */
  validate?: (raw: string) => string | null;
  /** The value to store; `current` is the value being replaced (the default when there is none yet). */
  normalize?: (raw: string, current: string) => string;
  /** How CONFIG GET shows a stored string, where Redis prints less than it keeps. */
  display?: (stored: string) => string;
  /**
   * How CONFIG REWRITE writes a string: 'quoted' (the default) quotes it as
   * Redis's sdscatrepr; 'words' writes it bare and drops the directive when
   * it holds the default (bind); 'save-points' writes a line per save point
   * (`save ""` when there are none), even at the default, as Redis does; 'always' quotes and writes it even at the default (dir);
   * 'unset-when-empty' drops the directive when empty (requirepass).
   */
  /** Repeated directives add to the value instead of replacing it; an empty one clears it (save). */
  accumulates?: boolean;
  rewrite?: 'quoted' | 'words' | 'save-points' | 'always' | 'unset-when-empty';
}

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const UINT_MAX = 2n ** 32n - 1n;
const LONG_MAX = 2n ** 63n - 1n;
const MB = 1024n * 1024n;
const PROTECTED_ACTION = ['no', 'yes', 'local'] as const;

/** Redis accepts at most this many addresses in `bind` (CONFIG_BINDADDR_MAX). */
const MAX_BIND_ADDRESSES = 16;

/** Redis's check that a name is a plain file or directory name, not a path. */
function baseName(what: string, kind: string) {
  return (raw: string): string | null => {
    if (raw === '') return `${what} can't be empty`;
    return raw.includes('/') ? `${what} can't be a path, just a ${kind}` : null;
  };
}

/**
 * AOF persistence (src/persistence). Redis's defaults, except
 * aof-use-rdb-preamble: Sluice has no RDB writer yet, so its base files are
 * in AOF form; `yes` is accepted (a redis.conf may say it) and logged as such.
 * The CLI turns appendonly on unless told otherwise (see src/cli.ts).
 */
const AOF: ParamDef[] = [
  { name: 'appendonly', type: 'bool', default: 'no' },
  { name: 'save', type: 'string', default: SAVE_DEFAULT, rewrite: 'save-points', accumulates: true, validate: validateSave, normalize: normalizeSave },
  { name: 'appendfilename', type: 'string', default: 'appendonly.aof', immutable: true, validate: baseName('appendfilename', 'filename') },
  { name: 'appenddirname', type: 'string', default: 'appendonlydir', immutable: true, validate: baseName('appenddirname', 'dirname') },
  { name: 'appendfsync', type: 'enum', default: 'everysec', values: ['everysec', 'always', 'no'] },
  { name: 'auto-aof-rewrite-percentage', type: 'int', default: '100', min: 0n, max: INT_MAX },
  { name: 'auto-aof-rewrite-min-size', type: 'memory', default: '67108864', min: 0n, max: LONG_MAX },
  { name: 'aof-load-truncated', type: 'bool', default: 'yes' },
  { name: 'aof-use-rdb-preamble', type: 'bool', default: 'no' },
  { name: 'aof-timestamp-enabled', type: 'bool', default: 'no' },
  // The RDB file (SAVE, loading at start) and DUMP payloads: LZF for strings over 20 bytes, the CRC-64 trailer.
  { name: 'dbfilename', type: 'string', default: 'dump.rdb', protected: true, validate: (raw) => (raw.includes('/') ? "dbfilename can't be a path, just a filename" : null) },
  { name: 'rdbcompression', type: 'bool', default: 'yes' },
  { name: 'rdbchecksum', type: 'bool', default: 'yes', immutable: true },
];

/** Parameters that tune the compact encodings: the hash, set, sorted-set and stream ones shape Sluice's values as they shape Redis's; the list ones are stored and reported only. */
const ENCODING_TUNING: ParamDef[] = [
  { name: 'hash-max-listpack-entries', alias: 'hash-max-ziplist-entries', type: 'int', default: '512', min: 0n, max: LONG_MAX, unsigned: true },
  { name: 'hash-max-listpack-value', alias: 'hash-max-ziplist-value', type: 'memory', default: '64', min: 0n, max: LONG_MAX, unsigned: true },
  { name: 'list-max-listpack-size', alias: 'list-max-ziplist-size', type: 'int', default: '-2', min: INT_MIN, max: INT_MAX },
  { name: 'list-compress-depth', type: 'int', default: '0', min: 0n, max: INT_MAX },
  { name: 'set-max-intset-entries', type: 'int', default: '512', min: 0n, max: LONG_MAX, unsigned: true },
  // New in Redis 7.2 (absent from 7.0).
  { name: 'set-max-listpack-entries', type: 'int', default: '128', min: 0n, max: LONG_MAX, unsigned: true },
  { name: 'set-max-listpack-value', type: 'int', default: '64', min: 0n, max: LONG_MAX, unsigned: true },
  { name: 'zset-max-listpack-entries', alias: 'zset-max-ziplist-entries', type: 'int', default: '128', min: 0n, max: LONG_MAX, unsigned: true },
  { name: 'zset-max-listpack-value', alias: 'zset-max-ziplist-value', type: 'memory', default: '64', min: 0n, max: LONG_MAX, unsigned: true },
  { name: 'stream-node-max-bytes', type: 'memory', default: '4096', min: 0n, max: LONG_MAX, unsigned: true },
  { name: 'stream-node-max-entries', type: 'int', default: '100', min: 0n, max: LONG_MAX },
  { name: 'hll-sparse-max-bytes', type: 'memory', default: '3000', min: 0n, max: LONG_MAX, unsigned: true },
];

export const PARAMETERS: ParamDef[] = [
  // Redis can re-listen on CONFIG SET port/bind; Sluice binds once, at start.
  { name: 'port', type: 'int', default: '6379', min: 0n, max: 65535n, immutable: true },
  {
    name: 'bind', type: 'string', default: '127.0.0.1 -::1', immutable: true, rewrite: 'words',
    validate: (raw) => (raw.split(' ').length > MAX_BIND_ADDRESSES ? 'Too many bind addresses specified.' : null),
  },
  // Redis reports the working directory, always absolute; Sluice keeps its data directory the same way.
  { name: 'dir', type: 'string', default: './data', protected: true, rewrite: 'always', normalize: (raw) => path.resolve(raw) },
  { name: 'databases', type: 'int', default: '16', min: 1n, max: INT_MAX, immutable: true },
  { name: 'requirepass', type: 'string', default: '', rewrite: 'unset-when-empty' },
  // Who may run DEBUG (and MODULE, which Sluice lacks) and CONFIG SET protected parameters: 'local' means loopback clients.
  { name: 'enable-protected-configs', type: 'enum', default: 'no', values: PROTECTED_ACTION, immutable: true },
  { name: 'enable-debug-command', type: 'enum', default: 'no', values: PROTECTED_ACTION, immutable: true },
  { name: 'enable-module-command', type: 'enum', default: 'no', values: PROTECTED_ACTION, immutable: true },
  // Redis takes any non-negative hz and holds it within 1..500.
  { name: 'busy-reply-threshold', alias: 'lua-time-limit', type: 'int', default: '5000', min: 0n, max: LONG_MAX },
  { name: 'hz', type: 'int', default: '10', min: 0n, max: INT_MAX, clamp: [1n, 500n] },
  { name: 'timeout', type: 'int', default: '0', min: 0n, max: INT_MAX },
  { name: 'maxclients', type: 'int', default: '10000', min: 1n, max: UINT_MAX, unsigned: true },
  { name: 'proto-max-bulk-len', type: 'memory', default: '536870912', min: MB, max: LONG_MAX },
  { name: 'client-query-buffer-limit', type: 'memory', default: '1073741824', min: MB, max: LONG_MAX, unsigned: true },
  { name: 'loglevel', type: 'enum', default: 'notice', values: ['debug', 'verbose', 'notice', 'warning', 'nothing'] },
  { name: 'logfile', type: 'string', default: '', immutable: true },
  { name: 'slowlog-log-slower-than', type: 'int', default: '10000', min: -1n, max: LONG_MAX },
  { name: 'slowlog-max-len', type: 'int', default: '128', min: 0n, max: LONG_MAX },
  // Sluice never evicts: noeviction is the only policy it can honour.
  { name: 'maxmemory-policy', type: 'enum', default: 'noeviction', values: ['noeviction'] },
  {
    name: 'notify-keyspace-events', type: 'string', default: '',
    validate: (raw) => (parseEventFlags(raw) === null ? INVALID_EVENT_CLASS : null),
    normalize: storedEventFlags, display: displayedEventFlags,
  },
  // Only the classes named change; CONFIG REWRITE writes the whole value on one line.
  {
    name: 'client-output-buffer-limit', type: 'string', default: OUTPUT_LIMIT_DEFAULT, rewrite: 'words',
    validate: validateOutputLimits, normalize: mergeOutputLimits,
  },
  // Sluice's own: the Prometheus endpoint (0 = off).
  { name: 'metrics-port', type: 'int', default: '0', min: 0n, max: 65535n, immutable: true },
  ...AOF,
  ...ENCODING_TUNING,
];
