import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { strerror } from '../../persistence/io.js';
import type { Acl } from './acl.js';
import { mergeSelectorArgs, ruleErrorMessage } from './rules.js';
import { hasSpaces } from './selector.js';
import { User } from './user.js';

/**
 * Redis's ACLLoadFromFile: every line `user <name> <rules...>` (blank lines
 * allowed). All or nothing: with any error the users stay as they were, and
 * the errors come back as one line; null when the file was loaded. A
 * relative `file` is found from `dir`, where Redis works (it enters its
 * `dir`); messages name it as configured.
 */
export function loadAclFile(acl: Acl, file: string, dir: string): string | null {
  let text: string;
  try {
    text = readFileSync(path.resolve(dir, file), 'latin1');
  } catch (e) {
    return `Error loading ACLs, opening file '${file}': ${strerror(e)}`;
  }
  const users = new Map<string, User>();
  let errors = '';
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '') return;
    const argv = line.split(' ');
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${file}:${n} should start with user keyword followed by the username. `;
      return;
    }
    const name = argv[1];
    if (hasSpaces(name)) {
      errors += `'${file}:${n}: username '${name}' contains invalid characters. `;
      return;
    }
    if (users.has(name)) {
      errors += `WARNING: Duplicate user '${name}' found on line ${n}. `;
      return;
    }
    const u = new User(name, acl);
    users.set(name, u);
    const merged = mergeSelectorArgs(argv.slice(2));
    if ('unmatched' in merged) {
      errors += `${file}:${n}: Unmatched parenthesis in selector definition.`;
      return;
    }
    let syntaxError = false;
    for (const rule of merged.rules.map((r) => r.replace(/^[\t\r\n]+|[\t\r\n]+$/g, ''))) {
      const err = u.apply(rule);
      if (err === null) continue;
      if (err === 'ENOENT') {
        errors += `${file}:${n}: Error in applying operation '${rule}': ${ruleErrorMessage(err)}. `;
      } else if (!syntaxError) {
        errors += `${file}:${n}: ${ruleErrorMessage(err)}. `;
        syntaxError = true;
      }
    }
  });
  if (errors !== '') return `${errors}WARNING: ACL errors detected, no change to the previously active ACL rules was performed`;
  acl.replaceUsers(users);
  return null;
}

/** The users as ACL SAVE writes them: one `user` line each, in ACL LIST's order. */
export function aclFileText(acl: Acl): string {
  return acl
    .sorted()
    .map((u) => `user ${u.name} ${u.describe()}\n`)
    .join('');
}

/** Redis's ACLSaveToFile: a temporary file, synced, renamed over the old one (a relative `file` in `dir`, as loadAclFile). Returns what failed, or null. */
export function saveAclFile(acl: Acl, named: string, dir: string): string | null {
  const file = path.resolve(dir, named);
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  let step = 'Opening temp ACL file for ACL SAVE';
  let fd = -1;
  try {
    fd = openSync(tmp, 'w', 0o644);
    step = 'Writing ACL file for ACL SAVE';
    writeSync(fd, Buffer.from(aclFileText(acl), 'latin1'));
    step = 'Syncing ACL file for ACL SAVE';
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    step = 'Renaming ACL file for ACL SAVE';
    renameSync(tmp, file);
    return null;
  } catch (e) {
    if (fd !== -1) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Nothing was left behind.
    }
    return `${step}: ${strerror(e)}`;
  }
}
