import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { strerror } from '../persistence/io.js';
import { displayedEventFlags, INVALID_EVENT_CLASS, parseEventFlags, storedEventFlags } from '../broker/notifications.js';
import { normalizeSave, SAVE_DEFAULT, validateSave } from './save-points.js';
import { mergeOutputLimits, OUTPUT_LIMIT_DEFAULT, validateOutputLimits } from './output-limits.js';
import {
  normalizeOomScoreAdjValues, normalizePercentiles, normalizeReplicaOf, normalizeShutdownFlags, validateBind,
  validateHostname, validateNodename, validateOomScoreAdjValues, validatePercentiles, validateProcTitleTemplate,
  validateReplicaOf, validateShutdownFlags,
} from './config-special.js';

/** What Sluice does with a parameter (docs/configuration.md lists it; start-up logs the ones without effect). */
export type Support = 'honoured' | 'partial' | 'none';

/**
 * Every configuration parameter of Redis 7.2 (its `standardConfig` table),
 * with Redis's names, aliases, types, defaults, limits and flags, plus
 * Sluice's own (metrics-port, console-port, log-format, repl-rdb-version…). This table is the one place a parameter is
 * declared: CONFIG GET/SET, the config file, the command line, CONFIG
 * REWRITE, redaction and docs/configuration.md (`npm run docs:config`) all
 * read it.
 */
export interface ParamDef {
  name: string;
  /** Redis's older name for the same parameter (CONFIG GET lists both). */
  alias?: string;
  /**
   * 'int' parses like Redis's string2ll, 'memory' like its memtoull (a
   * number with an optional k/kb/m/mb/g/gb suffix, wrapping past 2^64),
   * 'octal' like strtoll in base 8.
   */
  type: 'bool' | 'int' | 'memory' | 'octal' | 'enum' | 'string';
  /** The default, written as CONFIG GET prints it. */
  default: string;
  /** Settable only from the command line or config file. */
  immutable?: boolean;
  /** CONFIG SET refuses it unless enable-protected-configs allows the client. */
  protected?: boolean;
  /** Its CONFIG SET value is a secret: redacted in MONITOR, the slow log and CLIENT LIST. */
  sensitive?: boolean;
  /** Left out of CONFIG GET's pattern matches; only its exact name finds it (Redis's test-only knobs). */
  hidden?: boolean;
  /** CONFIG SET refuses it with -LOADING while the dataset loads. */
  denyLoading?: boolean;
  /** Takes several arguments on a config line (`save 900 1`), held joined by single spaces. */
  multiArg?: boolean;
  /** Numeric bounds, inclusive. */
  min?: bigint;
  max?: bigint;
  /** Redis stores it unsigned: a negative input wraps and fails the range check. */
  unsigned?: boolean;
  /** A memory value or "N%" (held as -N, bounded by -min). */
  percent?: boolean;
  /** CONFIG SET raises a smaller value to this (Redis's apply step; a config file keeps what it says). */
  runTimeMin?: bigint;
  /** Accepted anywhere in [min, max] but held within these bounds (hz). */
  clamp?: readonly [bigint, bigint];
  /** For enums: the names in Redis's order (its error message lists them so). */
  values?: readonly string[];
  /** For enums: names Redis stores as another one and prints under that one. */
  synonyms?: Readonly<Record<string, string>>;
  /** For strings: an error reason, or null when the value is acceptable. */
  validate?: (raw: string) => string | null;
  /** The value to store; `current` is the value being replaced (the default when there is none yet). */
  normalize?: (raw: string, current: string) => string;
  /** For strings: a check CONFIG SET makes of the value to store (not start-up, which may create what it names): an error reason or null. */
  checkAtRunTime?: (value: string) => string | null;
  /** How CONFIG GET shows a stored string, where Redis prints less than it keeps. */
  display?: (stored: string) => string;
  /** Repeated directives add to the value instead of replacing it; an empty one clears it (save). */
  accumulates?: boolean;
  /**
   * How CONFIG REWRITE writes a string: 'quoted' (the default) quotes it as
   * Redis's sdscatrepr; 'bare' writes it unquoted (several arguments);
   * 'words' writes it bare and drops the directive when it holds the
   * default (bind, replicaof); 'save-points' writes a line per save point
   * (`save ""` when there are none), even at the default, as Redis does;
   * 'always' quotes and writes it even at the default (dir);
   * 'unset-when-empty' drops the directive when empty (requirepass);
   * 'output-limits' writes a line per class (client-output-buffer-limit).
   */
  rewrite?: 'quoted' | 'bare' | 'words' | 'save-points' | 'always' | 'unset-when-empty' | 'output-limits';
  /** Whether Sluice acts on it, and how (for docs/configuration.md). */
  support: Support;
  note: string;
  /** The redis.conf section it belongs to (docs/configuration.md groups by it). */
  section: string;
  /** The Redis version that added it, when later than 7.0 (CI's oracle lacks it). */
  since?: '7.2';
  /**
   * Sluice's own, unknown to Redis, whose redis-server refuses a file that
   * sets it: CONFIG REWRITE updates or drops a line the file has but adds
   * none (config-rewrite.ts says why).
   */
  sluiceOnly?: true;
}

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const UINT_MAX = 2n ** 32n - 1n;
const LONG_MAX = 2n ** 63n - 1n;
const ULONG_LONG_MAX = 2n ** 64n - 1n;
const MB = 1024n * 1024n;
const PROTECTED_ACTION = ['no', 'yes', 'local'] as const;

