import { toBytes } from '../bytes.js';
import { arr, num, str } from '../replies.js';
import type { Session } from '../session.js';
import type { Denied, Diagnostics } from '../web/types.js';
import { optional } from './common.js';

/** The slow log (SLOWLOG GET) and the latency monitor's events (LATENCY LATEST), each shown if the user may run it. */
export async function diagnostics(s: Session): Promise<Diagnostics> {
  const denied: Denied[] = [];
  const slowlog = await optional(denied, 'slow log', async () =>
    arr(await s.call('SLOWLOG', 'GET', '128')).map((e) => {
      const [id, time, micros, args, addr, name] = arr(e);
      return { id: num(id), time: num(time), micros: num(micros), args: arr(args).map((a) => toBytes(str(a))), addr: str(addr ?? ''), name: str(name ?? '') };
    }),
  );
  const latency = await optional(denied, 'latency events', async () =>
    arr(await s.call('LATENCY', 'LATEST')).map((e) => {
      const [event, time, latest, max] = arr(e);
      return { event: str(event), time: num(time), latest: num(latest), max: num(max) };
    }),
  );
  return { slowlog, latency, denied };
}
