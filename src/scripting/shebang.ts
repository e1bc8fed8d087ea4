import { splitInlineArgs } from '../protocol/inline.js';

/** What a script declares in its `#!lua flags=…` line. */
export interface ScriptFlags {
  /** No shebang: an EVAL script of before Redis 7, run with the old rules (writes and OOM checked per command). */
  compat: boolean;
  noWrites: boolean;
  allowOom: boolean;
  allowStale: boolean;
  noCluster: boolean;
  allowCrossSlot: boolean;
}

export const FLAG_NAMES = {
  'no-writes': 'noWrites',
  'allow-oom': 'allowOom',
  'allow-stale': 'allowStale',
  'no-cluster': 'noCluster',
  'allow-cross-slot-keys': 'allowCrossSlot',
} as const;

export const COMPAT_FLAGS: ScriptFlags = Object.freeze({
  compat: true, noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false,
});

/** Parses a shebang's flags (the names after `flags=`, comma separated); the error names the first unknown one. */
export function parseFlagList(list: string, into: ScriptFlags, what: string): string | null {
  if (list === '') return null;
  for (const name of list.split(',')) {
    const field = FLAG_NAMES[name as keyof typeof FLAG_NAMES];
    if (field === undefined) return `${what}: ${name}`;
    into[field] = true;
  }
  return null;
}

/**
 * Redis's evalExtractShebangFlags: a body that starts with `#!` must name
 * the lua engine and may give `flags=`; the shebang's length is returned so
 * that it can be blanked out of the code while keeping line numbers.
 */
export function parseShebang(body: string): { flags: ScriptFlags; length: number } | { error: string } {
  if (!body.startsWith('#!')) return { flags: COMPAT_FLAGS, length: 0 };
  const end = body.indexOf('\n');
  if (end < 0) return { error: 'Invalid script shebang' };
  const parts = splitInlineArgs(Buffer.from(body.slice(0, end), 'latin1'))?.map((b) => b.toString('latin1')) ?? null;
  if (parts === null || parts.length === 0) return { error: 'Invalid engine in script shebang' };
  if (parts[0] !== '#!lua') return { error: `Unexpected engine in script shebang: ${parts[0]}` };
  const flags: ScriptFlags = { ...COMPAT_FLAGS, compat: false };
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return { error: `Unknown lua shebang option: ${part}` };
    const err = parseFlagList(part.slice(6), flags, 'Unexpected flag in script shebang');
    if (err !== null) return { error: err };
  }
  return { flags, length: end };
}
