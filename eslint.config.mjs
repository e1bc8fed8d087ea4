import tseslint from 'typescript-eslint';
import { allowedImports } from './scripts/lint/allowed-imports.mjs';

/**
 * The import rule of docs/architecture.md as a list of allowed edges:
 * each source folder and the folders it may import. Listed from the
 * bottom up; nothing may point back up, and a folder missing from the
 * list is an error, so a new one is placed here on purpose.
 */
const ELEMENTS = {
  // RESP bytes in and out, byte strings, the protocol's number text.
  protocol: [],
  // Byte formats with no server behind them: RDB values, CRC64, LZF, integer text.
  codecs: ['protocol'],
  // The database engine: key table, deadlines, memory meters, compact encodings.
  keyspace: ['protocol'],
  // The contract every command is written against: Ctx, CommandSpec, errors, replies.
  core: ['protocol', 'codecs', 'keyspace'],
  // The key-value types, each a family folder of value, access and commands.
  store: ['protocol', 'codecs', 'keyspace', 'core'],
  // Lists, streams and the blocking registry: peers of store/.
  queues: ['protocol', 'codecs', 'keyspace', 'core'],
  // SORT reads lists, sets and sorted sets, and SORT … STORE writes a list.
  'store/sort': ['protocol', 'codecs', 'keyspace', 'core', 'store', 'queues'],
  // Channels, patterns, keyspace notifications.
  broker: ['protocol', 'keyspace', 'core'],
  // EVAL, FUNCTION and the Lua engine.
  scripting: ['protocol', 'codecs', 'core'],
  // AOF, RDB, DUMP/RESTORE, MIGRATE.
  persistence: ['protocol', 'codecs', 'keyspace', 'core', 'store', 'queues', 'scripting'],
  // Master and replica: the replication stream, its backlog, the link to a master, snapshots for replicas.
  replication: ['protocol', 'codecs', 'keyspace', 'core', 'persistence'],
  // Redis Cluster: the bus's messages, the node table, the live state and the bus links (sockets and files through ClusterHost), and routing a command by its keys' slot (the key → slot rule is the keyspace's).
  cluster: ['protocol', 'keyspace', 'core'],
  // The browser console's page: runs in the browser, so it imports nothing of the server.
  'console/web': [],
  // The browser console's HTTP side: sessions, the JSON API, its commands run through a host the server provides.
  console: ['protocol', 'core', 'console/web'],
  // Connections, the dispatcher, config, ACL, INFO: the composition root.
  server: ['protocol', 'codecs', 'keyspace', 'core', 'store', 'store/sort', 'queues', 'broker', 'scripting', 'persistence', 'replication', 'cluster', 'console'],
  // The sluice-server process: command line, start-up, daemon.
  main: ['protocol', 'codecs', 'keyspace', 'core', 'store', 'queues', 'broker', 'scripting', 'persistence', 'replication', 'cluster', 'server'],
  // The sluice-server executable (src/cli.ts): enters main/.
  cli: ['main'],
  // The package's embedding API (src/index.ts).
  index: ['core', 'server'],
  // What the build bundles (src/bundle-entry.ts): the embedding API, the executable's main, and the process's command count for the bundle's loader.
  'bundle-entry': ['index', 'main', 'server'],
  // Ambient declarations.
  types: [],
};

/**
 * An accessor written in an object literal (`{ get x() {…} }`) leaves the object in V8's dictionary mode:
 * every property read is a hash lookup and none of its methods is inlined. Hosts add theirs with
 * core/accessors.ts instead; classes declare them as usual.
 */
const NO_LITERAL_ACCESSORS = {
  selector: "ObjectExpression > Property[kind='get'], ObjectExpression > Property[kind='set']",
  message: 'An accessor in an object literal puts the object in dictionary mode: use withAccessors (src/core/accessors.ts) or a class.',
};

export default [
  { ignores: ['dist/**', 'node_modules/**', 'data/**'] },
  {
    files: ['src/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { sluice: { rules: { 'allowed-imports': allowedImports } } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'prefer-rest-params': 'error',
      'no-restricted-syntax': ['error', NO_LITERAL_ACCESSORS],
      'sluice/allowed-imports': ['error', { root: 'src', elements: ELEMENTS }],
    },
  },
  {
    // Tests are parsed too, so that `eslint test/…` checks them instead of refusing them as unconfigured.
    files: ['test/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: { 'prefer-rest-params': 'error' },
  },
];
