import type { Site } from './site.js';
import type { LuaValue } from './value.js';

/**
 * A Lua error in flight: what `error()` raised (any Lua value; runtime
 * errors raise their message string, "user_script:3: attempt to ..."), and
 * where: `site` is the place in Lua code running when it was raised, null
 * when none is known (raised outside any script, or by a library function
 * a library function called). Redis's error handler reports that place
 * ("... script: <sha>, on @user_script:3.") apart from the message, so the
 * host reads it from here.
 *
 * Thrown as a JavaScript exception, but deliberately not an Error: scripts
 * may raise and catch errors in loops (pcall), and an Error captures a stack
 * trace each time.
 */
export class LuaError {
  constructor(
    public value: LuaValue,
    public site: Site | null = null,
  ) {}

  toString(): string {
    return typeof this.value === 'string' ? this.value : `LuaError(${String(this.value)})`;
  }
}

/**
 * A script that does not compile. `message` is Lua 5.1's, with the chunk's
 * position prefix: "user_script:1: '=' expected near 'x'" (EVAL's reply
 * wraps it: "Error compiling script (new function): user_script:1: ...").
 * Declared here, not beside the parser, so that the package's public
 * declarations never import parse.d.ts and with it luaparse's types, which
 * are a devDependency.
 */
export class LuaSyntaxError extends Error {}

/** Lua's LUA_IDSIZE: how much of a chunk name a position shows. */
const IDSIZE = 60;

/**
 * luaO_chunkid: how an error position names a chunk. "@user_script" (the
 * name Redis loads EVAL scripts under) shows as "user_script", "=name" as
 * "name", and source text as [string "its first line..."].
 */
export function chunkId(source: string): string {
  if (source.startsWith('=')) return source.slice(1, IDSIZE);
  if (source.startsWith('@')) {
    const name = source.slice(1);
    const room = IDSIZE - " '...' ".length - 1;
    return name.length > room ? '...' + name.slice(name.length - room) : name;
  }
  const nul = source.indexOf('\0');
  if (nul >= 0) source = source.slice(0, nul);
  const room = IDSIZE - ' [string "..."] '.length - 1;
  let len = source.search(/[\n\r]/);
  if (len < 0) len = source.length;
  if (len > room) len = room;
  return len < source.length ? `[string "${source.slice(0, len)}..."]` : `[string "${source}"]`;
}
