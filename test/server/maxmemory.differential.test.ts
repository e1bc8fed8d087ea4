import { c, differential, fails, help, sameType } from '../helpers/differential.js';

/**
 * maxmemory of 1 byte puts both servers over the limit at once, whatever
 * each counts: what is refused, and with which text, must then agree.
 * Each case sets the limit back, since the servers live for the file.
 */
differential('maxmemory', {
  'under noeviction, denyoom commands are refused with OOM and the others run': [
    c('SET', 'k', 'v'),
    c('RPUSH', 'l', 'a'),
    c('CONFIG', 'SET', 'maxmemory', '1'),
    fails('SET', 'k', 'v2'),
    fails('APPEND', 'k', 'x'),
    fails('INCR', 'n'),
    fails('RPUSH', 'l', 'b'),
    fails('SADD', 's', 'a'),
    c('GET', 'k'),
    c('LPOP', 'l'),
    c('EXPIRE', 'k', '100'),
    c('PERSIST', 'k'),
    c('DEL', 'k'),
    c('CONFIG', 'SET', 'maxmemory', '0'),
    c('SET', 'k', 'v3'),
  ],
  'inside MULTI everything queued is refused, and EXEC aborts': [
    c('SET', 'k', 'v'),
    c('CONFIG', 'SET', 'maxmemory', '1'),
    c('MULTI'),
    fails('GET', 'k'),
    fails('SET', 'k', 'v'),
    c('EXEC'),
    c('MULTI'),
    c('DISCARD'),
    c('CONFIG', 'SET', 'maxmemory', '0'),
  ],
  'a script is refused a denyoom command, not a read': [
    c('SET', 'k', 'v'),
    c('CONFIG', 'SET', 'maxmemory', '1'),
    c('EVAL', "return redis.call('get', KEYS[1])", '1', 'k'),
    fails('EVAL', "return redis.call('set', KEYS[1], 'x')", '1', 'k'),
    c('EVAL', "return redis.pcall('set', KEYS[1], 'x')", '1', 'k'),
    c('CONFIG', 'SET', 'maxmemory', '0'),
  ],
  'OBJECT FREQ under an LFU policy, and the errors of the other policies': [
    c('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'),
    c('SET', 'k', 'v'),
    c('OBJECT', 'FREQ', 'k'),
    c('GET', 'k'),
    c('OBJECT', 'FREQ', 'k'),
    c('OBJECT', 'FREQ', 'nosuch'),
    fails('OBJECT', 'IDLETIME', 'k'),
    c('CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'),
    fails('OBJECT', 'FREQ', 'k'),
    c('SET', 'j', 'v'),
    c('OBJECT', 'IDLETIME', 'j'),
    c('OBJECT', 'IDLETIME', 'nosuch'),
    c('CONFIG', 'SET', 'maxmemory-policy', 'noeviction'),
  ],
  'INFO reports the limit and the policy': [
    c('CONFIG', 'SET', 'maxmemory', '100mb', 'maxmemory-policy', 'allkeys-lru'),
    sameType('INFO', 'memory'),
    c('CONFIG', 'GET', 'maxmemory'),
    c('CONFIG', 'GET', 'maxmemory-policy'),
    c('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction'),
  ],
  'MEMORY subcommands': [
    help('MEMORY', 'HELP'),
    c('MEMORY', 'DOCTOR'),
    c('MEMORY', 'PURGE'),
    sameType('MEMORY', 'STATS'),
    sameType('MEMORY', 'MALLOC-STATS'),
    fails('MEMORY', 'STATS', 'x'),
    fails('MEMORY', 'DOCTOR', 'x'),
    fails('MEMORY', 'NOSUCH'),
  ],
});
