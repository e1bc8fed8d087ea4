import { c, differential, fails } from '../../helpers/differential.js';

/** CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO replies and errors on one connection, against redis-server. */
const cases = {
  'TRACKING ON and OFF answer OK; TRACKINGINFO and GETREDIR follow': [
    c('CLIENT', 'TRACKINGINFO'), c('CLIENT', 'GETREDIR'),
    c('CLIENT', 'TRACKING', 'on'), c('CLIENT', 'TRACKINGINFO'), c('CLIENT', 'GETREDIR'),
    c('CLIENT', 'TRACKING', 'ON', 'NOLOOP'), c('CLIENT', 'TRACKINGINFO'),
    c('CLIENT', 'TRACKING', 'off'), c('CLIENT', 'TRACKINGINFO'), c('CLIENT', 'GETREDIR'),
    c('CLIENT', 'TRACKING', 'OFF'),
  ],
  'OPTIN and OPTOUT with CACHING, which lasts for one command': [
    c('CLIENT', 'TRACKING', 'on', 'optin'), c('CLIENT', 'TRACKINGINFO'),
    c('CLIENT', 'CACHING', 'yes'), c('CLIENT', 'TRACKINGINFO'), c('GET', 'k'), c('CLIENT', 'TRACKINGINFO'),
    fails('CLIENT', 'CACHING', 'no'), fails('CLIENT', 'CACHING', 'maybe'),
    fails('CLIENT', 'TRACKING', 'on', 'optout'),
    c('CLIENT', 'TRACKING', 'off'), c('CLIENT', 'TRACKING', 'on', 'optout'),
    c('CLIENT', 'CACHING', 'no'), c('CLIENT', 'TRACKINGINFO'), fails('CLIENT', 'CACHING', 'yes'),
    fails('CLIENT', 'TRACKING', 'on', 'optin'),
  ],
  'CACHING while tracking is off or without OPTIN/OPTOUT is refused': [
    fails('CLIENT', 'CACHING', 'yes'), fails('CLIENT', 'CACHING', 'no'),
    c('CLIENT', 'TRACKING', 'on'), fails('CLIENT', 'CACHING', 'yes'), fails('CLIENT', 'CACHING', 'no'),
    fails('CLIENT', 'CACHING'), fails('CLIENT', 'CACHING', 'yes', 'no'),
  ],
  'BCAST with prefixes: TRACKINGINFO lists them in order; overlaps are refused': [
    c('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'acct:'), c('CLIENT', 'TRACKINGINFO'),
    fails('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:1'),
    fails('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'us'),
    fails('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:'),
    c('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'order:'), c('CLIENT', 'TRACKINGINFO'),
    fails('CLIENT', 'TRACKING', 'on'),
    c('CLIENT', 'TRACKING', 'off'), c('CLIENT', 'TRACKINGINFO'),
    fails('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'a'),
    c('CLIENT', 'TRACKING', 'on', 'BCAST'), c('CLIENT', 'TRACKINGINFO'),
    fails('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'x'),
    c('CLIENT', 'TRACKING', 'off'), c('CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP'), c('CLIENT', 'TRACKINGINFO'),
  ],
  'option errors, in Redis order': [
    fails('CLIENT', 'TRACKING', 'on', 'PREFIX', 'a'),
    fails('CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN'),
    fails('CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTOUT'),
    fails('CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT'),
    fails('CLIENT', 'TRACKING', 'on', 'REDIRECT', '999999'),
    fails('CLIENT', 'TRACKING', 'on', 'REDIRECT', '0'),
    fails('CLIENT', 'TRACKING', 'on', 'REDIRECT', 'x'),
    fails('CLIENT', 'TRACKING', 'off', 'REDIRECT', '999999'),
    fails('CLIENT', 'TRACKING', 'on', 'REDIRECT'),
    fails('CLIENT', 'TRACKING', 'on', 'PREFIX'),
    fails('CLIENT', 'TRACKING', 'on', 'BOGUS'),
    fails('CLIENT', 'TRACKING', 'maybe'),
    fails('CLIENT', 'TRACKING', 'maybe', 'BOGUS'),
    fails('CLIENT', 'TRACKING'),
    fails('CLIENT', 'GETREDIR', 'x'),
    fails('CLIENT', 'TRACKINGINFO', 'x'),
    c('CLIENT', 'TRACKINGINFO'),
  ],
};

differential('CLIENT TRACKING', cases);
differential('CLIENT TRACKING (RESP3)', { 'TRACKINGINFO as a map with a set of flags': cases['BCAST with prefixes: TRACKINGINFO lists them in order; overlaps are refused'] }, { proto: 3 });
