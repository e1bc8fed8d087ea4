/**
 * One client's CLIENT TRACKING settings (Redis keeps them as client flags):
 * present on a client while tracking is on.
 */
export class TrackingState {
  /** The client id invalidations go to; 0 for the client itself. */
  redirect = 0;
  bcast = false;
  optin = false;
  optout = false;
  noloop = false;
  /** CLIENT CACHING YES (under OPTIN) or NO (under OPTOUT), for the next command or transaction. */
  caching = false;
  /** This client's bit in the tracking table (TrackingTable.claimSlot); -1 without one. */
  slot = -1;
  /** The redirect target was gone when an invalidation was due. */
  brokenRedirect = false;
  /** BCAST prefixes; they stay when tracking is turned on again, until it is turned off. */
  readonly prefixes = new Set<string>();

  /** Whether the keys a read-only command reads now are remembered for this client. */
  get remembersReads(): boolean {
    if (this.optin) return this.caching;
    if (this.optout) return !this.caching;
    return true;
  }

  /** CLIENT LIST's flags for tracking: t, then R (broken redirect), B (BCAST). */
  listFlags(): string {
    return 't' + (this.brokenRedirect ? 'R' : '') + (this.bcast ? 'B' : '');
  }

  /** CLIENT TRACKINGINFO's flags after "on", in Redis's order. */
  flags(): string[] {
    const out: string[] = [];
    if (this.bcast) out.push('bcast');
    if (this.optin) out.push('optin');
    if (this.optin && this.caching) out.push('caching-yes');
    if (this.optout) out.push('optout');
    if (this.optout && this.caching) out.push('caching-no');
    if (this.noloop) out.push('noloop');
    if (this.brokenRedirect) out.push('broken_redirect');
    return out;
  }
}
