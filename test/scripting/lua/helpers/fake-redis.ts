import { createHash } from 'node:crypto';
import { LuaEngine } from '../../../../src/scripting/lua/engine.js';
import { LuaError } from '../../../../src/scripting/lua/errors.js';
import { LuaSyntaxError } from '../../../../src/scripting/lua/parse.js';
import { LuaTable } from '../../../../src/scripting/lua/table.js';
import type { LuaFunction, LuaValue } from '../../../../src/scripting/lua/value.js';
import { normaliseError, type Plain } from './plain.js';

/**
 * A tiny host on the engine's API, doing what Redis 7.2's EVAL does around
 * a script: the sandbox, KEYS and ARGV, a `redis` table (call and pcall
 * over a toy keyspace of strings, error_reply, status_reply, sha1hex),
 * compiled chunks cached by SHA1, Redis's error handler and its conversion
 * of the script's result to a RESP2 reply. Tests use it to run scripts as
 * EVAL would without a server.
 */
export class FakeRedis {
  readonly lua = new LuaEngine();
  private readonly scripts = new Map<string, LuaFunction>();
  private readonly store = new Map<string, string>();

  constructor() {
    const lua = this.lua;
    const redis = new LuaTable();
    const fields: Record<string, LuaValue> = {
      call: (...argv: LuaValue[]) => {
        const r = this.command(argv);
        if (r instanceof LuaTable && typeof r.getStr('err') === 'string') throw lua.error(r);
        return r;
      },
      pcall: (...argv: LuaValue[]) => this.command(argv),
      error_reply: (msg: LuaValue) => {
        // luaPushErrorBuff: "-CODE msg" keeps its code, anything else gets ERR.
        const text = String(msg).startsWith('-') ? String(msg) : '-' + String(msg);
        const space = text.indexOf(' ');
        const t = new LuaTable();
        t.rawSet('err', space < 0 ? `ERR ${text.slice(1)}` : `${text.slice(1, space)} ${text.slice(space + 1).replace(/^[\r\n]+|[\r\n]+$/g, '')}`);
        return t;
      },
      status_reply: (msg: LuaValue) => {
        const t = new LuaTable();
        t.rawSet('ok', msg);
        return t;
      },
      sha1hex: (s: LuaValue) => createHash('sha1').update(String(s), 'latin1').digest('hex'),
    };
    for (const [k, v] of Object.entries(fields)) redis.rawSet(k, v);
    lua.setGlobal('redis', redis);
    lua.sandbox();
  }

  /** The toy commands: enough to see replies of every type cross into Lua. */
  private command(argv: LuaValue[]): LuaValue {
    const name = String(argv[0]).toLowerCase();
    const args = argv.slice(1).map((a) => (typeof a === 'number' ? this.lua.tostring(a) : String(a)));
    const status = (s: string) => {
      const t = new LuaTable();
      t.rawSet('ok', s);
      return t;
    };
    const error = (s: string) => {
      const t = new LuaTable();
      t.rawSet('err', s);
      return t;
    };
    switch (name) {
      case 'set':
        this.store.set(args[0], args[1]);
        return status('OK');
      case 'get':
        return this.store.get(args[0]) ?? false;
      case 'incr': {
        const n = Number(this.store.get(args[0]) ?? '0') + 1;
        this.store.set(args[0], String(n));
        return n;
      }
      case 'echo':
        return args[0];
      case 'ping':
        return status('PONG');
      case 'mget':
        return LuaTable.fromArray(args.map((k) => this.store.get(k) ?? false));
      default:
        return error(`ERR unknown command '${argv[0]}', with args beginning with: `);
    }
  }

  /** EVAL script numkeys key... arg..., as a plain RESP2 reply. */
  eval(script: string, keys: string[] = [], args: string[] = []): Plain {
    const sha = createHash('sha1').update(script, 'latin1').digest('hex');
    let main = this.scripts.get(sha);
    if (main === undefined) {
      try {
        main = this.lua.load(this.lua.compile(script, '@user_script'));
      } catch (e) {
        if (e instanceof LuaSyntaxError) return { err: `ERR Error compiling script (new function): ${e.message}` };
        throw e;
      }
      this.scripts.set(sha, main);
    }
    this.lua.setGlobal('KEYS', LuaTable.fromArray(keys));
    this.lua.setGlobal('ARGV', LuaTable.fromArray(args));
    let result: LuaValue;
    try {
      result = this.lua.call(main)[0];
    } catch (e) {
      if (!(e instanceof LuaError)) throw e;
      return { err: normaliseError(this.errorReply(e, sha)) };
    }
    return this.reply(result);
  }

  /** Redis's __redis__err__handler and luaCallFunction's error reply. */
  private errorReply(e: LuaError, sha: string): string {
    let err = e.value;
    if (!(err instanceof LuaTable)) {
      const t = new LuaTable();
      t.rawSet('err', 'ERR ' + this.lua.tostring(err));
      err = t;
    }
    const msg = err.getStr('err');
    const text = typeof msg === 'string' || typeof msg === 'number' ? this.lua.tostring(msg) : '(error without a message)';
    const where = e.site === null ? '' : ` script: ${sha}, on ${e.site.chunk.source}:${e.site.line}.`;
    return text + where;
  }

  /** luaReplyToRedisReply for RESP2. */
  reply(v: LuaValue): Plain {
    switch (typeof v) {
      case 'string':
        return v;
      case 'boolean':
        return v ? 1 : null;
      case 'number':
        // (long long) of the double: truncation, and x86's INT64_MIN when out of range.
        return v >= -9223372036854775808 && v < 9223372036854775808 ? Math.trunc(v) || 0 : -9223372036854775808;
      default:
        break;
    }
    if (!(v instanceof LuaTable)) return null;
    const err = v.getStr('err');
    if (typeof err === 'string') return { err: normaliseError(err.replace(/[\r\n]/g, ' ')) };
    const ok = v.getStr('ok');
    if (typeof ok === 'string') return { ok: ok.replace(/[\r\n]/g, ' ') };
    const out: Plain[] = [];
    for (let i = 1; ; i++) {
      const item = v.getInt(i);
      if (item === undefined) break;
      out.push(this.reply(item));
    }
    return out;
  }
}
