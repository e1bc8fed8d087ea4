/** Server-wide counters that INFO stats and errorstats report. */
export class ServerStats {
  commandsProcessed = 0;
  connectionsReceived = 0;
  rejectedConnections = 0;
  totalErrorReplies = 0;
  clientQueryBufferLimitDisconnections = 0;
  clientOutputBufferLimitDisconnections = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  /** Error replies by their first word ("ERR", "WRONGTYPE"…), as INFO errorstats. */
  errors = new Map<string, number>();

  countError(message: string): void {
    this.totalErrorReplies++;
    const space = message.indexOf(' ');
    const code = space === -1 ? message : message.slice(0, space);
    // Redis caps distinct error codes at 128 to keep errorstats bounded.
    if (!this.errors.has(code) && this.errors.size >= 128) return;
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  reset(): void {
    this.commandsProcessed = 0;
    this.connectionsReceived = 0;
    this.rejectedConnections = 0;
    this.totalErrorReplies = 0;
    this.clientQueryBufferLimitDisconnections = 0;
    this.clientOutputBufferLimitDisconnections = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.errors.clear();
  }
}
