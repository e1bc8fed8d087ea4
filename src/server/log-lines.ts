/**
 * Redis's log line (server.c serverLogRaw):
 * `<pid>:<role> <dd Mon yyyy HH:MM:SS.mmm> <level> <message>` in local time,
 * level `.` debug, `-` verbose, `*` notice, `#` warning.
 */

/** One entry as pino serializes it: the level's name, the time in ms, the message, and the shape mark. */
export interface LogEntry {
  level: string;
  time: number;
  msg?: string;
  [SHAPE]?: Shape;
}

/**
 * The field that marks an entry whose Redis line is not the usual one:
 * 'early' for a line Redis logs before initServer() (role C, as its
 * server.pid is not set yet), 'raw' for text written as it is (the banner
 * in place of Redis's logo), 'signal' for a line Redis writes from its
 * signal handler (serverLogFromHandler: `<pid>:signal-handler (<unix time>) <message>`).
 */
export const SHAPE = 'redisLine';
export type Shape = 'early' | 'raw' | 'signal';

const LEVEL_CHAR: Record<string, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

// Lines come in bursts within one second: the date part is formatted once a second.
let cachedSecond = NaN;
let cachedPrefix = '';

/** strftime's "%d %b %Y %H:%M:%S." in local time, then the milliseconds, as Redis stamps a line. */
export function redisTimestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    cachedPrefix = `${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.`;
    cachedSecond = second;
  }
  const milli = ms - second * 1000;
  return cachedPrefix + (milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : String(milli));
}

/** The text Redis would write for the entry, its newline included. */
export function redisLine(e: LogEntry, pid: number, role: 'M' | 'S' = 'M'): string {
  const msg = e.msg ?? '';
  switch (e[SHAPE]) {
    case 'raw':
      return msg;
    case 'signal':
      return `${pid}:signal-handler (${Math.floor(e.time / 1000)}) ${msg}\n`;
    default:
      return `${pid}:${e[SHAPE] === 'early' ? 'C' : role} ${redisTimestamp(e.time)} ${LEVEL_CHAR[e.level] ?? '*'} ${msg}\n`;
  }
}
