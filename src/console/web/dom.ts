import type { Bytes, Denied } from './types.js';

/**
 * Builds elements from data. Text always goes in as text nodes and
 * attributes through setAttribute: nothing a key, a value or a message
 * holds is ever parsed as HTML, so `<img src=x onerror=…>` as a key name
 * is shown as those characters.
 */
export type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** The bytes a Bytes value stands for (of a value cut short, those shown). */
export function bytesOf(b: Bytes): Uint8Array {
  if (typeof b === 'string') return new TextEncoder().encode(b);
  if ('text' in b) return new TextEncoder().encode(b.text);
  const bin = atob(b.b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A byte string for a URL query: base64url, no padding. */
export function queryBytes(b: Bytes): string {
  let bin = '';
  for (const x of bytesOf(b)) bin += String.fromCharCode(x);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Bytes as redis-cli would quote the ones that are not text: \xNN. */
export function escaped(b: Bytes): string {
  if (typeof b === 'string') return b;
  if ('text' in b) return b.text;
  let s = '';
  for (const x of bytesOf(b)) s += x >= 0x20 && x < 0x7f && x !== 0x5c ? String.fromCharCode(x) : x === 0x5c ? '\\\\' : `\\x${x.toString(16).padStart(2, '0')}`;
  return s;
}

/** A byte string shown as text; binary ones escaped and marked; one cut short says how much more it holds. */
export function bytes(b: Bytes | null): Node {
  if (b === null) return h('span', { class: 'muted' }, '(nil)');
  if (typeof b === 'string') return document.createTextNode(b);
  const shown = 'text' in b ? document.createTextNode(b.text) : h('span', { class: 'bin', title: 'not UTF-8: bytes shown as \\xNN' }, escaped(b));
  if (b.more === undefined) return shown;
  return h('span', null, shown, h('span', { class: 'muted' }, ` … ${size(b.more)} more`));
}

export function num(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return Math.abs(n) >= 100 || Number.isInteger(n) ? Math.round(n).toLocaleString('en') : n.toFixed(1);
}

export function size(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export function duration(secs: number): string {
  if (!Number.isFinite(secs) || secs < 0) return '–';
  const d = Math.floor(secs / 86400);
  const hh = Math.floor((secs % 86400) / 3600);
  const mm = Math.floor((secs % 3600) / 60);
  const ss = Math.floor(secs % 60);
  return d > 0 ? `${d}d ${hh}h` : hh > 0 ? `${hh}h ${mm}m` : mm > 0 ? `${mm}m ${ss}s` : `${ss}s`;
}

export function ttl(ms: number): string {
  if (ms === -1) return 'none';
  if (ms === -2) return 'gone';
  return ms < 10_000 ? `${ms} ms` : duration(ms / 1000);
}

export function time(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms <= 0) return '–';
  return new Date(ms).toLocaleString('en-GB');
}

export function card(label: string, value: Child, title?: string): HTMLElement {
  return h('div', { class: 'card', title }, h('div', { class: 'k' }, label), h('div', { class: 'v' }, value));
}

/** A table: header cells (a leading '#' marks a numeric column), then rows. */
export function table(headers: string[], rows: Node[]): HTMLTableElement {
  return h(
    'table',
    null,
    h('thead', null, h('tr', null, headers.map((t) => (t.startsWith('#') ? h('th', { class: 'num' }, t.slice(1)) : h('th', null, t))))),
    h('tbody', null, rows.length === 0 ? h('tr', null, h('td', { colspan: headers.length, class: 'muted' }, 'none')) : rows),
  );
}

export function td(...children: Child[]): HTMLTableCellElement {
  return h('td', null, ...children);
}

export function tdNum(n: number | null | undefined, text?: string): HTMLTableCellElement {
  return h('td', { class: 'num' }, text ?? num(n));
}

export function deniedNotes(denied: Denied[]): Node[] {
  return denied.map((d) => h('div', { class: 'denied' }, `Not shown (${d.what}): `, h('span', { class: 'mono' }, d.error)));
}

export function errorBox(message: string): HTMLElement {
  return h('div', { class: 'error' }, message);
}