type Decl = Omit<ParamDef, 'section'>;
type Extra = Partial<Decl>;
type Effect = Pick<ParamDef, 'support' | 'note'>;

const honoured = (note = ''): Effect => ({ support: 'honoured', note });
const partial = (note: string): Effect => ({ support: 'partial', note });
const none = (note: string): Effect => ({ support: 'none', note });

const bool = (name: string, dflt: 'yes' | 'no', effect: Effect, extra: Extra = {}): Decl =>
  ({ name, type: 'bool', default: dflt, ...effect, ...extra });
const int = (name: string, dflt: bigint, min: bigint, max: bigint, effect: Effect, extra: Extra = {}): Decl =>
  ({ name, type: 'int', default: String(dflt), min, max, ...effect, ...extra });
const memory = (name: string, dflt: bigint, min: bigint, max: bigint, effect: Effect, extra: Extra = {}): Decl =>
  ({ name, type: 'memory', default: String(dflt), min, max, ...effect, ...extra });
const oneOf = (name: string, dflt: string, values: readonly string[], effect: Effect, extra: Extra = {}): Decl =>
  ({ name, type: 'enum', default: dflt, values, ...effect, ...extra });
const text = (name: string, dflt: string, effect: Effect, extra: Extra = {}): Decl =>
  ({ name, type: 'string', default: dflt, ...effect, ...extra });

function section(name: string, decls: Decl[]): ParamDef[] {
  return decls.map((d) => ({ ...d, section: name }));
}

/** Redis's check that a name is a plain file or directory name, not a path. */
function baseName(what: string, kind: string, allowEmpty = false) {
  return (raw: string): string | null => {
    if (raw === '' && !allowEmpty) return `${what} can't be empty`;
    return raw.includes('/') ? `${what} can't be a path, just a ${kind}` : null;
  };
}

/** What Redis's chdir would say of a directory CONFIG SET names: null when it could enter it. */
function usableDirectory(dir: string): string | null {
  try {
    if (!statSync(dir).isDirectory()) return 'Not a directory';
    accessSync(dir, constants.X_OK);
    return null;
  } catch (e) {
    return strerror(e);
  }
}

const MIN_REPLICAS = honoured('With both set above 0, writes (and scripts that declare writes) are refused with NOREPLICAS while fewer replicas acknowledged within the lag; INFO shows min_slaves_good_slaves.');
const ROUTING = honoured('Read by the routing of client commands in cluster mode (redirections).');
const TLS_SERVED = honoured();
const TLS_OUTGOING = honoured('Used by a replica\'s link to its master under tls-replication, and by the cluster bus and MIGRATE under tls-cluster.');
const TLS_SESSIONS = none("Node's TLS server keeps its own session cache; Redis's session settings are not applied to it.");
const NO_BGSAVE_TUNING = none('BGSAVE writes from the server itself in slices of about a millisecond, not from a forked child: there is nothing to tune.');
const NO_LAZYFREE = none('Sluice frees memory through the garbage collector: nothing is freed on a separate thread.');
const NO_ALLOCATOR = none("Node's garbage collector manages Sluice's memory: there is no jemalloc to tune or defragment.");
const NOT_USED = none('Accepted and reported; nothing in Sluice depends on it.');

const NETWORK = section('Network', [
  text('bind', '127.0.0.1 -::1', partial('CONFIG SET binds again, as Redis (the reply waits for the sockets). Defaults to the loopback addresses of the stock redis.conf rather than to every address.'), {
    multiArg: true, rewrite: 'words', validate: validateBind,
  }),
  text('bind-source-addr', '', honoured('A replica\'s link to its master and the cluster bus\'s outbound links go out from this address; MIGRATE\'s connections do not, as in Redis.')),
  bool('protected-mode', 'yes', honoured('With no password on the default user, clients from other than loopback are refused with Redis\'s DENIED explanation.')),
  int('port', 6379n, 0n, 65535n, partial('CONFIG SET binds again, as Redis (the reply waits for the sockets; 0 stops listening on TCP). At start, 0 picks a free port (for embedding) where Redis would not listen on TCP, unless tls-port is set: then, as in Redis, only TLS is served.')),
  int('tcp-backlog', 511n, 0n, INT_MAX, honoured('The listen backlog of every TCP and Unix socket.'), { immutable: true }),
  text('unixsocket', '', honoured('Clients connect over this Unix socket too (an existing file there is replaced, as Redis does).'), { immutable: true }),
  { ...int('unixsocketperm', 0n, 0n, 0o777n, honoured('The Unix socket file mode (0: as the umask leaves it).'), { immutable: true, unsigned: true }), type: 'octal' },
  int('timeout', 0n, 0n, INT_MAX, honoured('Idle clients are closed after this many seconds (not subscribers, blocked clients or monitors), checked by the cron.')),
  int('tcp-keepalive', 300n, 0n, INT_MAX, partial('TCP keepalive on every new connection, with this idle time; the probe interval and count are the operating system\'s (Node sets only the idle time).')),
  int('socket-mark-id', 0n, 0n, UINT_MAX, none('Node cannot mark sockets (SO_MARK).'), { immutable: true, unsigned: true }),
]);

