import { c, differential, fails } from '../helpers/differential.js';

// The replication commands' arguments and refusals on a master with no replicas, beside redis-server.
differential('replication commands', {
  'REPLCONF options': [
    fails('REPLCONF', 'listening-port'),
    fails('REPLCONF', 'nosuch', 'x'),
    c('REPLCONF', 'listening-port', '6380'),
    fails('REPLCONF', 'listening-port', 'x'),
    c('REPLCONF', 'ip-address', '10.0.0.1'),
    fails('REPLCONF', 'ip-address', 'x'.repeat(300)),
    c('REPLCONF', 'capa', 'eof', 'capa', 'psync2', 'capa', 'unknown'),
    c('REPLCONF', 'rdb-only', '1'),
    fails('REPLCONF', 'rdb-only', '2'),
    c('REPLCONF'),
  ],
  'REPLCONF rdb-filter-only': [
    c('REPLCONF', 'rdb-filter-only', 'functions'),
    c('REPLCONF', 'rdb-filter-only', 'FUNCTIONS'),
    c('REPLCONF', 'rdb-filter-only', ''),
    c('REPLCONF', 'rdb-filter-only', '"functions" functions'),
    fails('REPLCONF', 'rdb-filter-only', 'functions keys'),
    fails('REPLCONF', 'rdb-filter-only', "'unbalanced"),
    fails('REPLCONF', 'rdb-filter-only'),
  ],
  'a filtered snapshot needs capa eof': [c('REPLCONF', 'rdb-filter-only', 'functions'), fails('SYNC')],
  'REPLICAOF arguments': [
    fails('REPLICAOF', 'localhost', 'x'),
    fails('REPLICAOF', 'localhost', '70000'),
    fails('SLAVEOF', 'localhost', '-1'),
    c('REPLICAOF', 'NO', 'ONE'),
    c('SLAVEOF', 'no', 'one'),
    fails('REPLICAOF', 'a'),
  ],
  'FAILOVER without replicas': [
    fails('FAILOVER'),
    fails('FAILOVER', 'ABORT'),
    fails('FAILOVER', 'TIMEOUT', '0'),
    fails('FAILOVER', 'TIMEOUT', 'x'),
    fails('FAILOVER', 'TO', 'h'),
    fails('FAILOVER', 'TO', '127.0.0.1', 'x'),
    fails('FAILOVER', 'FORCE'),
    fails('FAILOVER', 'bogus'),
    fails('FAILOVER', 'TIMEOUT', '10', 'TIMEOUT', '20'),
  ],
  'SYNC and PSYNC refusals': [
    fails('PSYNC', '?'),
    fails('PSYNC', '?', 'x'),
    c('MULTI'), fails('SYNC'), fails('PSYNC', '?', '-1'), c('DISCARD'),
  ],
  'WAIT and WAITAOF with no replica': [c('WAIT', '0', '0'), c('WAIT', '0', '10')],
});
