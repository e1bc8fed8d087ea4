import type { CommandSpec } from '../../core/command.js';
import { zaddCommands } from './zadd-commands.js';
import { zpopCommands } from './zpop-commands.js';
import { zrandmemberCommands } from './zrandmember-commands.js';
import { zrangeCommands } from './zrange-commands.js';
import { zreadCommands } from './zread-commands.js';
import { zremCommands } from './zrem-commands.js';
import { zscanCommands } from './zscan-commands.js';
import { zsetopCommands } from './zsetop-commands.js';

/** The sorted set family. */
export const zsetCommands: CommandSpec[] = [
  ...zaddCommands,
  ...zreadCommands,
  ...zrangeCommands,
  ...zremCommands,
  ...zpopCommands,
  ...zsetopCommands,
  ...zrandmemberCommands,
  ...zscanCommands,
];