const TLS = section('TLS', [
  int('tls-port', 0n, 0n, 65535n, TLS_SERVED),
  text('tls-cert-file', '', TLS_SERVED),
  text('tls-key-file', '', TLS_SERVED),
  text('tls-key-file-pass', '', TLS_SERVED),
  text('tls-client-cert-file', '', TLS_OUTGOING),
  text('tls-client-key-file', '', TLS_OUTGOING),
  text('tls-client-key-file-pass', '', TLS_OUTGOING),
  text('tls-dh-params-file', '', TLS_SERVED),
  text('tls-ca-cert-file', '', TLS_SERVED),
  text('tls-ca-cert-dir', '', honoured('Every file in the directory is read as PEM certificates (OpenSSL looks them up by hashed name).')),
  oneOf('tls-auth-clients', 'yes', ['no', 'yes', 'optional'], TLS_SERVED),
  bool('tls-replication', 'no', honoured('A replica links to its master over TLS (the chain checked against tls-ca-cert-file or -dir, not the host name, as Redis) and announces its tls-port.')),
  bool('tls-cluster', 'no', honoured('The cluster bus and MIGRATE speak TLS (tls-client-cert-file or tls-cert-file as the client side; every peer must show a certificate the CA signed), and the ports nodes announce are the TLS ones, the bus port tls-port + 10000 unless cluster-port.')),
  text('tls-protocols', '', partial('Node takes a range of versions: the lowest to the highest named (a gap is filled).')),
  text('tls-ciphers', '', TLS_SERVED),
  text('tls-ciphersuites', '', TLS_SERVED),
  bool('tls-prefer-server-ciphers', 'no', TLS_SERVED),
  bool('tls-session-caching', 'yes', TLS_SESSIONS),
  int('tls-session-cache-size', 20480n, 0n, INT_MAX, TLS_SESSIONS),
  int('tls-session-cache-timeout', 300n, 0n, INT_MAX, TLS_SESSIONS),
]);

const GENERAL = section('General', [
  bool('daemonize', 'no', honoured('yes: the server detaches from the terminal and runs in the background, as Redis does (a new session, standard streams closed; logs go to logfile or nowhere).'), { immutable: true }),
  oneOf('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], none('Sluice sends no readiness notification (Node has no Unix datagram sockets for sd_notify; no SIGSTOP for upstart): under systemd, run it with Type=simple or Type=exec, not Type=notify as Debian\'s redis-server unit does.'), { immutable: true }),
  text('pidfile', '', honoured('Written at start (always when daemonized, as Redis), removed at exit.'), { immutable: true }),
  oneOf('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning', 'nothing'], honoured()),
  text('logfile', '', honoured('Log lines are appended to this file, in the log-format, as on standard output (the file is opened for each batch of lines, so log rotation needs no signal); empty: standard output.'), { immutable: true }),
  // Sluice's own: the shape of the log lines.
  oneOf('log-format', 'redis', ['redis', 'json'], honoured("Sluice's own: `redis` writes Redis's log lines (`pid:M 26 Nov 2026 23:10:37.123 * message`); `json` writes one JSON object a line (pino's: level, time in ms, pid, msg, and the fields some lines carry) for structured pipelines; CONFIG SET switches the lines that follow."), { sluiceOnly: true }),
  bool('syslog-enabled', 'no', none('Sluice does not log to syslog (Node has no Unix datagram sockets for /dev/log): use logfile, or standard output under a supervisor.'), { immutable: true }),
  text('syslog-ident', 'redis', none('Sluice does not log to syslog.'), { immutable: true }),
  oneOf('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], none('Sluice does not log to syslog.'), { immutable: true }),
  bool('crash-log-enabled', 'yes', none('A crash in Node prints its own stack trace.')),
  bool('crash-memcheck-enabled', 'yes', none('There is no memory test after a crash.')),
  int('databases', 16n, 1n, INT_MAX, honoured(), { immutable: true }),
  bool('always-show-logo', 'no', partial("Where Redis prints its logo (this set, or a terminal on standard output with no logfile), Sluice prints a banner of its own with the same facts (version, mode, port, PID); otherwise the line `Running mode=standalone, port=N.`, as Redis. Not in the json log-format."), { immutable: true }),
  bool('set-proc-title', 'yes', honoured('sluice-server sets its process title from proc-title-template; an embedded server leaves its host\'s title alone.'), { immutable: true }),
  text('proc-title-template', '{title} {listen-addr} {server-mode}', partial('{title} is sluice-server; Node truncates a title longer than the command line the process started with.'), { validate: validateProcTitleTemplate }),
  text('locale-collate', '', none('Sluice sorts strings by bytes (SORT ALPHA) whatever the locale; the value is not checked against the system\'s locales.'), { since: '7.2' }),
  oneOf('enable-protected-configs', 'no', PROTECTED_ACTION, honoured("Who may CONFIG SET protected parameters ('local': loopback and Unix socket clients)."), { immutable: true }),
  oneOf('enable-debug-command', 'no', PROTECTED_ACTION, honoured('Who may run DEBUG.'), { immutable: true }),
  oneOf('enable-module-command', 'no', PROTECTED_ACTION, honoured('Who may run MODULE LOAD, LOADEX and UNLOAD (Sluice loads no modules: they answer the load error).'), { immutable: true }),
  text('ignore-warnings', '', NOT_USED),
]);

