/** One line of a log in Redis's format, as a test reads it back. */
export interface RedisLogLine {
  pid: number;
  /** M, C, S or X; 'signal-handler' for a line written as Redis's signal handler writes it. */
  role: string;
  /** ms since the epoch (whole seconds for a signal handler's line). */
  time: number;
  level: 'debug' | 'verbose' | 'notice' | 'warning';
  msg: string;
}

/** Redis's serverLogRaw line: pid, role, local time to the millisecond, level character, message. */
export const REDIS_LINE = /^(\d+):([MCSX]) (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) ([.\-*#]) (.*)$/;
/** Redis's serverLogFromHandler line: pid, the Unix time in seconds, message. */
export const SIGNAL_LINE = /^(\d+):signal-handler \((\d+)\) (.*)$/;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LEVELS: Record<string, RedisLogLine['level']> = { '.': 'debug', '-': 'verbose', '*': 'notice', '#': 'warning' };

/** One line, or null when it is not a log line of Redis's shape (the banner's lines). */
export function parseRedisLine(line: string): RedisLogLine | null {
  const m = REDIS_LINE.exec(line);
  if (m !== null) {
    const [, pid, role, day, mon, year, h, min, s, ms, level, msg] = m;
    const time = new Date(Number(year), MONTHS.indexOf(mon), Number(day), Number(h), Number(min), Number(s), Number(ms)).getTime();
    return { pid: Number(pid), role, time, level: LEVELS[level], msg };
  }
  const sig = SIGNAL_LINE.exec(line);
  if (sig !== null) return { pid: Number(sig[1]), role: 'signal-handler', time: Number(sig[2]) * 1000, level: 'warning', msg: sig[3] };
  return null;
}

/** The log lines of a text, in order, other lines left out. */
export function parseRedisLog(text: string): RedisLogLine[] {
  return text.split('\n').map(parseRedisLine).filter((l): l is RedisLogLine => l !== null);
}
