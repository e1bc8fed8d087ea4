import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Server } from '../src/server/server.js';

/** Every top-level declaration, as the command table of a server holds them. */
const COMMANDS = [...new Server().commands.commands.values()].map((c) => c.spec);

const doc = readFileSync(new URL('../docs/commands.md', import.meta.url), 'utf8');

/** The command names a table row lists in its first cell ("CLIENT ID, CLIENT SETNAME"). */
function documentedNames(): Set<string> {
  const names = new Set<string>();
  for (const line of doc.split('\n')) {
    const m = /^\| ([A-Z][^|]*?) \|/.exec(line);
    if (m) for (const name of m[1].split(',')) names.add(name.trim());
  }
  return names;
}

describe('docs/commands.md', () => {
  test('names every command and subcommand in the command table', () => {
    const documented = documentedNames();
    const missing: string[] = [];
    for (const spec of COMMANDS) {
      if (spec.subcommands) {
        for (const sub of spec.subcommands) {
          const name = `${spec.name} ${sub.name}`.toUpperCase();
          if (!documented.has(name)) missing.push(name);
        }
      } else if (!documented.has(spec.name.toUpperCase())) {
        missing.push(spec.name.toUpperCase());
      }
    }
    expect(missing).toEqual([]);
  });

  test('lists no command that the table does not have', () => {
    const known = new Set<string>();
    for (const spec of COMMANDS) {
      known.add(spec.name.toUpperCase());
      for (const sub of spec.subcommands ?? []) known.add(`${spec.name} ${sub.name}`.toUpperCase());
    }
    expect([...documentedNames()].filter((n) => !known.has(n))).toEqual([]);
  });
});
