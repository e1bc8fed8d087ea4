import { c, differential, fails, unordered } from '../helpers/differential.js';

/**
 * FUNCTION and FCALL against redis-server. Every case starts with FUNCTION
 * FLUSH, since FLUSHALL leaves libraries in place. Redis lists libraries in
 * its hash order, so lists of several libraries compare unordered.
 */

const lib = (name: string, body: string) => `#!lua name=${name}\n${body}`;
const load = (...args: string[]) => ['FUNCTION', 'LOAD', ...args];
const fn = (name: string, body: string) => `redis.register_function('${name}', function(keys, args) ${body} end)`;
const flush = c('FUNCTION', 'FLUSH');
/** FUNCTION LOAD REPLACE of library L with `body`, to see the error it raises. */
const loadL = (body: string) => fails(...load('REPLACE', lib('L', body)));

differential('FUNCTION LOAD', {
  'returns the library name; an existing library fails without REPLACE and is replaced with it': [
    flush,
    c(...load(lib('lib1', fn('f1', 'return 1')))),
    fails(...load(lib('lib1', fn('f1', 'return 1')))),
    c(...load('REPLACE', lib('lib1', fn('f1', 'return 2')))),
    c('FCALL', 'f1', '0'),
    c(...load('replace', 'REPLACE', lib('lib1', fn('f1', 'return 3')))),
    c('FCALL', 'f1', '0'),
  ],
  'function names are case-insensitive across libraries; a failed REPLACE keeps the old library': [
    flush,
    c(...load(lib('a', fn('myfunc', 'return "a"')))),
    fails(...load(lib('b', fn('MyFunc', 'return "b"')))),
    c(...load(lib('b', fn('other', 'return "b"')))),
    fails(...load('REPLACE', lib('b', fn('MYFUNC', 'return "b2"')))),
    c('FCALL', 'other', '0'),
    c('FCALL', 'MYFUNC', '0'),
    fails(...load('REPLACE', lib('b', 'return 1'))),
    c('FCALL', 'other', '0'),
  ],
  'options before the code: only REPLACE': [
    flush,
    fails(...load('foo', lib('a', fn('f', 'return 1')))),
    fails(...load('REPLACE', 'foo', lib('a', fn('f', 'return 1')))),
    fails(...load('foo', 'REPLACE')),
    fails('FUNCTION', 'LOAD'),
    fails(...load('REPLACE')),
  ],
  'the metadata line: #!<engine> name=<library>, its words split with quotes, name= in any case, once': [
    flush,
    fails(...load('')),
    fails(...load('return 1')),
    fails(...load('#!lua')),
    fails(...load('#!lua\n')),
    fails(...load('#!lua nam=x\n')),
    fails(...load('#!lua name=x name=y\n')),
    fails(...load('#!lu name=x\n')),
    fails(...load('#!"lua name=x\n')),
    fails(...load('#!lua name=\n')),
    fails(...load('#!lua name=a-b\n')),
    fails(...load('#! lua name=x\n')),
    c(...load(`#!LUA NAME=up\n${fn('up', 'return 1')}`)),
    c(...load(`#!lua "name=quoted"\n${fn('q', 'return 1')}`)),
    unordered('FUNCTION', 'LIST'),
  ],
  'code that fails to compile or to run, or registers nothing': [
    flush,
    loadL('return 1 +'),
    loadL('local x = string.format("a")'),
    loadL('x = 1'),
    loadL('error("boom")'),
    loadL('redis.call("ping")'),
    loadL('redis.setresp(3)'),
    loadL('local k = KEYS'),
    loadL('local t = {} t.x = 1'),
    loadL('redis.log(redis.LOG_DEBUG, "loading") local v = redis.REDIS_VERSION_NUM + redis.LOG_WARNING'),
    c('FUNCTION', 'LIST'),
  ],
  'redis.register_function: positional and named arguments and their errors': [
    flush,
    loadL(`${fn('g', 'return 1')} ${fn('g', 'return 2')}`),
    loadL("redis.register_function('g')"),
    loadL('redis.register_function()'),
    loadL('redis.register_function(1, 2, 3)'),
    loadL('redis.register_function({}, function() end)'),
    loadL("redis.register_function('g', 'x')"),
    loadL("redis.register_function('g', function() end, 3)"),
    loadL("redis.register_function('', function() end)"),
    loadL("redis.register_function('a-b', function() end)"),
    loadL("redis.register_function{function_name='g'}"),
    loadL('redis.register_function{callback=function() end}'),
    loadL("redis.register_function{function_name='g', callback=function() end, flags='no-writes'}"),
    loadL("redis.register_function{function_name='g', callback=function() end, flags={'no-writes', 'bad'}}"),
    loadL("redis.register_function{function_name='g', callback=function() end, flags={'no-writes', 5}}"),
    loadL("redis.register_function{function_name='g', callback=function() end, flags={{}}}"),
    loadL("redis.register_function{function_name='g', callback=function() end, foo=1}"),
    loadL("redis.register_function{function_name='g', callback='x'}"),
    loadL('redis.register_function{function_name={}, callback=function() end}'),
    loadL("redis.register_function{function_name='g', description={}, callback=function() end}"),
    loadL("redis.register_function{[1]='g', callback=function() end}"),
    loadL("redis.register_function{[true]='g', callback=function() end}"),
    c(...load('REPLACE', lib('L', 'redis.register_function(5, function() return 5 end)'))),
    c('FCALL', '5', '0'),
    c(...load('REPLACE', lib('L', "redis.register_function{function_name='g', callback=function() return 1 end, flags={'no-writes', nil, 'bad'}}"))),
    c(...load('REPLACE', lib('L', "redis.register_function{FUNCTION_NAME='g', Callback=function() return 1 end, FLAGS={'No-Writes', 'ALLOW-OOM'}, description=7}"))),
    c('FUNCTION', 'LIST', 'WITHCODE'),
  ],
});

