import type { Server } from '../server.js';
import { memoryFigures } from './memory-info.js';

const MB = 1024 * 1024;

/**
 * MEMORY DOCTOR, with Redis's texts for the checks that mean something for
 * Sluice: an (almost) empty instance, a past peak, big client buffers, many
 * cached scripts. Redis's fragmentation and allocator checks are left out:
 * a Node process always holds far more RSS than its live data (code, the
 * heap's reserve), so they would always fire.
 */
export function memoryDoctor(server: Server): string {
  const f = memoryFigures(server);
  // Without a limit `used` is the whole heap, garbage included, so an instance without keys counts as empty whatever it says.
  if (f.keys === 0 || f.used - f.startup < 5 * MB) {
    return 'Hi Sam, this instance is empty or is using very little memory, my issues detector can\'t be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n';
  }
  const issues: string[] = [];
  if (f.peak / f.used > 1.5) {
    issues.push(' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n');
  }
  if (server.clients.size > 0 && f.clients / server.clients.size > 200 * 1024) {
    issues.push(' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n');
  }
  if (server.scripting.scripts.size > 1000) {
    issues.push(' * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts\' caches may end up consuming most of your memory.\n\n');
  }
  if (issues.length === 0) return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
  return `Sam, I detected a few issues in this Redis instance memory implants:\n\n${issues.join('')}I'm here to keep you safe, Sam. I want to help you.\n`;
}
