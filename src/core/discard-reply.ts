import type { Protocol, Reply } from '../protocol/reply.js';

/**
 * A reply sink that drops everything but the error count: the AOF loader
 * replays commands whose replies nobody reads.
 */
export class DiscardReply implements Reply {
  proto: Protocol = 2;
  errors = 0;
  lastError = '';
  lastErrorCounted = false;
  ok(): void {}
  simple(): void {}
  error(message: string): void {
    this.errors++;
    this.lastError = message;
  }
  integer(): void {}
  bulk(): void {}
  bulkDashed(): void {}
  bulkBuffer(): void {}
  nullBulk(): void {}
  nullArray(): void {}
  array(): void {}
  map(): void {}
  set(): void {}
  push(): void {}
  double(): void {}
  boolean(): void {}
  verbatim(): void {}
  bigNumber(): void {}
  attribute(): void {}
  raw(): void {}
}
