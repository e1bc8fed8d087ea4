import { on, pubsubDifferential, type Step } from '../../helpers/pubsub-script.js';

/**
 * Keyspace notifications of the geo commands against redis-server:
 * GEOADD is a ZADD (zadd), the stored searches raise georadiusstore or
 * geosearchstore on the destination, or del when they found nothing.
 */
const listen = (flags: string): Step[] => [
  on(1, 'CONFIG', 'SET', 'notify-keyspace-events', flags),
  on(0, 'PSUBSCRIBE', '__key*__:*'),
];
const run = (...cmd: string[]) => on(1, ...cmd);

pubsubDifferential('geo keyspace notifications', 2, {
  'GEOADD raises zadd (new first) only when something changed': [
    ...listen('KEAn'), run('GEOADD', 'g', '1', '1', 'a', '2', '2', 'b'), run('GEOADD', 'g', 'NX', '1', '1', 'a'),
    run('GEOADD', 'g', '1', '1', 'a'), run('GEOADD', 'g', 'XX', 'CH', '3', '3', 'a'), run('GEOADD', 'g', '200', '1', 'c'),
    run('GEOADD', 'nokey', 'XX', '1', '1', 'a'),
  ],
  'stored searches raise their events on the destination, del for an empty result, nothing for a read': [
    ...listen('KEAn'), run('GEOADD', 'g', '1', '1', 'a', '2', '2', 'b'),
    run('GEORADIUS', 'g', '1', '1', '500', 'km', 'STORE', 'r'), run('GEORADIUSBYMEMBER', 'g', 'a', '500', 'km', 'STOREDIST', 'r'),
    run('GEOSEARCHSTORE', 's', 'g', 'FROMMEMBER', 'a', 'BYBOX', '1000', '1000', 'km'),
    run('GEOSEARCHSTORE', 's', 'g', 'FROMLONLAT', '50', '50', 'BYRADIUS', '1', 'km'),
    run('GEORADIUS', 'g', '50', '50', '1', 'km', 'STORE', 'r'), run('GEORADIUS', 'g', '50', '50', '1', 'km', 'STORE', 'never'),
    run('GEOSEARCHSTORE', 'r', 'nokey', 'FROMMEMBER', 'a', 'BYRADIUS', '1', 'km'),
    run('GEOSEARCH', 'g', 'FROMMEMBER', 'a', 'BYRADIUS', '1000', 'km'), run('GEORADIUS_RO', 'g', '1', '1', '500', 'km'),
  ],
  'reads of a missing key raise keymiss, only with m': [
    ...listen('KEm'), run('GEOPOS', 'x', 'a'), run('GEODIST', 'x', 'a', 'b'), run('GEOHASH', 'x', 'a'),
    run('GEOSEARCH', 'x', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'), run('GEORADIUS', 'x', '1', '1', '1', 'km', 'STORE', 'd'),
    run('GEORADIUSBYMEMBER_RO', 'x', 'a', '1', 'km'), run('GEOSEARCHSTORE', 'd', 'x', 'FROMMEMBER', 'a', 'BYRADIUS', '1', 'km'),
    run('GEOADD', 'x', 'XX', '1', '1', 'a'),
  ],
});
