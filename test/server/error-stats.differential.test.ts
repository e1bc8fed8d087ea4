import { c, differential, masked, type Row } from '../helpers/differential.js';
import type { Resp } from '../helpers/resp-client.js';

/** INFO commandstats reduced to each command's calls and its rejected and failed calls: the times differ. */
const counts = (r: Resp): Resp => {
  if (r.t !== 'bulk' || r.v === null) return r;
  const lines = r.v.split('\r\n').filter((l) => l.startsWith('cmdstat_') && !l.startsWith('cmdstat_config') && !l.startsWith('cmdstat_info'));
  return { t: 'bulk', v: lines.map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, '')).sort().join('\n') };
};
const stats: Row[] = [c('INFO', 'errorstats'), masked(counts, 'INFO', 'commandstats')];

/** Which command an error is charged to, as Redis's own "errorstats" tests check it. */
differential('error statistics', {
  "a command failing inside EXEC is charged the error, not EXEC": [
    c('CONFIG', 'RESETSTAT'),
    c('MULTI'),
    c('SET', 'a', 'b'),
    c('AUTH', 'a'),
    c('EXEC'),
    ...stats,
    c('EXEC'),
    ...stats,
  ],
  'a command refused while queued fails EXEC with EXECABORT': [
    c('CONFIG', 'RESETSTAT'),
    c('MULTI'),
    c('SET'),
    c('EXEC'),
    ...stats,
  ],
  "an error inside a script is the command's and the script's": [
    c('CONFIG', 'RESETSTAT'),
    c('SET', 'str', 'x'),
    c('EVAL', "return redis.pcall('lpush', 'str', 'v')", '0'),
    c('EVAL', "return redis.call('lpush', 'str', 'v')", '0'),
    ...stats,
  ],
});
