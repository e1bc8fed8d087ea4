import { on, pubsubDifferential, type Step } from '../../helpers/pubsub-script.js';

/** Connection 0 listens to every keyspace and keyevent channel while connection 1 runs HLL commands. */
const listen: Step[] = [on(1, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEAnm'), on(0, 'PSUBSCRIBE', '__key*__:*')];
const run = (...cmd: string[]) => on(1, ...cmd);

pubsubDifferential('HyperLogLog keyspace notifications', 2, {
  'PFADD and PFMERGE raise pfadd; PFCOUNT and PFDEBUG raise nothing but misses': [
    ...listen, run('PFADD', 'h', 'a'), run('PFADD', 'h', 'a'), run('PFADD', 'new'), run('PFCOUNT', 'h'), run('PFCOUNT', 'h', 'none'),
    run('PFMERGE', 'd', 'h', 'none2'), run('PFMERGE', 'd'), run('PFDEBUG', 'TODENSE', 'd'), run('PFDEBUG', 'GETREG', 'h'),
    run('PFCOUNT', 'none3'), run('PFDEBUG', 'ENCODING', 'none4'),
  ],
});
