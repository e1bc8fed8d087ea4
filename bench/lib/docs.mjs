// docs/benchmarks.md holds one section per benchmark, each between its own
// markers, so a run replaces only the sections it measured.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const HEADER = `# Benchmarks

Measured by \`npm run bench\` (after \`npm run build\`), which runs Sluice and,
when it is installed, a real redis-server on the same machine in the same run
and reports ratios: absolute numbers drift on shared machines, ratios taken in
one run hold. Each section below is rewritten by the run that measured it
(\`npm run bench -- --only <section>\`); \`--quick\` runs smaller counts for a
smoke test and does not write here unless given \`--write\`.
`;

const begin = (id) => `<!-- bench:${id}:begin -->`;
const end = (id) => `<!-- bench:${id}:end -->`;

/** Replaces (or appends) the section `id` of the document and returns the new text. */
export function replaceSection(doc, id, body) {
  const block = `${begin(id)}\n${body.trim()}\n${end(id)}`;
  const a = doc.indexOf(begin(id));
  const b = doc.indexOf(end(id));
  if (a !== -1 && b > a) return doc.slice(0, a) + block + doc.slice(b + end(id).length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

export function writeSection(file, id, body) {
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  writeFileSync(file, replaceSection(doc, id, body));
}
