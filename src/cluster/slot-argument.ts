import { CLUSTER_SLOTS } from './key-slot.js';

export const SLOT_OR_RANGE = 'Invalid or out of range slot';

/** getSlotOrReply: a 64-bit integer in 0..16383, or null. */
export function parseSlot(text: string): number | null {
  if (!/^-?[0-9]{1,20}$/.test(text) || (text.length > 1 && /^-?0/.test(text))) return null;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n < CLUSTER_SLOTS ? n : null;
}
