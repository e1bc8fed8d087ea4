import type { Database } from '../keyspace/database.js';
import type { EventClass } from '../keyspace/keyspace.js';

/**
 * notify-keyspace-events as a bit set. K and E choose the channels
 * (`__keyspace@<db>__:<key>` carrying the event, `__keyevent@<db>__:<event>`
 * carrying the key); the other letters choose the classes of events.
 */
const KEYSPACE = 1 << 0;
const KEYEVENT = 1 << 1;
type ClassLetter = EventClass | 'd';
const CLASS_BITS: Record<ClassLetter, number> = {
  g: 1 << 2,
  $: 1 << 3,
  l: 1 << 4,
  s: 1 << 5,
  h: 1 << 6,
  z: 1 << 7,
  x: 1 << 8,
  e: 1 << 9,
  t: 1 << 10,
  m: 1 << 11,
  d: 1 << 12,
  n: 1 << 13,
};
/** 'A': every class but key misses (m) and new keys (n), which are noisy enough to be asked for by name. */
const ALL = 'g$lshzxetd'.split('').reduce((bits, ch) => bits | CLASS_BITS[ch as ClassLetter], 0);

export const INVALID_EVENT_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/**
 * Parses a notify-keyspace-events value; null for a character Redis does
 * not know. Redis reads it as a C string: a NUL byte ends it.
 */
export function parseEventFlags(text: string): number | null {
  let flags = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\0') break;
    if (ch === 'A') flags |= ALL;
    else if (ch === 'K') flags |= KEYSPACE;
    else if (ch === 'E') flags |= KEYEVENT;
    else if (Object.hasOwn(CLASS_BITS, ch)) flags |= CLASS_BITS[ch as ClassLetter];
    else return null;
  }
  return flags;
}

/**
 * The value as CONFIG GET prints it: "A" for all the classes it covers,
 * else the class letters in Redis's order, then K, E and m. As in Redis, n
 * is not printed next to A although it stays set.
 */
function formatEventFlags(flags: number): string {
  let out = '';
  if ((flags & ALL) === ALL) {
    out = 'A';
  } else {
    for (const ch of 'g$lshzxetdn') if (flags & CLASS_BITS[ch as ClassLetter]) out += ch;
  }
  if (flags & KEYSPACE) out += 'K';
  if (flags & KEYEVENT) out += 'E';
  if (flags & CLASS_BITS.m) out += 'm';
  return out;
}

/** What the configuration keeps for a valid value: the printed form, plus the n it would hide. */
export function storedEventFlags(text: string): string {
  const flags = parseEventFlags(text) ?? 0;
  const printed = formatEventFlags(flags);
  return (flags & ALL) === ALL && flags & CLASS_BITS.n ? `${printed}n` : printed;
}

/** How CONFIG GET shows a stored value ("KEA" reads back "AKE"). */
export function displayedEventFlags(stored: string): string {
  return formatEventFlags(parseEventFlags(stored) ?? 0);
}

export type Publish = (channel: string, message: string) => void;

/**
 * Turns keyspace events into messages on the keyspace and keyevent
 * channels. With notifications off (the default) an event costs one
 * integer test.
 */
export class KeyspaceNotifier {
  private flags = 0;

  constructor(private readonly publish: Publish) {}

  /** Applies a (valid) notify-keyspace-events value. */
  configure(text: string): void {
    this.flags = parseEventFlags(text) ?? 0;
  }

  /** Whether 'new' events can be heard: only then does a write check whether its key is new. */
  get wantsNew(): boolean {
    return (this.flags & CLASS_BITS.n) !== 0 && (this.flags & (KEYSPACE | KEYEVENT)) !== 0;
  }

  readonly notify = (db: Database, type: EventClass, event: string, key: string): void => {
    const flags = this.flags;
    if (flags === 0 || (flags & CLASS_BITS[type]) === 0) return;
    if (flags & KEYSPACE) this.publish(`__keyspace@${db.index}__:${key}`, event);
    if (flags & KEYEVENT) this.publish(`__keyevent@${db.index}__:${event}`, key);
  };
}
