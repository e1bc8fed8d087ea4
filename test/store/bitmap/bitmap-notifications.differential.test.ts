import { on, pubsubDifferential, type Step } from '../../helpers/pubsub-script.js';

/** Connection 0 listens to every keyspace and keyevent channel while connection 1 runs bit commands. */
const listen: Step[] = [on(1, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEAnm'), on(0, 'PSUBSCRIBE', '__key*__:*')];
const run = (...cmd: string[]) => on(1, ...cmd);

pubsubDifferential('bitmap keyspace notifications', 2, {
  'SETBIT, BITFIELD and BITOP raise Redis events only when they change something': [
    ...listen, run('SETBIT', 'k', '3', '1'), run('SETBIT', 'k', '3', '1'), run('SETBIT', 'k', '30', '0'), run('GETBIT', 'none', '1'),
    run('BITFIELD', 'k', 'SET', 'u8', '0', '16', 'GET', 'u4', '0'), run('BITFIELD', 'k', 'SET', 'u8', '0', '16'),
    run('BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '9'), run('BITFIELD', 'none2', 'GET', 'u8', '0'),
    run('BITFIELD_RO', 'none3', 'GET', 'u8', '0'), run('BITOP', 'OR', 'd', 'k', 'none4'), run('BITOP', 'AND', 'd', 'none5'),
    run('BITOP', 'AND', 'd', 'none5'), run('BITCOUNT', 'none6'), run('BITPOS', 'none7', '1'),
  ],
});
