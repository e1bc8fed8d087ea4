import { describe, expect, test } from 'vitest';
import { c, differential, fails, masked, sameType } from '../helpers/differential.js';
import type { Resp } from '../helpers/resp-client.js';
import { drawSkyline, renderShades } from '../../src/server/lolwut/skyline.js';
import { drawSchotter, renderBraille } from '../../src/server/lolwut/schotter.js';

/** The art's last line names the server's version, which differs between the two servers. */
function anyVersion(r: Resp): Resp {
  if ((r.t === 'bulk' || r.t === 'verbatim') && r.v !== null) return { ...r, v: r.v.replace(/Redis ver\. [0-9.]+\n$/, 'Redis ver. V\n') };
  return r;
}
const art = (...args: string[]) => masked(anyVersion, 'LOLWUT', ...args);

// Schotter's first two rows of squares are drawn without chance, so a drawing of one or two rows is Redis's to the byte.
const rows = {
  'without VERSION, and at any version but 5 and 6, the version line alone': [
    art(), art('VERSION', '7'), art('VERSION', '0'), art('VERSION', '-1'), art('VERSION', '99999999999'), art('4', '5'),
    art('VERSION'),
  ],
  'VERSION 5: Schotter in Braille, Redis to the byte where no square is turned': [
    art('VERSION', '5', '10', '2', '2'), art('VERSION', '5', '1', '1', '1'), art('VERSION', '5', '66', '8', '2'),
    art('VERSION', '5', '7', '3', '1'), art('VERSION', '5', '2', '1', '2'), art('VERSION', '5', '41', '5', '1'),
  ],
  'VERSION 5 clamps its numbers to their ranges': [
    art('VERSION', '5', '-3', '0', '1'), art('VERSION', '5', '20', '9999', '2'), art('VERSION', '5', '1', '-8', '0'),
  ],
  'VERSION is read as C reads an unsigned int: 2^32 + 5 is 5': [art('VERSION', '4294967301', '12', '3', '2')],
  'a version or an argument that is not an integer': [
    fails('LOLWUT', 'VERSION', 'x'), fails('LOLWUT', 'VERSION', '5', 'a'), fails('LOLWUT', 'VERSION', '5', '10', '1.5'),
    fails('LOLWUT', 'VERSION', '6', '10', 'b'), fails('LOLWUT', 'VERSION', '99999999999999999999'),
  ],
  'VERSION 6 answers a string of chance': [sameType('LOLWUT', 'VERSION', '6'), sameType('LOLWUT', 'VERSION', '6', '3', '2')],
};

differential('LOLWUT', rows);
differential('LOLWUT under RESP3 (a verbatim string)', { 'the reply types': [art(), art('VERSION', '5', '4', '2', '2'), c('PING')] }, { proto: 3 });

describe('LOLWUT 6, the skyline', () => {
  test('fills the canvas asked for in the four shades only, sky above the tallest building', () => {
    const canvas = drawSkyline(60, 12);
    const text = renderShades(canvas);
    const lines = text.split('\n');
    expect(lines).toHaveLength(12);
    const cell = /\x1b\[0;(30;40|90;100|37;47|97;107)m \x1b\[0m/g;
    for (const line of lines) expect(line.replace(cell, '')).toBe('');
    for (const line of lines) expect(line.match(cell)).toHaveLength(60);
    // No building is as tall as the canvas: the top row is sky (shade 3), and buildings stand below it.
    const shades = (y: number) => Array.from({ length: 60 }, (_, x) => canvas.get(x, y));
    expect(new Set(shades(0))).toEqual(new Set([3]));
    expect(new Set([...shades(6), ...shades(11)]).size).toBeGreaterThan(1);
  });

  test('the largest canvas (1000 by 1000) renders', () => {
    expect(renderShades(drawSkyline(1000, 1000)).split('\n')).toHaveLength(1000);
  });
});

describe('LOLWUT 5, Schotter', () => {
  test('rows below the second turn and drift, so two drawings of many rows differ', () => {
    const draw = () => renderBraille(drawSchotter(66, 8, 12));
    const a = draw();
    expect([draw(), draw(), draw()].some((b) => b !== a)).toBe(true);
  });
});