/**
 * Snapshots: save points start BGSAVE as in Redis.
 */
const SNAPSHOTTING = section('Snapshotting', [
  text('save', SAVE_DEFAULT, honoured('Save points start a BGSAVE as in Redis (checked ten times a second); SHUTDOWN and FLUSHALL save when there are any.'), { multiArg: true, rewrite: 'save-points', accumulates: true, validate: validateSave, normalize: normalizeSave }),
  bool('stop-writes-on-bgsave-error', 'yes', honoured('After a failed BGSAVE or SAVE, with save points set, write commands and PING get -MISCONF until a save succeeds.')),
  bool('rdbcompression', 'yes', honoured('SAVE and DUMP compress strings over 20 bytes with LZF, as Redis does.')),
  bool('rdbchecksum', 'yes', honoured('SAVE and DUMP write the CRC-64; loading checks it unless it is 0.'), { immutable: true }),
  oneOf('sanitize-dump-payload', 'no', ['no', 'yes', 'clients'], none('RESTORE and the RDB loader always check a payload in full, as Redis does with yes.')),
  text('dbfilename', 'dump.rdb', honoured('SAVE and BGSAVE write it; sluice-server loads it at start when there is no AOF.'), { protected: true, validate: baseName('dbfilename', 'filename', true) }),
  bool('rdb-del-sync-files', 'no', honoured('Where neither save points nor the AOF are set, the RDB file a disk-based full sync wrote is removed: on the master once no replica waits for it, on a replica once it is loaded (or failed to load).')),
  // Redis reports the working directory, always absolute; Sluice keeps its data directory the same way.
  text('dir', './data', partial('Where the AOF lives, created at start if missing (CONFIG SET refuses one it could not enter, with the system\'s reason, as Redis); reported absolute. Sluice does not change its working directory, and defaults to ./data rather than the working directory.'), {
    protected: true, denyLoading: true, rewrite: 'always', normalize: (raw) => path.resolve(raw), checkAtRunTime: usableDirectory,
  }),
]);

const REPLICATION = section('Replication', [
  text('replicaof', '', honoured('At start the server replicates this master once its data is loaded; REPLICAOF changes it, so CONFIG REWRITE keeps the role.'), { alias: 'slaveof', immutable: true, multiArg: true, rewrite: 'words', validate: validateReplicaOf, normalize: normalizeReplicaOf }),
  text('masterauth', '', honoured(), { sensitive: true }),
  text('masteruser', '', honoured(), { sensitive: true }),
  bool('replica-serve-stale-data', 'yes', honoured(), { alias: 'slave-serve-stale-data' }),
  bool('replica-read-only', 'yes', honoured(), { alias: 'slave-read-only' }),
  bool('repl-diskless-sync', 'yes', honoured()),
  int('repl-diskless-sync-delay', 5n, 0n, INT_MAX, honoured()),
  int('repl-diskless-sync-max-replicas', 0n, 0n, INT_MAX, honoured()),
  oneOf('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb'], honoured('swapdb and on-empty-db parse the snapshot as it arrives into databases aside that take the place of the server\'s in one step; disabled writes it to a file and loads that, and on a replica holding no key also parses it as it arrives (the transfer never waits for the parser), so that less of the load is left for after the transfer.'), { denyLoading: true }),
  int('repl-ping-replica-period', 10n, 1n, INT_MAX, honoured(), { alias: 'repl-ping-slave-period' }),
  int('repl-timeout', 60n, 1n, INT_MAX, honoured()),
  bool('repl-disable-tcp-nodelay', 'no', NOT_USED),
  memory('repl-backlog-size', MB, 1n, LONG_MAX, honoured(), { runTimeMin: 16384n }),
  int('repl-backlog-ttl', 3600n, 0n, LONG_MAX, honoured()),
  int('replica-priority', 100n, 0n, INT_MAX, honoured('Reported in INFO (slave_priority) for Sentinel.'), { alias: 'slave-priority' }),
  bool('replica-announced', 'yes', honoured('Reported in INFO for Sentinel.')),
  int('min-replicas-to-write', 0n, 0n, INT_MAX, MIN_REPLICAS, { alias: 'min-slaves-to-write' }),
  int('min-replicas-max-lag', 10n, 0n, INT_MAX, MIN_REPLICAS, { alias: 'min-slaves-max-lag' }),
  text('replica-announce-ip', '', honoured(), { alias: 'slave-announce-ip' }),
  int('replica-announce-port', 0n, 0n, 65535n, honoured(), { alias: 'slave-announce-port' }),
  bool('replica-lazy-flush', 'no', NO_LAZYFREE, { alias: 'slave-lazy-flush' }),
  bool('replica-ignore-maxmemory', 'yes', honoured(), { alias: 'slave-ignore-maxmemory' }),
  bool('replica-ignore-disk-write-errors', 'no', NOT_USED),
  oneOf('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas'], honoured('A command that fails as the AOF is replayed, or from the master on a read-only replica, is logged as Redis logs it (== CRITICAL ==; the latest backlog after a master\'s) and counted in INFO unexpected_error_replies; with panic (both) or panic-on-replicas (the replica only), the server then writes Redis\'s bug-report lines and stops with status 1, without a final save.')),
  // Sluice's own: the RDB version of snapshots for replicas (RdbFiles.replicaOptions).
  int('repl-rdb-version', 11n, 10n, 11n, honoured("Sluice's own: the RDB version of the snapshots a full sync sends replicas, 10 for Redis 7.0 (sets and streams in 7.0's encodings) or 11 for 7.2; a key that version cannot hold (a hash with field TTLs) fails the sync, logged, rather than be left out."), { sluiceOnly: true }),
]);

