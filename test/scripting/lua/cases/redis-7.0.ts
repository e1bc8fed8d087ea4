import type { Plain } from '../helpers/plain.js';

/**
 * Cases whose reply Redis 7.0 gives differently (read from 7.0.15, what
 * CI runs); the records are 7.2.6's, which the engine follows. The
 * differential test expects these replies when the server is 7.0.
 */
export const REPLIES_IN_7_0: Record<string, Plain> = {
  // 7.2 puts getfenv and newproxy back in the globals (its allow list), 7.0 had removed them.
  'return type(getfenv)': {
    err: "ERR user_script:1: Script attempted to access nonexistent global variable 'getfenv' script: *, on @user_script:1.",
  },
  'return type(newproxy)': {
    err: "ERR user_script:1: Script attempted to access nonexistent global variable 'newproxy' script: *, on @user_script:1.",
  },
  'return cjson.encode(newproxy())': {
    err: "ERR user_script:1: Script attempted to access nonexistent global variable 'newproxy' script: *, on @user_script:1.",
  },
  // Debian's 7.0 is built on the system's Lua, which takes a [[ inside a [[ ]] string or comment; 7.2's own Lua refuses it.
  'return [[a [[b]]': 'a [[b',
  'local x = 1 --[[ a [[ b ]] return x': 1,
  'local s = 1\nreturn [[a\nb [[c]]': 'a\nb [[c',
  'return 1 + [[a [[b]] + = 2': { err: "ERR Error compiling script (new function): user_script:1: unexpected symbol near '='" },
  // 7.0 turns newlines in a script's error into spaces; 7.2 keeps them.
  "error('with\\nnewline')": { err: 'ERR user_script:1: with newline script: *, on @user_script:1.' },
};

/**
 * Cases where the record is Sluice's and Redis 7.0's (and the Redis that
 * fixed CVE-2025-46818), but 7.2.6 answers otherwise: 7.2 left the
 * strings' metatable writable, so code planted there ran in other users'
 * scripts. The differential test expects these replies from a 7.2 server.
 */
export const REPLIES_IN_7_2: Record<string, Plain> = {
  "local mt = getmetatable('') mt.foo = 1 return 1": 1,
};
