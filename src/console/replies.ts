import type { Captured, CapturedError } from '../core/capture-reply.js';

/** An error reply to one of the console's commands; `denied` when the ACL refused it (NOPERM). */
export class ReplyError extends Error {
  readonly denied: boolean;
  constructor(message: string) {
    super(message);
    this.denied = message.startsWith('NOPERM') || message.startsWith('NOAUTH');
  }
}

export function isError(r: Captured): r is CapturedError {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && (r as { type?: string }).type === 'error';
}

/** The reply, or a ReplyError for an error reply. */
export function checked(r: Captured): Captured {
  if (isError(r)) throw new ReplyError(r.message);
  return r;
}

export function str(r: Captured): string {
  if (typeof r === 'string') return r;
  if (typeof r === 'number' || typeof r === 'bigint') return String(r);
  if (r === null || typeof r === 'boolean') return String(r);
  if (Array.isArray(r)) return r.map(str).join(' ');
  switch (r.type) {
    case 'simple': return r.value;
    case 'verbatim': return r.value;
    case 'double': return String(r.value);
    case 'big': return r.digits;
    case 'error': return r.message;
    default: return '';
  }
}

export function strOrNull(r: Captured): string | null {
  return r === null ? null : str(r);
}

export function num(r: Captured): number {
  if (typeof r === 'number') return r;
  if (typeof r === 'bigint') return Number(r);
  const n = Number(str(r));
  return Number.isFinite(n) ? n : 0;
}

export function arr(r: Captured): Captured[] {
  if (Array.isArray(r)) return r;
  if (typeof r === 'object' && r !== null && (r.type === 'set' || r.type === 'push')) return r.items;
  if (typeof r === 'object' && r !== null && r.type === 'map') return r.entries.flat();
  return [];
}

/** A map reply (or a RESP2 flat array of pairs) by its keys as text. */
export function map(r: Captured): Map<string, Captured> {
  const out = new Map<string, Captured>();
  if (typeof r === 'object' && r !== null && !Array.isArray(r) && r.type === 'map') {
    for (const [k, v] of r.entries) out.set(str(k), v);
    return out;
  }
  const a = arr(r);
  for (let i = 0; i + 1 < a.length; i += 2) out.set(str(a[i]), a[i + 1]);
  return out;
}