const SECURITY = section('Security', [
  text('requirepass', '', honoured('Sets the default user\'s one password (nopass when empty), as Redis; ACL SETUSER default can change it afterwards.'), { sensitive: true, rewrite: 'unset-when-empty' }),
  text('aclfile', '', honoured('Users are loaded from it at start and by ACL LOAD, written by ACL SAVE; a relative path is found from dir, as Redis, which works in its dir.'), { immutable: true }),
  int('acllog-max-len', 128n, 0n, LONG_MAX, honoured('How many entries ACL LOG keeps.')),
  oneOf('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels'], honoured('The channels a new user or selector starts with.')),
]);

const CLIENTS = section('Clients', [
  int('maxclients', 10000n, 1n, UINT_MAX, honoured('Connections beyond it are refused with Redis\'s error.'), { unsigned: true }),
  int('tracking-table-max-keys', 1000000n, 0n, LONG_MAX, honoured('Past it, the longest-tracked keys are invalidated first (Redis picks them at random).'), { unsigned: true }),
]);

const MEMORY = section('Memory management', [
  memory('maxmemory', 0n, 0n, ULONG_LONG_MAX, partial("Compared with Sluice's own measure of used memory (docs/memory.md): the heap at start, the keys and values by their estimates, client buffers."), { unsigned: true }),
  oneOf('maxmemory-policy', 'noeviction', [
    'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction',
  ], partial('Every policy, with Redis\'s pool; under allkeys-lru and allkeys-lfu the samples are the next keys of a walk round the dictionary rather than random draws (docs/memory.md). Keys carry the LFU counter under an LFU policy and the LRU clock under every other, as Redis.')),
  int('maxmemory-samples', 5n, 1n, INT_MAX, honoured()),
  int('maxmemory-eviction-tenacity', 10n, 0n, 100n, honoured()),
  memory('maxmemory-clients', 0n, -100n, LONG_MAX, partial('Client buffers are summed and the largest evicted by the cron (hz times a second), not after every command.'), { percent: true }),
  int('lfu-log-factor', 10n, 0n, INT_MAX, honoured()),
  int('lfu-decay-time', 1n, 0n, INT_MAX, honoured()),
  int('active-expire-effort', 1n, 1n, 10n, none('Active expiry works in fixed slices of about a millisecond.')),
]);

const LAZY_FREEING = section('Lazy freeing', [
  bool('lazyfree-lazy-eviction', 'no', partial('Evictions propagate as UNLINK rather than DEL; the memory is freed by the garbage collector either way.')),
  bool('lazyfree-lazy-expire', 'no', NO_LAZYFREE),
  bool('lazyfree-lazy-server-del', 'no', NO_LAZYFREE),
  bool('lazyfree-lazy-user-del', 'no', NO_LAZYFREE),
  bool('lazyfree-lazy-user-flush', 'no', NO_LAZYFREE),
]);

