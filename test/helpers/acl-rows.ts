import { masked, type Row } from './differential.js';
import type { Resp } from './resp-client.js';

/**
 * What 7.2 changed in ACL replies, applied to 7.0's (CI's oracle) before
 * comparing; acl.test.ts checks 7.2's forms themselves. 7.2 shows the
 * sanitize-payload flags (left out here), and its NOPERM texts name the
 * user (`user` here: the one the row runs as) or, for keys and channels
 * outside DRYRUN, nothing; a script's refused call is an "ACL failure in
 * script" with that text.
 */
function as72(user: string): (r: Resp) => Resp {
  const text = (s: string): string =>
    s
      .replace(/ (skip-)?sanitize-payload/g, '')
      .replace(/^NOPERM this user has no permissions to run the '(.*)' command$/, `NOPERM User ${user} has no permissions to run the '$1' command`)
      .replace(/^NOPERM this user has no permissions to access one of the keys used as arguments$/, 'NOPERM No permissions to access a key')
      .replace(/^NOPERM this user has no permissions to access one of the channels used as arguments$/, 'NOPERM No permissions to access a channel')
      .replace(/^This user has/, `User ${user} has`)
      .replace(
        /^ERR The user executing the script can't access at least one of the keys mentioned in the command arguments/,
        'ERR ACL failure in script: No permissions to access a key',
      );
  const walk = (r: Resp): Resp => {
    switch (r.t) {
      case 'bulk':
        return r.v === null ? r : { t: 'bulk', v: text(r.v) };
      case 'error':
      case 'simple':
        return { t: r.t, v: text(r.v) };
      case 'array':
      case 'set':
        return r.v === null ? r : { t: r.t, v: r.v.filter((x) => !(x.t === 'bulk' && /^(skip-)?sanitize-payload$/.test(x.v ?? ''))).map(walk) };
      case 'map':
        return { t: 'map', v: r.v.map(([k, v]) => [walk(k), walk(v)] as [Resp, Resp]) };
      default:
        return r;
    }
  };
  return walk;
}

/** Rows as `user` (null: the default user) compared in 7.2's terms. */
export const as = (user: string) => ({
  c: (...cmd: string[]): Row => masked(as72(user), ...cmd),
  fails: (...cmd: string[]): Row => ({ ...masked(as72(user), ...cmd), mode: 'error' as const }),
});
