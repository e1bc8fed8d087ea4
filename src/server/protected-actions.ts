import type { Client } from './client.js';

/**
 * Redis's switches for dangerous actions (enable-debug-command,
 * enable-protected-configs): 'yes', 'no', or 'local' for clients connected
 * over loopback.
 */
export function allowsProtectedAction(setting: string, c: Client): boolean {
  return setting === 'yes' || (setting === 'local' && c.isLocal);
}

export const DEBUG_NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, ' +
  'otherwise you need to set this option in the configuration file, and then restart the server.';
