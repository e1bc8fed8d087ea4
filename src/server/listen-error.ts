// Redis's words for a socket that could not be bound (anet.c's "bind: <strerror>"), shared by start-up and CONFIG SET port/bind.
import { strerror } from '../persistence/io.js';

export type ListenError = NodeJS.ErrnoException & { address?: string; port?: number };

/** strerror(3)'s words for what binding a socket can fail with. */
const BIND_ERRORS: Record<string, string> = {
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EAFNOSUPPORT: 'Address family not supported by protocol',
};

export function bindReason(e: ListenError): string {
  return `bind: ${(e.code !== undefined && BIND_ERRORS[e.code]) || strerror(e)}`;
}

/** Redis's listenToPort() warning for an address that could not be bound, or null when the error is not about one. */
export function bindFailure(e: unknown): string | null {
  const err = e as ListenError;
  if (typeof err.port !== 'number' || err.port < 0 || err.address === undefined) return null;
  return `Warning: Could not create server TCP listening socket ${err.address}:${err.port}: ${bindReason(err)}`;
}
