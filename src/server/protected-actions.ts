import type { Client } from './client.js';

/**
 * Redis's switches for dangerous actions (enable-debug-command,
 * enable-module-command, enable-protected-configs): 'yes', 'no', or 'local' for clients connected
 * over loopback.
 */
export function allowsProtectedAction(setting: string, c: Client): boolean {
  return setting === 'yes' || (setting === 'local' && c.isLocal);
}

/**
 * Why a protected command (DEBUG, MODULE LOAD/LOADEX/UNLOAD) is refused to
 * this client, or null when its switch allows it.
 */
export function protectedCommandDenial(root: string, config: { str(name: string): string }, c: Client): string | null {
  const option = root === 'module' ? 'enable-module-command' : 'enable-debug-command';
  if (allowsProtectedAction(config.str(option), c)) return null;
  return `ERR ${root.toUpperCase()} command not allowed. If the ${option} option is set to "local", you can run it from a local connection, ` +
    'otherwise you need to set this option in the configuration file, and then restart the server.';
}
