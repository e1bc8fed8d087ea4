import { randomBytes } from 'node:crypto';

/** A new node name or shard id: 40 random hex characters, as Redis's getRandomHexChars. */
export function randomName(): string {
  return randomBytes(20).toString('hex');
}
