import type { CommandSpec } from './command.js';
import { connectionCommands } from './commands/connection.js';
import { transactionCommands } from './commands/transactions.js';
import { flushCommands } from '../store/commands/flush.js';

/** Every command Sluice implements: each family declares its own, this joins them. */
export const COMMANDS: readonly CommandSpec[] = [
  ...connectionCommands,
  ...transactionCommands,
  ...flushCommands,
];