differential('FCALL and FCALL_RO', {
  'keys and arguments reach the function as its two tables; numkeys is checked after the name': [
    flush,
    c(...load(lib('k', fn('both', 'return {keys, args}')))),
    c('FCALL', 'both', '2', 'a', 'b', 'c', 'd'),
    c('FCALL', 'BOTH', '0'),
    c('FCALL', 'both', '4', 'a', 'b', 'c', 'd'),
    fails('FCALL', 'both', '5', 'a', 'b', 'c', 'd'),
    fails('FCALL', 'both', '-1', 'a'),
    fails('FCALL', 'both', 'x', 'a'),
    fails('FCALL', 'both', '1.0', 'a'),
    fails('FCALL', 'both', '+1', 'a'),
    fails('FCALL', 'both', '99999999999999999999', 'a'),
    fails('FCALL', 'nope', 'x'),
    fails('FCALL', 'nope', '0'),
    fails('FCALL', 'both'),
    fails('FCALL'),
  ],
  'functions call commands, and their errors name the function and line': [
    flush,
    c(...load(lib('w', `${fn('incr', "return redis.call('INCRBY', keys[1], args[1])")}\n${fn('bad', "return redis.call('LPUSH', keys[1], 'x')")}\n${fn('boom', "error('boom')")}`))),
    c('FCALL', 'incr', '1', 'n', '5'),
    c('FCALL', 'incr', '1', 'n', '5'),
    c('GET', 'n'),
    fails('FCALL', 'bad', '1', 'n'),
    fails('FCALL', 'boom', '0'),
    fails('FCALL', 'incr', '1', 'n', 'x'),
  ],
  'FCALL_RO runs only functions flagged no-writes, which cannot write under FCALL either': [
    flush,
    c(...load(lib('rw', fn('writer', "return redis.call('SET', 'k', 'v')")))),
    c(...load(lib('ro', "redis.register_function{function_name='reader', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}"))),
    c(...load(lib('rowrite', "redis.register_function{function_name='sneaky', callback=function() return redis.call('SET', 'k', 'x') end, flags={'no-writes'}}"))),
    fails('FCALL_RO', 'writer', '0'),
    c('FCALL', 'writer', '0'),
    c('FCALL_RO', 'reader', '1', 'k'),
    c('FCALL', 'reader', '1', 'k'),
    fails('FCALL_RO', 'sneaky', '0'),
    fails('FCALL', 'sneaky', '0'),
    c('GET', 'k'),
  ],
  "functions see the real globals but not EVAL's KEYS and ARGV, and cannot set globals": [
    flush,
    c('EVAL', 'return KEYS[1]', '1', 'evalkey'),
    c(
      ...load(
        lib(
          'env',
          fn('probe', "local out = {} for i, e in ipairs(args) do local ok, r = pcall(loadstring('return ' .. e)) out[i] = tostring(ok) .. ':' .. tostring(r) end return out"),
        ),
      ),
    ),
    c(
      'FCALL', 'probe', '0', 'type(KEYS)', 'type(ARGV)', 'type(_G.KEYS)', 'type(redis.call)', 'type(redis.register_function)',
      'type(redis.breakpoint)', 'type(redis.setresp)', 'type(cjson)', 'type(os)', 'type(string.rep)',
    ),
    c(...load('REPLACE', lib('env', fn('probe', 'x = 1')))),
    fails('FCALL', 'probe', '0'),
    c(...load('REPLACE', lib('env', fn('probe', "return redis.register_function('h', function() end)")))),
    fails('FCALL', 'probe', '0'),
    c(...load('REPLACE', lib('env', `local r = redis ${fn('probe', "return r.register_function('h', function() end)")}`))),
    fails('FCALL', 'probe', '0'),
  ],
  'RESP3 replies through redis.setresp': [
    flush,
    c('HSET', 'h', 'f', 'v'),
    c(...load(lib('r3', fn('hash', "redis.setresp(3) return redis.call('HGETALL', 'h')")))),
    c('FCALL', 'hash', '0'),
  ],
  'inside MULTI, FUNCTION LOAD and FCALL are queued and run at EXEC': [
    flush,
    c('MULTI'),
    c(...load(lib('tx', fn('txf', "return redis.call('INCR', 'tx')")))),
    c('FCALL', 'txf', '0'),
    c('EXEC'),
  ],
});

