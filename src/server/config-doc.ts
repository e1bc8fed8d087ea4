import { PARAMETERS, type ParamDef, type Support } from './config-params.js';

/**
 * docs/configuration.md, generated from the declaration table
 * (`npm run docs:config`); test/server/config-doc.test.ts fails when the
 * file in the tree differs from what this renders.
 */

const SUPPORT_TEXT: Record<Support, string> = {
  honoured: 'honoured',
  partial: 'partly',
  none: 'no effect',
};

const INTRO = `# Configuration reference

<!-- Generated from src/server/config-params.ts by \`npm run docs:config\`: edit the table, not this file. -->

Sluice takes Redis 7.2's configuration: every parameter of Redis 7.2's
table is accepted in a config file (\`sluice-server /etc/redis/redis.conf\`),
on the command line (\`--name value\`, appended after the file as Redis does)
and by CONFIG GET/SET, with Redis's types, defaults, ranges, aliases and
error messages. A config-file error stops the server with Redis's report
(\`*** FATAL CONFIG FILE ERROR (Redis 7.2.x) ***\`, the line number, the
line, the reason). Redis numbers the command line's options as lines after
the file's; when the bad line is one of them, a last line names the
arguments it came from (\`The directive came from the command line:
--nosuchopt 1\`).

Besides parameters, a config file may hold \`include\` (a file, or a pattern
in its last part such as \`/etc/redis/conf.d/*.conf\`) and
\`rename-command <name> <new name>\` (applied at start; an empty new name
removes the command), and \`user <name> <rules...>\` (ACL users, checked as
the file is read and applied at start, as Redis does; not with
\`aclfile\`). \`loadmodule\` and \`sentinel\` lines stop the start:
Sluice has no modules or Sentinel yet.

The last column says what Sluice does with a parameter:

- **honoured**: it works as in Redis;
- **partly**: it works, with the difference the note gives;
- **no effect**: it is accepted, stored and reported by CONFIG GET (and
  CONFIG REWRITE), but nothing in Sluice acts on it. At start-up,
  \`sluice-server\` logs a warning for each such parameter set to a value
  other than its default (a stock redis.conf sets many of them to their
  defaults, which would only be noise).

CONFIG REWRITE keeps a file redis-server can start from: Redis refuses a
directive it does not know, so a parameter of Sluice's own (\`metrics-port\`)
is never added to the file. Where the file already has a line for it, the
line is kept up to date (or removed, at the default); a value set
elsewhere is left out of the file, with a warning in the log: give it on
the command line (\`--metrics-port 9121\`), or add the line to the file.

Hidden parameters (Redis's test-only knobs) answer CONFIG GET only by their
exact name, not by a pattern. *Mutable* says whether CONFIG SET may change
the parameter at run time: *no* means only at start-up; *protected* means
only when \`enable-protected-configs\` allows the client.
`;

function range(def: ParamDef): string {
  const lo = def.type === 'octal' ? def.min!.toString(8) : String(def.min);
  const hi = def.type === 'octal' ? def.max!.toString(8) : String(def.max);
  return `${lo} to ${hi}`;
}

function typeText(def: ParamDef): string {
  switch (def.type) {
    case 'bool':
      return 'yes/no';
    case 'int':
      return `integer, ${range(def)}`;
    case 'memory':
      return def.percent ? `memory or percent (up to ${-def.min!}%), up to ${def.max}` : `memory, ${range(def)}`;
    case 'octal':
      return `octal, ${range(def)}`;
    case 'enum':
      return `one of ${def.values!.join(', ')}`;
    case 'string':
      return def.multiArg ? 'words' : 'string';
  }
}

function mutability(def: ParamDef): string {
  if (def.immutable) return 'no';
  return def.protected ? 'protected' : 'yes';
}

function nameCell(def: ParamDef): string {
  const extras: string[] = [];
  if (def.alias) extras.push(`alias \`${def.alias}\``);
  if (def.hidden) extras.push('hidden');
  if (def.since) extras.push(`new in ${def.since}`);
  return `\`${def.name}\`${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function renderConfigurationDoc(): string {
  const counts = { honoured: 0, partial: 0, none: 0 };
  for (const def of PARAMETERS) counts[def.support]++;
  const out = [
    INTRO,
    `${PARAMETERS.length} parameters: ${counts.honoured} honoured, ${counts.partial} partly, ${counts.none} without effect.`,
    '',
  ];
  const sections = [...new Set(PARAMETERS.map((def) => def.section))];
  for (const section of sections) {
    out.push(`## ${section}`, '', '| Parameter | Type | Default | Mutable | Sluice | Notes |', '|---|---|---|---|---|---|');
    for (const def of PARAMETERS.filter((d) => d.section === section)) {
      const dflt = def.default === '' ? '""' : `\`${def.default}\``;
      out.push(`| ${nameCell(def)} | ${cell(typeText(def))} | ${cell(dflt)} | ${mutability(def)} | ${SUPPORT_TEXT[def.support]} | ${cell(def.note)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
