import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

/**
 * The docs name source files, folders and each other; a move or a rename
 * must not leave them pointing at nothing. Every path a page names (a
 * `src/…` or `test/…` path anywhere, a file or folder in backticks such as
 * `server/dispatcher.ts` or `compact/`), every relative markdown link and
 * its #anchor, and every `page.md, "Section"` reference must resolve.
 */

const ROOT = path.resolve(import.meta.dirname, '..');

/** Top-level folders a path in the docs may start with. */
const TOP = ['src', 'test', 'docs', 'scripts', 'bench', 'examples', 'dist'];
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'data']);

function walk(rel: string, files: string[], dirs: string[]): void {
  for (const entry of readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      dirs.push(child);
      walk(child, files, dirs);
    } else {
      files.push(child);
    }
  }
}

const FILES: string[] = [];
const DIRS: string[] = [];
walk('', FILES, DIRS);

/** The pages checked: the README and every page under docs/. */
const PAGES = FILES.filter((f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md'))).sort();

/** A glob of the docs (`test/**\/*.differential.test.ts`, `ops-*.ts`) as a regex over a path's end. */
function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (ch === '*') {
      re += '[^/]*';
    } else {
      re += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`(^|/)${re}$`);
}

/** Whether some repository file or folder (only a folder, for a trailing `/`) ends with `p` at a path boundary. */
function resolves(p: string): boolean {
  if (p.startsWith('dist/')) {
    // The build's output: its source is the file under src/.
    if (p.endsWith('.d.ts')) return true;
    p = `src/${p.slice(5)}`.replace(/\.js$/, '.ts');
    if (p === 'src/') return true;
  }
  const dir = p.endsWith('/');
  const bare = dir ? p.slice(0, -1) : p;
  // `test/core` may name the folder as well as `test/core/`.
  const pool = dir ? DIRS : [...FILES, ...DIRS];
  if (bare.includes('*')) {
    const re = globRegex(bare);
    return pool.some((f) => re.test(f));
  }
  if (TOP.includes(bare.split('/')[0])) return pool.includes(bare);
  return pool.some((f) => f === bare || f.endsWith(`/${bare}`));
}

/** GitHub's anchor for a heading: lowercased, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutCode(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function headings(markdown: string): string[] {
  return withoutCode(markdown)
    .split('\n')
    .filter((l) => /^#{1,6}\s/.test(l))
    .map((l) => l.replace(/^#+\s+/, '').replace(/`/g, '').toLowerCase());
}

/** The page without its fenced code blocks. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

/** Whether a page the docs point at exists, or is one still awaited. */
function pageExists(rel: string): boolean {
  return existsSync(path.join(ROOT, rel));
}

/** The repository-relative path a page's reference names, relative to the page or, for `docs/…`, to the root. */
function fromPage(page: string, target: string): string {
  if (TOP.includes(target.split('/')[0]) || target === 'README.md') return path.posix.normalize(target);
  return path.posix.normalize(path.posix.join(path.posix.dirname(page), target));
}

/** Paths a page names: `src/…`-style paths anywhere, and file or folder paths in backticks. */
function namedPaths(markdown: string): string[] {
  const found = new Set<string>();
  const prose = /(?<![\w/.:@~-])((?:src|test|docs|scripts|bench|examples|dist)\/[^\s`'"()<>[\]{},;|#]*)(<?)/g;
  for (const m of markdown.matchAll(prose)) {
    if (m[2] === '<' || m[1].includes('…')) continue;
    found.add(m[1].replace(/[.:]+$/, ''));
  }
  for (const m of markdown.matchAll(/`([^`\s]+)`/g)) {
    const t = m[1];
    if (/[<>(){}…=:]/.test(t) || t.startsWith('/') || t.startsWith('.') || t.startsWith('-')) continue;
    if (/\.(ts|mjs|js|json|md)$/.test(t)) {
      found.add(t);
    } else if (t.endsWith('/') && t.length > 1) {
      // A folder: only one that names a folder of the repository's (not `appendonlydir/`).
      const first = t.split('/')[0];
      if (TOP.includes(first) || DIRS.some((d) => d === first || d.endsWith(`/${first}`))) found.add(t);
    }
  }
  return [...found];
}

describe('the paths and links of the docs', () => {
  test('the pages checked include the README, the map and the design pages', () => {
    expect(PAGES).toContain('README.md');
    expect(PAGES).toContain('docs/architecture.md');
    expect(PAGES.some((p) => p.startsWith('docs/design/'))).toBe(true);
  });

  test.each(PAGES)('%s names only paths that exist', (page) => {
    const missing = namedPaths(read(page)).filter((p) => {
      if (p.endsWith('.md') && !p.includes('*') && pageExists(fromPage(page, p))) return false;
      return !resolves(p);
    });
    expect(missing).toEqual([]);
  });

  test.each(PAGES)('%s links only to pages and sections that exist', (page) => {
    const text = withoutCode(read(page));
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1];
      if (/^[a-z]+:/.test(link)) continue;
      const [file, anchor] = link.split('#');
      const target = file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
      if (!pageExists(target)) {
        broken.push(link);
        continue;
      }
      if (anchor === undefined || !existsSync(path.join(ROOT, target))) continue;
      if (statSync(path.join(ROOT, target)).isDirectory() || !anchors(read(target)).has(anchor)) broken.push(link);
    }
    expect(broken).toEqual([]);
  });

  test.each(PAGES)('%s names only sections that exist (`page.md`, "Section")', (page) => {
    const text = read(page).replace(/\s+/g, ' ');
    const broken: string[] = [];
    for (const m of text.matchAll(/`?([\w./-]+\.md)`?, "([^"]+)"/g)) {
      const target = fromPage(page, m[1]);
      if (!existsSync(path.join(ROOT, target))) {
        broken.push(`${m[1]}, "${m[2]}"`);
        continue;
      }
      const title = m[2].toLowerCase();
      if (!headings(read(target)).some((h) => h.startsWith(title))) broken.push(`${m[1]}, "${m[2]}"`);
    }
    expect(broken).toEqual([]);
  });
});
