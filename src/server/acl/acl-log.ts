import type { Reply } from '../../protocol/reply.js';

export type LogReason = 'command' | 'key' | 'channel' | 'auth';
export type LogContext = 'toplevel' | 'multi' | 'lua';

/** Entries this close in time (ms) with the same reason, context, object and user are one entry counted again. */
const GROUPING_MS = 60000;
/** How many recent entries a new one is compared with. */
const SCAN = 10;

interface Entry {
  count: number;
  reason: LogReason;
  context: LogContext;
  object: string;
  username: string;
  /** When it last happened (ms). */
  updated: number;
  clientInfo: string;
  id: number;
  created: number;
}

/** Redis's ACL LOG: the most recent denials first, similar ones grouped, at most acllog-max-len kept. */
export class AclLog {
  private entries: Entry[] = [];
  private created = 0;
  /** INFO's acl_access_denied_* counters. */
  readonly denied = { auth: 0, command: 0, key: 0, channel: 0 };

  add(reason: LogReason, context: LogContext, object: string, username: string, clientInfo: string, maxLen: number): void {
    this.denied[reason]++;
    const now = Date.now();
    const scan = Math.min(SCAN, this.entries.length);
    for (let i = 0; i < scan; i++) {
      const e = this.entries[i];
      if (e.reason === reason && e.context === context && Math.abs(e.updated - now) <= GROUPING_MS && e.object === object && e.username === username) {
        e.count++;
        e.updated = now;
        e.clientInfo = clientInfo;
        this.entries.splice(i, 1);
        this.entries.unshift(e);
        return;
      }
    }
    this.entries.unshift({ count: 1, reason, context, object, username, updated: now, clientInfo, id: this.created++, created: now });
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  reset(): void {
    this.entries = [];
  }

  /** CONFIG RESETSTAT. */
  resetCounters(): void {
    this.denied.auth = this.denied.command = this.denied.key = this.denied.channel = 0;
  }

  /** INFO stats' acl_access_denied_* fields. */
  infoLines(): string[] {
    const d = this.denied;
    return [
      `acl_access_denied_auth:${d.auth}`,
      `acl_access_denied_cmd:${d.command}`,
      `acl_access_denied_key:${d.key}`,
      `acl_access_denied_channel:${d.channel}`,
    ];
  }

  /** ACL LOG [count]: each entry as a map of Redis's ten fields. */
  write(r: Reply, count: number): void {
    const now = Date.now();
    const shown = this.entries.slice(0, Math.max(0, Math.min(count, this.entries.length)));
    r.array(shown.length);
    for (const e of shown) {
      r.map(10);
      r.bulk('count');
      r.integer(e.count);
      r.bulk('reason');
      r.bulk(e.reason);
      r.bulk('context');
      r.bulk(e.context);
      r.bulk('object');
      r.bulk(e.object);
      r.bulk('username');
      r.bulk(e.username);
      r.bulk('age-seconds');
      r.double((now - e.updated) / 1000);
      r.bulk('client-info');
      r.bulk(e.clientInfo);
      r.bulk('entry-id');
      r.integer(e.id);
      r.bulk('timestamp-created');
      r.integer(e.created);
      r.bulk('timestamp-last-updated');
      r.integer(e.updated);
    }
  }
}
