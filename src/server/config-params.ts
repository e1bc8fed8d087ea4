/**
 * Every configuration parameter Sluice accepts, with Redis 7.2's names,
 * defaults and limits. A parameter is listed here only when something in
 * Sluice reads it, or (the encoding-tuning ones) when Redis clients and
 * tools expect to read and set it even though Sluice's representation does
 * not depend on it; docs/commands.md says which.
 */
export interface ParamDef {
  name: string;
  alias?: string;
  type: 'bool' | 'int' | 'memory' | 'enum' | 'string';
  /** The default, written as CONFIG GET prints it. */
  default: string;
  immutable?: boolean;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** For strings: an error reason, or null when the value is acceptable. */
  validate?: (raw: string) => string | null;
  normalize?: (raw: string) => string;
  /** Never printed by CONFIG REWRITE (secrets are, as in Redis; this is for derived ones). */
  sensitive?: boolean;
}

const INT_MAX = 2147483647;
const LONG_MAX = Number.MAX_SAFE_INTEGER;

/** Parameters Redis accepts only to tune its compact encodings; Sluice stores and reports them. */
const ENCODING_TUNING: ParamDef[] = [
  { name: 'hash-max-listpack-entries', alias: 'hash-max-ziplist-entries', type: 'int', default: '128', max: LONG_MAX },
  { name: 'hash-max-listpack-value', alias: 'hash-max-ziplist-value', type: 'int', default: '64', max: LONG_MAX },
  { name: 'list-max-listpack-size', alias: 'list-max-ziplist-size', type: 'int', default: '-2', min: -5, max: INT_MAX },
  { name: 'list-compress-depth', type: 'int', default: '0', max: INT_MAX },
  { name: 'set-max-intset-entries', type: 'int', default: '512', max: LONG_MAX },
  { name: 'set-max-listpack-entries', type: 'int', default: '128', max: LONG_MAX },
  { name: 'set-max-listpack-value', type: 'int', default: '64', max: LONG_MAX },
  { name: 'zset-max-listpack-entries', alias: 'zset-max-ziplist-entries', type: 'int', default: '128', max: LONG_MAX },
  { name: 'zset-max-listpack-value', alias: 'zset-max-ziplist-value', type: 'int', default: '64', max: LONG_MAX },
  { name: 'stream-node-max-bytes', type: 'memory', default: '4096', max: LONG_MAX },
  { name: 'stream-node-max-entries', type: 'int', default: '100', max: LONG_MAX },
];

export const PARAMETERS: ParamDef[] = [
  { name: 'port', type: 'int', default: '6379', max: 65535, immutable: true },
  { name: 'bind', type: 'string', default: '127.0.0.1 -::1', immutable: true },
  { name: 'dir', type: 'string', default: './data', immutable: true },
  { name: 'databases', type: 'int', default: '16', min: 1, max: INT_MAX, immutable: true },
  { name: 'requirepass', type: 'string', default: '' },
  { name: 'hz', type: 'int', default: '10', min: 1, max: 500 },
  { name: 'timeout', type: 'int', default: '0', max: INT_MAX },
  { name: 'maxclients', type: 'int', default: '10000', min: 1, max: LONG_MAX },
  { name: 'proto-max-bulk-len', type: 'memory', default: '536870912', min: 1024 * 1024, max: LONG_MAX },
  { name: 'client-query-buffer-limit', type: 'memory', default: '1073741824', min: 1024 * 1024, max: LONG_MAX },
  { name: 'loglevel', type: 'enum', default: 'notice', values: ['debug', 'verbose', 'notice', 'warning', 'nothing'] },
  { name: 'logfile', type: 'string', default: '', immutable: true },
  { name: 'slowlog-log-slower-than', type: 'int', default: '10000', min: -1, max: LONG_MAX },
  { name: 'slowlog-max-len', type: 'int', default: '128', max: LONG_MAX },
  { name: 'maxmemory-policy', type: 'enum', default: 'noeviction', values: ['noeviction'] },
  { name: 'metrics-port', type: 'int', default: '0', max: 65535, immutable: true },
  ...ENCODING_TUNING,
];
