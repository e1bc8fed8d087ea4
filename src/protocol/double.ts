/**
 * Formats a double as Redis 7.2 replies it: the shortest text that reads back
 * to the same value, `inf`/`-inf`/`nan`, and plain notation where %.17g would
 * not use an exponent.
 */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Object.is(d, -0)) return '-0';
  const s = String(d);
  if (!s.includes('e')) return s;
  // JS switches to exponent form at 1e21 and below 1e-6; %.17g does so at 1e17 and 1e-5.
  const [mant, exp] = s.split('e');
  const e = Number(exp);
  if (e >= -5 && e < 17) return Number(d).toFixed(Math.max(0, -e + (mant.split('.')[1]?.length ?? 0)));
  return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}
