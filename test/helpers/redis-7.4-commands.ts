/**
 * COMMAND INFO (RESP2) and COMMAND DOCS (RESP3) of the Redis 7.4 commands
 * Sluice implements, which neither oracle (7.0, 7.2) has: hash field
 * expiration. Recorded from a redis-server 7.4.1 built from the mirror
 * (its replies come from src/commands/*.json), in command.test.ts's plain
 * form: bulk strings as strings, simple strings as { simple }, RESP3 sets
 * as { set }, maps as objects in Redis's field order.
 */
export const REDIS_7_4_COMMANDS: Record<string, { info: unknown; docs: unknown }> = {
  hexpire: {
    info: ['hexpire', -6, [{simple: 'write'}, {simple: 'denyoom'}, {simple: 'fast'}], 1, 1, 1, [{simple: '@write'}, {simple: '@hash'}, {simple: '@fast'}], [], [['flags', [{simple: 'RW'}, {simple: 'update'}], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]], []],
    docs: {
      summary: 'Set expiry for hash field using relative time to expire (seconds)',
      since: '7.4.0',
      group: 'hash',
      complexity: 'O(N) where N is the number of specified fields',
      arguments: [
        {name: 'key', type: 'key', display_text: 'key', key_spec_index: 0},
        {name: 'seconds', type: 'integer', display_text: 'seconds'},
        {name: 'condition', type: 'oneof', flags: {set: [{simple: 'optional'}]}, arguments: [{name: 'nx', type: 'pure-token', display_text: 'nx', token: 'NX'}, {name: 'xx', type: 'pure-token', display_text: 'xx', token: 'XX'}, {name: 'gt', type: 'pure-token', display_text: 'gt', token: 'GT'}, {name: 'lt', type: 'pure-token', display_text: 'lt', token: 'LT'}]},
        {name: 'fields', type: 'block', token: 'FIELDS', arguments: [{name: 'numfields', type: 'integer', display_text: 'numfields'}, {name: 'field', type: 'string', display_text: 'field', flags: {set: [{simple: 'multiple'}]}}]},
      ],
    },
  },
  hexpireat: {
    info: ['hexpireat', -6, [{simple: 'write'}, {simple: 'denyoom'}, {simple: 'fast'}], 1, 1, 1, [{simple: '@write'}, {simple: '@hash'}, {simple: '@fast'}], [], [['flags', [{simple: 'RW'}, {simple: 'update'}], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]], []],
    docs: {
      summary: 'Set expiry for hash field using an absolute Unix timestamp (seconds)',
      since: '7.4.0',
      group: 'hash',
      complexity: 'O(N) where N is the number of specified fields',
      arguments: [
        {name: 'key', type: 'key', display_text: 'key', key_spec_index: 0},
        {name: 'unix-time-seconds', type: 'unix-time', display_text: 'unix-time-seconds'},
        {name: 'condition', type: 'oneof', flags: {set: [{simple: 'optional'}]}, arguments: [{name: 'nx', type: 'pure-token', display_text: 'nx', token: 'NX'}, {name: 'xx', type: 'pure-token', display_text: 'xx', token: 'XX'}, {name: 'gt', type: 'pure-token', display_text: 'gt', token: 'GT'}, {name: 'lt', type: 'pure-token', display_text: 'lt', token: 'LT'}]},
        {name: 'fields', type: 'block', token: 'FIELDS', arguments: [{name: 'numfields', type: 'integer', display_text: 'numfields'}, {name: 'field', type: 'string', display_text: 'field', flags: {set: [{simple: 'multiple'}]}}]},
      ],
    },
  },
  hexpiretime: {
    info: ['hexpiretime', -5, [{simple: 'readonly'}, {simple: 'fast'}], 1, 1, 1, [{simple: '@read'}, {simple: '@hash'}, {simple: '@fast'}], [], [['flags', [{simple: 'RO'}, {simple: 'access'}], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]], []],
    docs: {
      summary: 'Returns the expiration time of a hash field as a Unix timestamp, in seconds.',
      since: '7.4.0',
      group: 'hash',
      complexity: 'O(N) where N is the number of specified fields',
      arguments: [
        {name: 'key', type: 'key', display_text: 'key', key_spec_index: 0},
        {name: 'fields', type: 'block', token: 'FIELDS', arguments: [{name: 'numfields', type: 'integer', display_text: 'numfields'}, {name: 'field', type: 'string', display_text: 'field', flags: {set: [{simple: 'multiple'}]}}]},
      ],
    },
  },
  hpersist: {
    info: ['hpersist', -5, [{simple: 'write'}, {simple: 'fast'}], 1, 1, 1, [{simple: '@write'}, {simple: '@hash'}, {simple: '@fast'}], [], [['flags', [{simple: 'RW'}, {simple: 'update'}], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]], []],
    docs: {
      summary: 'Removes the expiration time for each specified field',
      since: '7.4.0',
      group: 'hash',
      complexity: 'O(N) where N is the number of specified fields',
      arguments: [
        {name: 'key', type: 'key', display_text: 'key', key_spec_index: 0},
        {name: 'fields', type: 'block', token: 'FIELDS', arguments: [{name: 'numfields', type: 'integer', display_text: 'numfields'}, {name: 'field', type: 'string', display_text: 'field', flags: {set: [{simple: 'multiple'}]}}]},
      ],
    },
  },
  hpexpire: {
    info: ['hpexpire', -6, [{simple: 'write'}, {simple: 'denyoom'}, {simple: 'fast'}], 1, 1, 1, [{simple: '@write'}, {simple: '@hash'}, {simple: '@fast'}], [], [['flags', [{simple: 'RW'}, {simple: 'update'}], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]], []],
    docs: {
      summary: 'Set expiry for hash field using relative time to expire (milliseconds)',
      since: '7.4.0',
      group: 'hash',
      complexity: 'O(N) where N is the number of specified fields',
      arguments: [
        {name: 'key', type: 'key', display_text: 'key', key_spec_index: 0},
        {name: 'milliseconds', type: 'integer', display_text: 'milliseconds'},
        {name: 'condition', type: 'oneof', flags: {set: [{simple: 'optional'}]}, arguments: [{name: 'nx', type: 'pure-token', display_text: 'nx', token: 'NX'}, {name: 'xx', type: 'pure-token', display_text: 'xx', token: 'XX'}, {name: 'gt', type: 'pure-token', display_text: 'gt', token: 'GT'}, {name: 'lt', type: 'pure-token', display_text: 'lt', token: 'LT'}]},
        {name: 'fields', type: 'block', token: 'FIELDS', arguments: [{name: 'numfields', type: 'integer', display_text: 'numfields'}, {name: 'field', type: 'string', display_text: 'field', flags: {set: [{simple: 'multiple'}]}}]},
      ],
    },
  },
  hpexpireat: {
    info: ['hpexpireat', -6, [{simple: 'write'}, {simple: 'denyoom'}, {simple: 'fast'}], 1, 1, 1, [{simple: '@write'}, {simple: '@hash'}, {simple: '@fast'}], [], [['flags', [{simple: 'RW'}, {simple: 'update'}], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]], []],
    docs: {
      summary: 'Set expiry for hash field using an absolute Unix timestamp (milliseconds)',
      since: '7.4.0',
      group: 'hash',
      complexity: 'O(N) where N is the number of specified fields',
      arguments: [
        {name: 'key', type: 'key', display_text: 'key', key_spec_index: 0},
        {name: 'unix-time-milliseconds', type: 'unix-time', display_text: 'unix-time-milliseconds'},
        {name: 'condition', type: 'oneof', flags: {set: [{simple: 'optional'}]}, arguments: [{name: 'nx', type: 'pure-token', display_text: 'nx', token: 'NX'}, {name: 'xx', type: 'pure-token', display_text: 'xx', token: 'XX'}, {name: 'gt', type: 'pure-token', display_text: 'gt', token: 'GT'}, {name: 'lt', type: 'pure-token', display_text: 'lt', token: 'LT'}]},
        {name: 'fields', type: 'block', token: 'FIELDS', arguments: [{name: 'numfields', type: 'integer', display_text: 'numfields'}, {name: 'field', type: 'string', display_text: 'field', flags: {set: [{simple: 'multiple'}]}}]},
      ],
    },
  },
  hpexpiretime: {
    info: ['hpexpiretime', -5, [{simple: 'readonly'}, {simple: 'fast'}], 1, 1, 1, [{simple: '@read'}, {simple: '@hash'}, {simple: '@fast'}], [], [['flags', [{simple: 'RO'}, {simple: 'access'}], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]], []],
    docs: {
      summary: 'Returns the expiration time of a hash field as a Unix timestamp, in msec.',
      since: '7.4.0',
      group: 'hash',
      complexity: 'O(N) where N is the number of specified fields',
      arguments: [
        {name: 'key', type: 'key', display_text: 'key', key_spec_index: 0},
        {name: 'fields', type: 'block', token: 'FIELDS', arguments: [{name: 'numfields', type: 'integer', display_text: 'numfields'}, {name: 'field', type: 'string', display_text: 'field', flags: {set: [{simple: 'multiple'}]}}]},
      ],
    },
  },
  hpttl: {
    info: ['hpttl', -5, [{simple: 'readonly'}, {simple: 'fast'}], 1, 1, 1, [{simple: '@read'}, {simple: '@hash'}, {simple: '@fast'}], [], [['flags', [{simple: 'RO'}, {simple: 'access'}], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]], []],
    docs: {
      summary: 'Returns the TTL in milliseconds of a hash field.',
      since: '7.4.0',
      group: 'hash',
      complexity: 'O(N) where N is the number of specified fields',
      arguments: [
        {name: 'key', type: 'key', display_text: 'key', key_spec_index: 0},
        {name: 'fields', type: 'block', token: 'FIELDS', arguments: [{name: 'numfields', type: 'integer', display_text: 'numfields'}, {name: 'field', type: 'string', display_text: 'field', flags: {set: [{simple: 'multiple'}]}}]},
      ],
    },
  },
  httl: {
    info: ['httl', -5, [{simple: 'readonly'}, {simple: 'fast'}], 1, 1, 1, [{simple: '@read'}, {simple: '@hash'}, {simple: '@fast'}], [], [['flags', [{simple: 'RO'}, {simple: 'access'}], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]], []],
    docs: {
      summary: 'Returns the TTL in seconds of a hash field.',
      since: '7.4.0',
      group: 'hash',
      complexity: 'O(N) where N is the number of specified fields',
      arguments: [
        {name: 'key', type: 'key', display_text: 'key', key_spec_index: 0},
        {name: 'fields', type: 'block', token: 'FIELDS', arguments: [{name: 'numfields', type: 'integer', display_text: 'numfields'}, {name: 'field', type: 'string', display_text: 'field', flags: {set: [{simple: 'multiple'}]}}]},
      ],
    },
  },
};
