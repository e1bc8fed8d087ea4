/** Why a nodes.conf was refused, and where. */
export interface NodesConfError {
  /** 1-based, counting blank lines. */
  line: number;
  /** The offending line as read, without its newline. */
  text: string;
  reason: string;
}

/**
 * The line Redis logs before it exits on a corrupted file (clusterLoadConfig's
 * fmterr). Redis quotes the line buffer with its newline still in it; this
 * quotes it without.
 */
export function corruptedConfigMessage(error: NodesConfError): string {
  return `Unrecoverable error: corrupted cluster config file "${error.text}".`;
}
