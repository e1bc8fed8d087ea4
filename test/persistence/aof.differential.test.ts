import { c, differential, fails } from '../helpers/differential.js';

// Both servers run without persistence here (Redis's default; Sluice embedded without a dir).
differential('AOF configuration and commands', {
  'the AOF parameters have Redis defaults': [
    c('CONFIG', 'GET', 'appendonly'),
    c('CONFIG', 'GET', 'appendfsync'),
    c('CONFIG', 'GET', 'appendfilename'),
    c('CONFIG', 'GET', 'appenddirname'),
    c('CONFIG', 'GET', 'auto-aof-rewrite-percentage'),
    c('CONFIG', 'GET', 'auto-aof-rewrite-min-size'),
    c('CONFIG', 'GET', 'aof-load-truncated'),
    c('CONFIG', 'GET', 'aof-timestamp-enabled'),
  ],
  'CONFIG SET validates them as Redis does': [
    fails('CONFIG', 'SET', 'appendfsync', 'sometimes'),
    c('CONFIG', 'SET', 'appendfsync', 'ALWAYS'),
    c('CONFIG', 'GET', 'appendfsync'),
    c('CONFIG', 'SET', 'appendfsync', 'everysec'),
    fails('CONFIG', 'SET', 'appendfilename', 'x.aof'),
    fails('CONFIG', 'SET', 'appenddirname', 'x'),
    fails('CONFIG', 'SET', 'auto-aof-rewrite-percentage', '-1'),
    fails('CONFIG', 'SET', 'auto-aof-rewrite-min-size', '-1'),
    c('CONFIG', 'SET', 'auto-aof-rewrite-min-size', '1gb'),
    c('CONFIG', 'GET', 'auto-aof-rewrite-min-size'),
    c('CONFIG', 'SET', 'auto-aof-rewrite-min-size', '64mb'),
    fails('CONFIG', 'SET', 'aof-load-truncated', 'maybe'),
  ],
  'BGREWRITEAOF is declared as in Redis': [
    c('COMMAND', 'INFO', 'bgrewriteaof'),
    fails('BGREWRITEAOF', 'extra'),
  ],
});
