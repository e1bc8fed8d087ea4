import { splitInlineArgs } from '../protocol/inline.js';

export interface ConfigLine {
  name: string;
  value: string;
  /** Where it came from, for error messages: "file:line" or "command line". */
  origin: string;
  text: string;
}

/** Parses redis.conf text: one directive a line, `#` comments, Redis's quoting. */
export function parseConfigText(text: string, origin: string): ConfigLine[] {
  const out: ConfigLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const args = splitInlineArgs(Buffer.from(line, 'latin1'));
    if (args === null) throw new Error(`${origin}:${i + 1}: unbalanced quotes in '${line}'`);
    if (args.length === 0) continue;
    const [name, ...rest] = args.map((a) => a.toString('latin1'));
    out.push({ name: name.toLowerCase(), value: rest.join(' '), origin: `${origin}:${i + 1}`, text: line });
  }
  return out;
}

/**
 * Turns redis-server style arguments (`--port 7000 --bind a b`) into
 * directives; a bare first argument is a config file path.
 */
export function parseArgs(args: string[]): { file: string | null; lines: ConfigLine[] } {
  let file: string | null = null;
  let i = 0;
  if (args.length > 0 && !args[0].startsWith('--')) file = args[i++];
  const lines: ConfigLine[] = [];
  while (i < args.length) {
    const a = args[i++];
    if (!a.startsWith('--') || a.length === 2) throw new Error(`unexpected argument '${a}': options are written --name value`);
    const values: string[] = [];
    while (i < args.length && !args[i].startsWith('--')) values.push(args[i++]);
    lines.push({ name: a.slice(2).toLowerCase(), value: values.join(' '), origin: 'command line', text: [a, ...values].join(' ') });
  }
  return { file, lines };
}
