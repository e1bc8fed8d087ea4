import { c, differential, fails } from '../helpers/differential.js';

/**
 * min-replicas-to-write on a master with no replicas (neither server has
 * any): every write is refused with NOREPLICAS, reads and scripts that
 * declare no writes still run. Each case turns the setting off again, since
 * the servers live for the file.
 */
const LIB = "#!lua name=mrlib\nredis.register_function('w', function() return 1 end)\n"
  + "redis.register_function{function_name='r', callback=function() return 2 end, flags={'no-writes'}}";

differential('min-replicas-to-write without replicas', {
  'writes are refused with NOREPLICAS, reads and PUBLISH run, INFO counts no good replicas': [
    c('SET', 'x', 'before'),
    c('CONFIG', 'SET', 'min-replicas-to-write', '1'),
    fails('SET', 'x', '1'),
    fails('DEL', 'x'),
    fails('RPUSH', 'l', 'a'),
    c('GET', 'x'),
    c('PING'),
    c('PUBLISH', 'ch', 'm'),
    c('CONFIG', 'SET', 'min-replicas-to-write', '0'),
    c('SET', 'x', 'after'),
    c('GET', 'x'),
  ],
  'a min-replicas-max-lag of 0 turns the check off': [
    c('CONFIG', 'SET', 'min-replicas-to-write', '1'),
    c('CONFIG', 'SET', 'min-replicas-max-lag', '0'),
    c('SET', 'x', '1'),
    c('CONFIG', 'SET', 'min-replicas-max-lag', '10'),
    fails('SET', 'x', '2'),
    c('CONFIG', 'SET', 'min-replicas-to-write', '0'),
  ],
  'inside MULTI a queued write is refused and EXEC aborts; reads run': [
    c('SET', 'x', 'v'),
    c('CONFIG', 'SET', 'min-replicas-to-write', '1'),
    c('MULTI'),
    fails('SET', 'x', '3'),
    fails('EXEC'),
    c('MULTI'),
    c('GET', 'x'),
    c('EXEC'),
    c('MULTI'),
    fails('EVAL', "#!lua\nreturn 1", '0'),
    fails('EXEC'),
    c('CONFIG', 'SET', 'min-replicas-to-write', '0'),
  ],
  'scripts: a flagless EVAL runs until its first write; a shebang without no-writes is refused before it runs': [
    c('SET', 'x', 'some value'),
    c('CONFIG', 'SET', 'min-replicas-to-write', '1'),
    c('EVAL', "return redis.call('get','x')", '1', 'x'),
    c('EVAL', "#!lua flags=no-writes\nreturn redis.call('get','x')", '1', 'x'),
    fails('EVAL', "#!lua\nreturn redis.call('get','x')", '1', 'x'),
    fails('EVAL_RO', "#!lua\nreturn redis.call('get','x')", '1', 'x'),
    fails('EVAL', "return redis.call('set','x', 1)", '1', 'x'),
    c('EVAL', "return redis.pcall('set','x', 1)", '1', 'x'),
    c('GET', 'x'),
    c('CONFIG', 'SET', 'min-replicas-to-write', '0'),
  ],
  'functions: FUNCTION LOAD is a write; a function without no-writes is refused, one with it runs': [
    c('FUNCTION', 'LOAD', 'REPLACE', LIB),
    c('CONFIG', 'SET', 'min-replicas-to-write', '1'),
    fails('FUNCTION', 'LOAD', 'REPLACE', LIB),
    fails('FCALL', 'w', '0'),
    c('FCALL', 'r', '0'),
    c('FCALL_RO', 'r', '0'),
    c('CONFIG', 'SET', 'min-replicas-to-write', '0'),
    c('FCALL', 'w', '0'),
    c('FUNCTION', 'DELETE', 'mrlib'),
  ],
});
