/**
 * What Redis 7.2 changed in COMMAND's replies for the commands Sluice
 * implements. Sluice follows 7.2; CI's redis-server is Debian's 7.0.15, so
 * test/command.test.ts applies these to 7.0's replies before comparing, and
 * checks that each still changes something. Every value was read from a
 * real redis-server 7.2.6; run the test with 7.2 first on the PATH and none
 * of this applies.
 */

import { REDIS_7_4_COMMANDS } from './redis-7.4-commands.js';

/** Commands 7.0 does not have. */
export const NEW_IN_7_2_OR_LATER = new Set<string>(['client|no-touch', 'client|setinfo', 'waitaof']);

/**
 * Commands of Redis 7.4 (hash field expiration), which neither 7.0 nor 7.2
 * has: command.test.ts compares them with 7.4.1's recorded replies instead
 * of the oracle's (see redis-7.4-commands.ts).
 */
export const NEW_IN_7_4 = new Set<string>(Object.keys(REDIS_7_4_COMMANDS));

/** COMMAND INFO fields whose 7.2 value differs from 7.0's: full name → field → 7.2's value. */
export const INFO_CHANGED_IN_7_2: Record<string, { arity?: number; flags?: string[]; tips?: string[] }> = {
  'command|getkeys': { arity: -3 },
  'command|getkeysandflags': { arity: -3 },
  // Redis 7.2 dropped noscript from the blocking commands: scripts run them as non-blocking (redis#11568).
  blpop: { flags: ['write', 'blocking'] },
  brpop: { flags: ['write', 'blocking'] },
  blmove: { flags: ['write', 'denyoom', 'blocking'] },
  brpoplpush: { flags: ['write', 'denyoom', 'blocking'] },
  wait: { flags: [] },
  'client|setname': { tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] },
  'config|resetstat': { tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] },
  'config|rewrite': { tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] },
  msetnx: { tips: [] },
  randomkey: { tips: ['request_policy:all_shards', 'response_policy:special', 'nondeterministic_output'] },
  scan: { tips: ['nondeterministic_output', 'request_policy:special', 'response_policy:special'] },
};

