import { c, differential, fails, unordered } from '../helpers/differential.js';

/** DEBUG POPULATE, which Redis's own tests use to fill a server: both servers with DEBUG enabled. */
differential(
  'DEBUG POPULATE',
  {
    'keys key:N or prefix:N, values value:N cut or padded with NULs to the size, existing keys left alone': [
      c('SET', 'key:1', 'mine'),
      c('DEBUG', 'POPULATE', '3'),
      unordered('KEYS', '*'),
      c('MGET', 'key:0', 'key:1', 'key:2'),
      c('DEBUG', 'POPULATE', '2', 'pre', '10'),
      c('GET', 'pre:1'),
      c('DEBUG', 'POPULATE', '2', 'short', '3'),
      c('MGET', 'short:0', 'short:1'),
      c('DEBUG', 'POPULATE', '2', ''),
      c('GET', ':1'),
      c('DEBUG', 'POPULATE', '0'),
      c('DBSIZE'),
    ],
    'they count as no change': [
      c('DEBUG', 'POPULATE', '5'),
      c('DBSIZE'),
      c('INFO', 'keyspace'),
    ],
    'bad counts and sizes': [
      fails('DEBUG', 'POPULATE', '-1'),
      fails('DEBUG', 'POPULATE', 'x'),
      fails('DEBUG', 'POPULATE', '99999999999999999999'),
      fails('DEBUG', 'POPULATE', '2', 'p', '-3'),
      fails('DEBUG', 'POPULATE', '2', 'p', '3', '4'),
      fails('DEBUG', 'POPULATE'),
      c('DBSIZE'),
    ],
  },
  { servers: { sluice: { config: { 'enable-debug-command': 'yes' } }, redis: ['--enable-debug-command', 'yes'] } },
);