const libs = [
  c(...load(lib('alpha', "redis.register_function{function_name='a1', callback=function() return 1 end, flags={'no-writes', 'allow-stale'}, description='first'}"))),
  c(...load(lib('beta', fn('b1', 'return 2')))),
  c(...load(lib('Alps', fn('c1', 'return 3')))),
];

differential('FUNCTION LIST, DELETE, FLUSH, STATS, KILL, RESTORE', {
  'LIST: every library, LIBRARYNAME a pattern matching names in any case, WITHCODE adds the code': [
    flush,
    c('FUNCTION', 'LIST'),
    ...libs,
    unordered('FUNCTION', 'LIST'),
    unordered('FUNCTION', 'LIST', 'WITHCODE'),
    unordered('FUNCTION', 'LIST', 'LIBRARYNAME', 'al*'),
    c('FUNCTION', 'LIST', 'withcode', 'libraryname', 'BETA'),
    c('FUNCTION', 'LIST', 'LIBRARYNAME', 'nomatch'),
    fails('FUNCTION', 'LIST', 'LIBRARYNAME'),
    fails('FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'),
    fails('FUNCTION', 'LIST', 'LIBRARYNAME', 'a', 'LIBRARYNAME', 'b'),
    fails('FUNCTION', 'LIST', 'foo'),
  ],
  'DELETE removes a library and its functions': [
    flush,
    ...libs,
    c('FUNCTION', 'DELETE', 'beta'),
    fails('FUNCTION', 'DELETE', 'beta'),
    fails('FUNCTION', 'DELETE', 'ALPHA'),
    fails('FCALL', 'b1', '0'),
    c('FCALL', 'a1', '0'),
    fails('FUNCTION', 'DELETE'),
    fails('FUNCTION', 'DELETE', 'a', 'b'),
    c(...load(lib('beta', fn('b1', 'return 22')))),
    c('FCALL', 'b1', '0'),
  ],
  'FLUSH [SYNC|ASYNC] removes every library': [
    flush,
    ...libs,
    c('FUNCTION', 'FLUSH', 'async'),
    c('FUNCTION', 'LIST'),
    ...libs,
    c('FUNCTION', 'FLUSH', 'SYNC'),
    c('FUNCTION', 'STATS'),
    fails('FUNCTION', 'FLUSH', 'foo'),
    fails('FUNCTION', 'FLUSH', 'sync', 'async'),
  ],
  'STATS: no script running, the counts of the LUA engine': [
    flush,
    c('FUNCTION', 'STATS'),
    ...libs,
    c('FUNCTION', 'STATS'),
    fails('FUNCTION', 'STATS', 'x'),
  ],
  'KILL with nothing running': [fails('FUNCTION', 'KILL'), fails('FUNCTION', 'KILL', 'x')],
  'RESTORE: the policy is checked before the payload, then the footer': [
    flush,
    fails('FUNCTION', 'RESTORE', 'abc'),
    fails('FUNCTION', 'RESTORE', 'abc', 'foo'),
    fails('FUNCTION', 'RESTORE', 'abc', 'FLUSH', 'extra'),
    fails('FUNCTION', 'RESTORE', '0123456789'),
    fails('FUNCTION', 'RESTORE', ''),
    fails('FUNCTION', 'RESTORE'),
  ],
  'unknown subcommands': [fails('FUNCTION', 'foo'), fails('FUNCTION')],
});

differential(
  'FUNCTION LIST and STATS in RESP3',
  {
    'maps, null descriptions and sets of flags': [
      flush,
      c('FUNCTION', 'STATS'),
      ...libs,
      c('FUNCTION', 'LIST', 'LIBRARYNAME', 'alpha', 'WITHCODE'),
      c('FUNCTION', 'LIST', 'LIBRARYNAME', 'beta'),
      c('FUNCTION', 'STATS'),
    ],
  },
  { proto: 3 },
);