/** 7.2 rewrote the summaries: full name → 7.2's (the two left out did not change). */
export const SUMMARY_7_2: Record<string, string> = {
  append: "Appends a string to the value of a key. Creates the key if it doesn't exist.",
  auth: 'Authenticates the connection.',
  bgrewriteaof: 'Asynchronously rewrites the append-only file to disk.',
  blmove: 'Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.',
  blmpop: 'Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
  blpop: 'Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
  brpop: 'Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
  brpoplpush: 'Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.',
  client: 'A container for client connection commands.',
  'client|getname': 'Returns the name of the connection.',
  'client|help': 'Returns helpful text about the different subcommands.',
  'client|id': 'Returns the unique client ID of the connection.',
  'client|info': 'Returns information about the connection.',
  'client|kill': 'Terminates open connections.',
  'client|list': 'Lists open connections.',
  'client|no-evict': 'Sets the client eviction mode of the connection.',
  'client|pause': 'Suspends commands processing.',
  'client|reply': 'Instructs the server whether to reply to commands.',
  'client|setname': 'Sets the connection name.',
  'client|unblock': 'Unblocks a client blocked by a blocking command from a different connection.',
  'client|unpause': 'Resumes processing commands from paused clients.',
  command: 'Returns detailed information about all commands.',
  'command|count': 'Returns a count of commands.',
  'command|docs': 'Returns documentary information about one, multiple or all commands.',
  'command|getkeys': 'Extracts the key names from an arbitrary command.',
  'command|getkeysandflags': 'Extracts the key names and access flags for an arbitrary command.',
  'command|help': 'Returns helpful text about the different subcommands.',
  'command|info': 'Returns information about one, multiple or all commands.',
  'command|list': 'Returns a list of command names.',
  config: 'A container for server configuration commands.',
  'config|get': 'Returns the effective values of configuration parameters.',
  'config|help': 'Returns helpful text about the different subcommands.',
  'config|resetstat': "Resets the server's statistics.",
  'config|rewrite': 'Persists the effective configuration to file.',
  'config|set': 'Sets configuration parameters in-flight.',
  copy: 'Copies the value of a key to a new key.',
  dbsize: 'Returns the number of keys in the database.',
  debug: 'A container for debugging commands.',
  decr: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
  decrby: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
  del: 'Deletes one or more keys.',
  discard: 'Discards a transaction.',
  echo: 'Returns the given string.',
  exec: 'Executes all commands in a transaction.',
  exists: 'Determines whether one or more keys exist.',
  expire: 'Sets the expiration time of a key in seconds.',
  expireat: 'Sets the expiration time of a key to a Unix timestamp.',
  expiretime: 'Returns the expiration time of a key as a Unix timestamp.',
  flushall: 'Removes all keys from all databases.',
  flushdb: 'Remove all keys from the current database.',
  get: 'Returns the string value of a key.',
  getdel: 'Returns the string value of a key after deleting the key.',
  getex: 'Returns the string value of a key after setting its expiration time.',
  getrange: 'Returns a substring of the string stored at a key.',
  getset: 'Returns the previous string value of a key after setting it to a new value.',
  hdel: 'Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.',
  hello: 'Handshakes with the Redis server.',
  hexists: 'Determines whether a field exists in a hash.',
  hget: 'Returns the value of a field in a hash.',
  hgetall: 'Returns all fields and values in a hash.',
  hincrby: "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.",
  hincrbyfloat: "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.",
  hkeys: 'Returns all fields in a hash.',
  hlen: 'Returns the number of fields in a hash.',
  hmget: 'Returns the values of all fields in a hash.',
  hmset: 'Sets the values of multiple fields.',
  hrandfield: 'Returns one or more random fields from a hash.',
  hscan: 'Iterates over fields and values of a hash.',
  hset: 'Creates or modifies the value of a field in a hash.',
  hsetnx: "Sets the value of a field in a hash only when the field doesn't exist.",
  hstrlen: 'Returns the length of the value of a field.',
  hvals: 'Returns all values in a hash.',
  incr: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
  incrby: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
  incrbyfloat: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
  info: 'Returns information and statistics about the server.',
  keys: 'Returns all key names that match a pattern.',
  lastsave: 'Returns the Unix timestamp of the last successful save to disk.',
  lcs: 'Finds the longest common substring.',
  lindex: 'Returns an element from a list by its index.',
  linsert: 'Inserts an element before or after another element in a list.',
  llen: 'Returns the length of a list.',
  lmove: 'Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.',
  lmpop: 'Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.',
  lpop: 'Returns the first elements in a list after removing it. Deletes the list if the last element was popped.',
  lpos: 'Returns the index of matching elements in a list.',
  lpush: "Prepends one or more elements to a list. Creates the key if it doesn't exist.",
  lpushx: 'Prepends one or more elements to a list only when the list exists.',
  lrange: 'Returns a range of elements from a list.',
  lrem: 'Removes elements from a list. Deletes the list if the last element was removed.',
  lset: 'Sets the value of an element in a list by its index.',
  ltrim: 'Removes elements from both ends a list. Deletes the list if all elements were trimmed.',
  mget: 'Atomically returns the string values of one or more keys.',
  monitor: 'Listens for all requests received by the server in real-time.',
  move: 'Moves a key to another database.',
  mset: 'Atomically creates or modifies the string values of one or more keys.',
  msetnx: "Atomically modifies the string values of one or more keys only when all keys don't exist.",
  multi: 'Starts a transaction.',
  object: 'A container for object introspection commands.',
  'object|encoding': 'Returns the internal encoding of a Redis object.',
  'object|freq': 'Returns the logarithmic access frequency counter of a Redis object.',
  'object|help': 'Returns helpful text about the different subcommands.',
  'object|idletime': 'Returns the time since the last access to a Redis object.',
  'object|refcount': 'Returns the reference count of a value of a key.',
  persist: 'Removes the expiration time of a key.',
  pexpire: 'Sets the expiration time of a key in milliseconds.',
  pexpireat: 'Sets the expiration time of a key to a Unix milliseconds timestamp.',
  pexpiretime: 'Returns the expiration time of a key as a Unix milliseconds timestamp.',
  ping: "Returns the server's liveliness response.",
  psetex: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
  psubscribe: 'Listens for messages published to channels that match one or more patterns.',
  pttl: 'Returns the expiration time in milliseconds of a key.',
  publish: 'Posts a message to a channel.',
  pubsub: 'A container for Pub/Sub commands.',
  'pubsub|channels': 'Returns the active channels.',
  'pubsub|help': 'Returns helpful text about the different subcommands.',
  'pubsub|numpat': 'Returns a count of unique pattern subscriptions.',
  'pubsub|numsub': 'Returns a count of subscribers to channels.',
  'pubsub|shardchannels': 'Returns the active shard channels.',
  'pubsub|shardnumsub': 'Returns the count of subscribers of shard channels.',
  punsubscribe: 'Stops listening to messages published to channels that match one or more patterns.',
  quit: 'Closes the connection.',
  randomkey: 'Returns a random key name from the database.',
  rename: 'Renames a key and overwrites the destination.',
  renamenx: "Renames a key only when the target key name doesn't exist.",
  reset: 'Resets the connection.',
  rpop: 'Returns and removes the last elements of a list. Deletes the list if the last element was popped.',
  rpoplpush: 'Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.',
  rpush: "Appends one or more elements to a list. Creates the key if it doesn't exist.",
  rpushx: 'Appends an element to a list only when the list exists.',
  scan: 'Iterates over the key names in the database.',
  select: 'Changes the selected database.',
  set: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
  setex: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
  setnx: "Set the string value of a key only when the key doesn't exist.",
  setrange: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
  shutdown: 'Synchronously saves the database(s) to disk and shuts down the Redis server.',
  slowlog: 'A container for slow log commands.',
  'slowlog|get': "Returns the slow log's entries.",
  'slowlog|len': 'Returns the number of entries in the slow log.',
  'slowlog|reset': 'Clears all entries from the slow log.',
  ssubscribe: 'Listens for messages published to shard channels.',
  strlen: 'Returns the length of a string value.',
  subscribe: 'Listens for messages published to channels.',
  substr: 'Returns a substring from a string value.',
  sunsubscribe: 'Stops listening to messages posted to shard channels.',
  swapdb: 'Swaps two Redis databases.',
  time: 'Returns the server time.',
  touch: 'Returns the number of existing keys out of those specified after updating the time they were last accessed.',
  ttl: 'Returns the expiration time in seconds of a key.',
  type: 'Determines the type of value stored at a key.',
  unlink: 'Asynchronously deletes one or more keys.',
  unsubscribe: 'Stops listening to messages posted to channels.',
  unwatch: 'Forgets about watched keys of a transaction.',
  wait: 'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.',
  watch: 'Monitors changes to keys to determine the execution of a transaction.',
};