const THREADS_AND_KERNEL = section('Threads, kernel and allocator', [
  int('io-threads', 1n, 1n, 128n, none('Sluice serves every client on one thread.'), { immutable: true }),
  bool('io-threads-do-reads', 'no', none('Sluice serves every client on one thread.'), { immutable: true }),
  oneOf('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute'], honoured("Sets the process's /proc/self/oom_score_adj (Linux), as Redis does."), { synonyms: { relative: 'yes' } }),
  text('oom-score-adj-values', '0 200 800', honoured('The master\'s and the replica\'s values; the third, a background child\'s, is unused: Sluice forks none.'), {
    multiArg: true, rewrite: 'bare', validate: validateOomScoreAdjValues, normalize: normalizeOomScoreAdjValues,
  }),
  bool('disable-thp', 'yes', NO_ALLOCATOR, { immutable: true }),
  bool('jemalloc-bg-thread', 'yes', NO_ALLOCATOR),
  bool('activedefrag', 'no', NO_ALLOCATOR),
  memory('active-defrag-ignore-bytes', 100n * MB, 1n, LONG_MAX, NO_ALLOCATOR, { unsigned: true }),
  int('active-defrag-threshold-lower', 10n, 0n, 1000n, NO_ALLOCATOR),
  int('active-defrag-threshold-upper', 100n, 0n, 1000n, NO_ALLOCATOR),
  int('active-defrag-cycle-min', 1n, 1n, 99n, NO_ALLOCATOR),
  int('active-defrag-cycle-max', 25n, 1n, 99n, NO_ALLOCATOR),
  int('active-defrag-max-scan-fields', 1000n, 1n, LONG_MAX, NO_ALLOCATOR),
  bool('activerehashing', 'yes', none("Sluice's hash tables are V8's, which rehash on their own.")),
  text('server_cpulist', '', none('Sluice sets no CPU affinity.'), { immutable: true }),
  text('bio_cpulist', '', none('Sluice sets no CPU affinity.'), { immutable: true }),
  text('aof_rewrite_cpulist', '', none('Sluice sets no CPU affinity.'), { immutable: true }),
  text('bgsave_cpulist', '', none('Sluice sets no CPU affinity.'), { immutable: true }),
]);

/**
 * AOF persistence (src/persistence), with Redis's defaults.
 * The CLI turns appendonly on unless told otherwise (see src/main/cli.ts).
 */
const AOF = section('Append only mode', [
  bool('appendonly', 'no', honoured('sluice-server turns it on unless told otherwise (an embedded server keeps the default).'), { denyLoading: true }),
  text('appendfilename', 'appendonly.aof', honoured(), { immutable: true, validate: baseName('appendfilename', 'filename') }),
  text('appenddirname', 'appendonlydir', honoured(), { immutable: true, validate: baseName('appenddirname', 'dirname') }),
  oneOf('appendfsync', 'everysec', ['everysec', 'always', 'no'], honoured()),
  bool('no-appendfsync-on-rewrite', 'no', none('The rewrite writes a new base file while appends go on being synced as appendfsync says.')),
  int('auto-aof-rewrite-percentage', 100n, 0n, INT_MAX, honoured()),
  memory('auto-aof-rewrite-min-size', 64n * MB, 0n, LONG_MAX, honoured()),
  bool('aof-load-truncated', 'yes', honoured()),
  bool('aof-use-rdb-preamble', 'yes', honoured('The rewrite\'s base is an RDB snapshot (`….base.rdb`) written as BGSAVE writes one, or with no, commands (`….base.aof`); a base in either form loads.')),
  bool('aof-timestamp-enabled', 'no', honoured()),
  bool('aof-rewrite-incremental-fsync', 'yes', none('The rewrite syncs its file once, at the end.')),
  bool('rdb-save-incremental-fsync', 'yes', NO_BGSAVE_TUNING),
  bool('aof-disable-auto-gc', 'no', honoured('yes keeps the files a rewrite replaced, listed as history in the manifest; no deletes them (those kept meanwhile at once).'), { hidden: true }),
]);

const SHUTDOWN = section('Shutdown', [
  int('shutdown-timeout', 10n, 0n, INT_MAX, honoured()),
  text('shutdown-on-sigint', 'default', honoured('How a SIGINT shuts down, as SHUTDOWN\'s flags.'), {
    multiArg: true, rewrite: 'bare', validate: validateShutdownFlags, normalize: normalizeShutdownFlags,
  }),
  text('shutdown-on-sigterm', 'default', honoured('How a SIGTERM shuts down, as SHUTDOWN\'s flags.'), {
    multiArg: true, rewrite: 'bare', validate: validateShutdownFlags, normalize: normalizeShutdownFlags,
  }),
]);

