import { c, differential, fails } from '../helpers/differential.js';

differential('connection commands', {
  'PING and ECHO': [c('PING'), c('PING', 'hello'), fails('PING', 'a', 'b'), c('ECHO', 'x y'), fails('ECHO')],
  'SELECT and SWAPDB': [
    c('SELECT', '15'), fails('SELECT', '16'), fails('SELECT', '-1'), fails('SELECT', 'x'),
    c('SWAPDB', '0', '1'), fails('SWAPDB', 'a', '1'), fails('SWAPDB', '0', 'b'), fails('SWAPDB', '0', '99'),
  ],
  'unknown commands and arity': [
    fails('NOSUCH'), fails('nosuch', 'a', 'b'), fails('NOSUCH', 'x'.repeat(200), 'y'),
    fails('HELLO', '4'), fails('HELLO', 'x'), fails('HELLO', '3', 'bogus'),
  ],
  'AUTH without a password configured': [fails('AUTH', 'secret'), c('AUTH', 'default', 'anything'), fails('AUTH', 'bob', 'x')],
  'transactions': [
    c('MULTI'), fails('MULTI'), c('PING'), c('ECHO', 'a'), c('EXEC'),
    fails('EXEC'), fails('DISCARD'),
    c('MULTI'), fails('NOSUCH'), c('PING'), fails('EXEC'),
    c('MULTI'), fails('WATCH', 'k'), c('DISCARD'),
    c('WATCH', 'k'), c('UNWATCH'),
  ],
  'DBSIZE and FLUSH modes': [c('DBSIZE'), c('FLUSHDB', 'ASYNC'), c('FLUSHALL', 'sync'), fails('FLUSHALL', 'now'), fails('FLUSHDB', 'a', 'b')],
});