/** A set of simple strings, as COMMAND DOCS writes flags (see plainReply in command.test.ts). */
const simpleSet = (...v: string[]) => ({ set: v.map((simple) => ({ simple })) });
const pureToken = (token: string) => ({ name: token.toLowerCase(), type: 'pure-token', token });

/**
 * COMMAND DOCS changes beyond the summaries and display texts: full name →
 * path in the entry (argument indices under `arguments`) → 7.2's value, or
 * undefined where 7.2 has no such field.
 */
export const DOCS_CHANGED_IN_7_2: Record<string, Record<string, unknown>> = {
  quit: { doc_flags: simpleSet('deprecated'), deprecated_since: '7.2.0', replaced_by: 'just closing the connection' },
  setnx: { doc_flags: simpleSet('deprecated'), deprecated_since: '2.6.12', replaced_by: '`SET` with the `NX` argument' },
  setex: { doc_flags: simpleSet('deprecated'), deprecated_since: '2.6.12', replaced_by: '`SET` with the `EX` argument' },
  psetex: { doc_flags: simpleSet('deprecated'), deprecated_since: '2.6.12', replaced_by: '`SET` with the `PX` argument' },
  hello: { 'arguments.0.arguments.1.name': 'auth' },
  'client|unblock': { 'arguments.1.name': 'unblock-type' },
  'client|list': {
    'arguments.0.name': 'client-type',
    'arguments.1': { name: 'client-id', type: 'integer', token: 'ID', since: '6.2.0', flags: simpleSet('optional', 'multiple') },
  },
  'client|reply': { 'arguments.0.name': 'action' },
  'client|pause': { since: '3.0.0' },
  'client|kill': {
    'arguments.0.arguments.0.name': 'old-format',
    'arguments.0.arguments.0.display_text': 'ip:port',
    'arguments.0.arguments.1.arguments.1.name': 'client-type',
    'arguments.0.arguments.1.arguments.3.name': 'addr',
    'arguments.0.arguments.1.arguments.3.display_text': 'ip:port',
    'arguments.0.arguments.1.arguments.4.name': 'laddr',
    'arguments.0.arguments.1.arguments.4.display_text': 'ip:port',
    'arguments.0.arguments.1.arguments.5': {
      name: 'skipme', type: 'oneof', token: 'SKIPME', flags: simpleSet('optional'), arguments: [pureToken('YES'), pureToken('NO')],
    },
  },
  shutdown: { 'arguments.0.name': 'save-selector' },
  flushdb: { 'arguments.0.name': 'flush-type' },
  flushall: { 'arguments.0.name': 'flush-type' },
  mset: { 'arguments.0.name': 'data' },
  hset: { 'arguments.1.name': 'data' },
  hmset: { 'arguments.1.name': 'data' },
  hscan: {
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
  },
  msetnx: { 'arguments.0.name': 'data' },
  lcs: { 'arguments.4.name': 'min-match-len' },
  'config|get': { 'arguments.0': { name: 'parameter', type: 'string', flags: simpleSet('multiple') } },
  'config|set': { 'arguments.0.name': 'data' },
  'command|getkeys': {
    arguments: [{ name: 'command', type: 'string' }, { name: 'arg', type: 'string', flags: simpleSet('optional', 'multiple') }],
  },
  'command|getkeysandflags': {
    arguments: [{ name: 'command', type: 'string' }, { name: 'arg', type: 'string', flags: simpleSet('optional', 'multiple') }],
  },
  unsubscribe: { complexity: 'O(N) where N is the number of channels to unsubscribe.' },
  psubscribe: {
    complexity: 'O(N) where N is the number of patterns to subscribe to.',
    'arguments.0': { name: 'pattern', type: 'pattern', flags: simpleSet('multiple') },
  },
  punsubscribe: { complexity: 'O(N) where N is the number of patterns to unsubscribe.' },
  sunsubscribe: { complexity: 'O(N) where N is the number of shard channels to unsubscribe.' },
};

/** The order Redis writes COMMAND DOCS's fields in, so that a field 7.2 adds lands where 7.2 puts it. */
export const DOC_FIELD_ORDER = [
  'summary', 'since', 'group', 'complexity', 'module', 'doc_flags', 'deprecated_since', 'replaced_by', 'history',
  'arguments', 'subcommands',
];
export const ARG_FIELD_ORDER = [
  'name', 'type', 'display_text', 'key_spec_index', 'token', 'summary', 'since', 'deprecated_since', 'flags', 'arguments',
];
