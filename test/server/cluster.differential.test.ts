import { c, differential, fails } from '../helpers/differential.js';

/** A standalone server's cluster commands: declared, checked like any command, each answering that cluster support is disabled. */
differential('cluster commands on a standalone server', {
  'every CLUSTER subcommand, READONLY, READWRITE and ASKING answer that cluster support is disabled': [
    fails('CLUSTER', 'INFO'),
    fails('CLUSTER', 'HELP'),
    fails('CLUSTER', 'KEYSLOT', 'foo'),
    fails('CLUSTER', 'SLOTS'),
    fails('CLUSTER', 'SHARDS'),
    fails('CLUSTER', 'NODES'),
    fails('CLUSTER', 'MYID'),
    fails('CLUSTER', 'ADDSLOTS', '1', '2'),
    fails('CLUSTER', 'SETSLOT', '1', 'STABLE'),
    fails('CLUSTER', 'RESET', 'HARD'),
    fails('READONLY'),
    fails('READWRITE'),
    fails('ASKING'),
  ],
  'arity and unknown subcommands are checked first': [
    fails('CLUSTER'),
    fails('CLUSTER', 'INFO', 'extra'),
    fails('CLUSTER', 'KEYSLOT'),
    fails('CLUSTER', 'GETKEYSINSLOT', '1'),
    fails('CLUSTER', 'NOSUCH'),
    fails('READONLY', 'extra'),
  ],
  'scripts may call them, but not CLUSTER RESET (noscript); MULTI queues them': [
    fails('EVAL', "return redis.call('cluster', 'info')", '0'),
    fails('EVAL', "return redis.call('cluster', 'reset')", '0'),
    c('EVAL', "return redis.pcall('readonly')", '0'),
    c('MULTI'),
    c('CLUSTER', 'INFO'),
    c('READONLY'),
    c('EXEC'),
  ],
});
