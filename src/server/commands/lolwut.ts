import { toInt64 } from '../../codecs/integer-text.js';
import { intArg } from '../../core/numbers.js';
import { CommandError, NOT_INTEGER } from '../../core/errors.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { drawSchotter, renderBraille } from '../lolwut/schotter.js';
import { drawSkyline, renderShades } from '../lolwut/skyline.js';
import { REDIS_VERSION } from '../version.js';

/** Optional integer arguments from `from` on, each clamped to its range; the first that is not an integer fails. */
function clampedArgs(argv: string[], from: number, defaults: [number, number, number][]): number[] {
  return defaults.map(([value, low, high], i) => {
    const n = argv.length > from + i ? intArg(argv[from + i]) : value;
    return Math.min(Math.max(n, low), high);
  });
}

/**
 * LOLWUT [VERSION v] [art's arguments]: computer art and the version.
 * Version 5 draws Schotter in Braille (columns, squares per row, squares
 * per column); 6 a skyline in terminal grays (columns, rows); any other,
 * the one Sluice answers as (7.x) included, just the version line. VERSION
 * is read as C's unsigned int, as Redis reads it.
 */
function lolwut(c: Client, argv: string[]): void {
  let art = 0;
  let from = 1;
  if (argv.length >= 3 && argv[1].toLowerCase() === 'version') {
    const v = toInt64(argv[2]);
    if (v === null) throw new CommandError(NOT_INTEGER);
    art = Number(BigInt.asUintN(32, v));
    from = 3;
  }
  if (art === 5) {
    const [columns, perRow, perColumn] = clampedArgs(argv, from, [[66, 1, 1000], [8, 1, 200], [12, 1, 200]]);
    const text = renderBraille(drawSchotter(columns, perRow, perColumn));
    c.reply.verbatim(`${text}\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ${REDIS_VERSION}\n`);
  } else if (art === 6) {
    const [columns, rows] = clampedArgs(argv, from, [[80, 1, 1000], [20, 1, 1000]]);
    const text = renderShades(drawSkyline(columns, rows));
    c.reply.verbatim(
      `${text}\nDedicated to the 8 bit game developers of past and present.\n` +
        `Original 8 bit image from Plaguemon by hikikomori. Redis ver. ${REDIS_VERSION}\n`,
    );
  } else {
    c.reply.verbatim(`Redis ver. ${REDIS_VERSION}\n`);
  }
}

export const lolwutCommands: CommandSpec[] = [
  {
    name: 'lolwut', arity: -1, flags: ['readonly', 'fast'], acl: [], group: 'server', since: '5.0.0',
    args: '[VERSION version:integer]', summary: 'Displays computer art and the Redis version', handler: lolwut,
  },
];