const CLUSTER = section('Cluster', [
  bool('cluster-enabled', 'no', honoured('A cluster node: nodes.conf, the bus on cluster-port, the CLUSTER command, replica elections and CLUSTER FAILOVER, PUBLISH and SPUBLISH across nodes; REPLICAOF, SELECT of another db and SWAPDB are refused. Key redirections are the routing\'s.'), { immutable: true }),
  text('cluster-config-file', 'nodes.conf', honoured('Read at start (created when missing), in dir; saved on every change, and fsynced with its directory for the changes Redis fsyncs (epochs, roles, slots taken by consensus); held with a lock file (nodes.conf.lock) naming the owning process.'), { immutable: true }),
  int('cluster-node-timeout', 15000n, 0n, LONG_MAX, honoured('A node that has not answered a ping for this long is PFAIL; a majority of masters make it FAIL.')),
  int('cluster-port', 0n, 0n, 65535n, honoured('0: port + 10000.'), { immutable: true }),
  int('cluster-replica-validity-factor', 10n, 0n, INT_MAX, honoured('A replica whose data is older than this many node timeouts (plus repl-ping-replica-period) does not stand for election; 0: any.'), { alias: 'cluster-slave-validity-factor' }),
  int('cluster-migration-barrier', 1n, 0n, INT_MAX, honoured('A replica migrates to an orphaned master only if its own master is left with at least this many working replicas.')),
  bool('cluster-allow-replica-migration', 'yes', honoured('A replica of the master with the most working replicas (at least two) moves to a master left with none, after 5 seconds; a master that loses its last slot becomes a replica of the slot\'s new owner.')),
  bool('cluster-require-full-coverage', 'yes', honoured()),
  bool('cluster-replica-no-failover', 'no', honoured('The replica stands for election only by CLUSTER FAILOVER FORCE or TAKEOVER.'), { alias: 'cluster-slave-no-failover' }),
  bool('cluster-allow-reads-when-down', 'no', ROUTING),
  bool('cluster-allow-pubsubshard-when-down', 'yes', ROUTING),
  memory('cluster-link-sendbuf-limit', 0n, 0n, ULONG_LONG_MAX, honoured('A bus link holding more unsent bytes is closed and made again.'), { unsigned: true }),
  text('cluster-announce-hostname', '', honoured(), { validate: validateHostname }),
  text('cluster-announce-human-nodename', '', honoured(), { validate: validateNodename, since: '7.2' }),
  text('cluster-announce-ip', '', honoured()),
  int('cluster-announce-port', 0n, 0n, 65535n, honoured()),
  int('cluster-announce-bus-port', 0n, 0n, 65535n, honoured()),
  int('cluster-announce-tls-port', 0n, 0n, 65535n, honoured()),
  oneOf('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint'], honoured()),
  int('cluster-ping-interval', 0n, 0n, LONG_MAX, honoured('0: half of cluster-node-timeout.'), { hidden: true, since: '7.2' }),
]);

const MONITORING = section('Monitoring', [
  int('busy-reply-threshold', 5000n, 0n, LONG_MAX, honoured('How long a script runs before other clients are answered -BUSY.'), { alias: 'lua-time-limit' }),
  int('slowlog-log-slower-than', 10000n, -1n, LONG_MAX, honoured()),
  int('slowlog-max-len', 128n, 0n, LONG_MAX, honoured()),
  int('latency-monitor-threshold', 0n, 0n, LONG_MAX, honoured('Commands, and the expiry, eviction and AOF steps, that take at least this many ms are recorded as latency events (LATENCY LATEST, HISTORY, GRAPH, DOCTOR; 0: off).')),
  bool('latency-tracking', 'yes', honoured('Every command call is counted in its latency distribution (LATENCY HISTOGRAM, INFO latencystats).')),
  text('latency-tracking-info-percentiles', '50 99 99.9', honoured('The percentiles INFO latencystats reports for each command.'), {
    multiArg: true, rewrite: 'bare', validate: validatePercentiles, normalize: normalizePercentiles,
  }),
  {
    ...text('notify-keyspace-events', '', honoured()),
    validate: (raw) => (parseEventFlags(raw) === null ? INVALID_EVENT_CLASS : null),
    normalize: storedEventFlags, display: displayedEventFlags,
  },
  // Sluice's own: the Prometheus endpoint (0 = off).
  int('metrics-port', 0n, 0n, 65535n, honoured("Sluice's own: the port of the Prometheus endpoint (0: off); CONFIG SET opens it on the new port, or closes it."), { sluiceOnly: true }),
  // Sluice's own: the streams and lists /metrics reports one by one.
  text('metrics-keys', '', honoured("Sluice's own: glob patterns, separated by spaces, of the streams and lists whose lengths (and each stream group's pending entries, lag and consumers) /metrics reports, at most 500 keys; the cron finds them with a scan of 1000 keys a tick."), { sluiceOnly: true }),
  // Sluice's own: the browser console (0 = off).
  int('console-port', 0n, 0n, 65535n, honoured("Sluice's own: the port of the browser console (0: off), served on the bind addresses, over HTTPS when tls-port is set; CONFIG SET opens it on the new port, or closes it."), { sluiceOnly: true }),
]);

/** Parameters that tune the compact encodings: the hash, set, sorted-set and stream ones shape Sluice's values as they shape Redis's; the list ones are stored and reported only. */
const ENCODINGS = section('Advanced config', [
  int('hash-max-listpack-entries', 512n, 0n, LONG_MAX, honoured(), { alias: 'hash-max-ziplist-entries', unsigned: true }),
  memory('hash-max-listpack-value', 64n, 0n, LONG_MAX, honoured(), { alias: 'hash-max-ziplist-value', unsigned: true }),
  int('list-max-listpack-size', -2n, INT_MIN, INT_MAX,
    honoured('Sets where a list turns from a listpack into a quicklist and back (OBJECT ENCODING) and the quicklist nodes of lists in RDB files and DUMP payloads; the chunks Sluice keeps a list in are its own.'),
    { alias: 'list-max-ziplist-size' }),
  int('list-compress-depth', 0n, 0n, INT_MAX, none("Sluice's lists are not compressed.")),
  int('set-max-intset-entries', 512n, 0n, LONG_MAX, honoured(), { unsigned: true }),
  int('set-max-listpack-entries', 128n, 0n, LONG_MAX, honoured(), { unsigned: true, since: '7.2' }),
  int('set-max-listpack-value', 64n, 0n, LONG_MAX, honoured(), { unsigned: true, since: '7.2' }),
  int('zset-max-listpack-entries', 128n, 0n, LONG_MAX, honoured(), { alias: 'zset-max-ziplist-entries', unsigned: true }),
  memory('zset-max-listpack-value', 64n, 0n, LONG_MAX, honoured(), { alias: 'zset-max-ziplist-value', unsigned: true }),
  memory('hll-sparse-max-bytes', 3000n, 0n, LONG_MAX, honoured(), { unsigned: true }),
  memory('stream-node-max-bytes', 4096n, 0n, LONG_MAX, honoured(), { unsigned: true }),
  int('stream-node-max-entries', 100n, 0n, LONG_MAX, honoured()),
  // Only the classes named change; CONFIG REWRITE writes the whole value on one line.
  text('client-output-buffer-limit', OUTPUT_LIMIT_DEFAULT, honoured('Every class is enforced; a replica counts the stream it has not read yet (while it synchronises, the stream held for it; the snapshot itself does not count), and its hard limit, where below repl-backlog-size, counts as the backlog\'s size, as in Redis. A client past its soft limit for its seconds is closed by the cron even when nothing more is sent to it.'), {
    multiArg: true, rewrite: 'output-limits', validate: validateOutputLimits, normalize: mergeOutputLimits,
  }),
  memory('client-query-buffer-limit', 1024n * MB, MB, LONG_MAX, honoured(), { unsigned: true }),
  memory('proto-max-bulk-len', 512n * MB, MB, LONG_MAX, honoured()),
  // Redis takes any non-negative hz and holds it within 1..500.
  int('hz', 10n, 0n, INT_MAX, honoured('How often the cron runs (active expiry, idle timeouts).'), { clamp: [1n, 500n] }),
  bool('dynamic-hz', 'yes', none('The cron runs at hz whatever the number of clients.')),
]);

/** Redis's test-only knobs: hidden from CONFIG GET's patterns. */
const DEBUGGING = section('Debugging', [
  bool('use-exit-on-panic', 'no', NOT_USED, { hidden: true }),
  int('rdb-key-save-delay', 0n, INT_MIN, INT_MAX, partial('Redis\'s testing aid that slows a save down: a BGSAVE or AOF rewrite rests that many microseconds after each key (clients are served meanwhile); SAVE, and a negative value, are not slowed.'), { hidden: true }),
  int('key-load-delay', 0n, INT_MIN, INT_MAX, honoured('Each key of an RDB file (or RDB base) that loads, and each command of an AOF, waits that many microseconds (a negative -N: one microsecond about every N), Redis\'s testing aid.'), { hidden: true }),
  int('watchdog-period', 0n, 0n, INT_MAX, none('Sluice has no software watchdog.'), { hidden: true }),
  int('loading-process-events-interval-bytes', 2n * MB, 1024n, INT_MAX, partial('An RDB file or RDB base loading at start lets clients in at least every that many bytes, and at least every few milliseconds; AOF commands replay in slices of a few milliseconds whatever it says. A replica holding no key parses a disk-transferred snapshot as it arrives: a rest of at most this many bytes (and at most 4 MB) when the transfer ends is parsed with clients waiting, as Redis loads the file, a longer one with -LOADING meanwhile.'), { hidden: true }),
]);

export const PARAMETERS: readonly ParamDef[] = [
  ...NETWORK, ...TLS, ...GENERAL, ...SNAPSHOTTING, ...REPLICATION, ...SECURITY, ...CLIENTS, ...MEMORY,
  ...LAZY_FREEING, ...THREADS_AND_KERNEL, ...AOF, ...SHUTDOWN, ...CLUSTER, ...MONITORING, ...ENCODINGS, ...DEBUGGING,
];

/** Config-file directives Redis once had and still skips silently, with the argument counts it accepts. */
export const DEPRECATED_DIRECTIVES: ReadonlyMap<string, number> = new Map([
  ['list-max-ziplist-entries', 1],
  ['list-max-ziplist-value', 1],
  ['lua-replicate-commands', 1],
]);
