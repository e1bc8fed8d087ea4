import type { ConfigReader } from '../core/context.js';
import { globMatch } from '../core/glob.js';
import { PARAMETERS, type ParamDef } from './config-params.js';
import { ConfigValueError, defaultValue, displayValue, formatValue, parseValue, type ConfigValue } from './config-values.js';

/**
 * A name CONFIG knows: a parameter's own name or its alias. As in Redis an
 * alias is an entry of its own, so CONFIG GET lists both names and CONFIG SET
 * may name both in one call.
 */
interface Entry {
  name: string;
  def: ParamDef;
}

const LOADING = 'LOADING Redis is loading the dataset in memory';

/** Pattern characters that make CONFIG GET match rather than look up (Redis's strpbrk "[*?"). */
const GLOB_CHARS = /[[*?]/;

/**
 * The server's configuration: every parameter Sluice knows, its current
 * value, and the rules for reading and changing it (CONFIG GET/SET, the
 * command line and config files all come through here).
 */
export class Config {
  private readonly entries = new Map<string, Entry>();
  private readonly values = new Map<ParamDef, ConfigValue>();
  /**
   * num()'s answers by the name asked, emptied whenever a value changes:
   * the families read their encoding thresholds on every write (HSET reads
   * two), and a case-folded double lookup plus a BigInt conversion each
   * time showed in profiles.
   */
  private readonly numbers = new Map<string, number>();
  /** derived()'s keys and answers, side by side, emptied with `numbers`. */
  private readonly derivedKeys: object[] = [];
  private readonly derivedValues: unknown[] = [];
  /** Called after parameters change, so owners can react (limits, logging, hz…). */
  onChange: (name: string) => void = () => {};

  constructor() {
    for (const def of PARAMETERS) {
      this.entries.set(def.name, { name: def.name, def });
      if (def.alias) this.entries.set(def.alias, { name: def.alias, def });
      this.values.set(def, defaultValue(def));
    }
  }

  private entry(name: string): Entry | undefined {
    return this.entries.get(name.toLowerCase());
  }

  /** The parameter a name or alias (any case) refers to. */
  def(name: string): ParamDef | undefined {
    return this.entry(name)?.def;
  }

  get(name: string): ConfigValue {
    const def = this.def(name);
    if (def === undefined) throw new Error(`no such config parameter ${name}`);
    return this.values.get(def)!;
  }

  num(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = Number(this.get(name) as bigint);
      this.numbers.set(name, n);
    }
    return n;
  }

  /**
   * What `make` computes from parameters, kept until a parameter changes:
   * the collection families ask for their encoding limits on every write,
   * and one lookup is cheaper than a lookup per limit and an object each
   * time. `key` names the derivation; the answer must not be changed.
   */
  derived<T>(key: object, make: (config: ConfigReader) => T): T {
    // A handful of derivations: a scan of their keys by identity costs less than hashing the key for a map.
    const keys = this.derivedKeys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.derivedValues[i] as T;
    const v = make(this);
    keys.push(key);
    this.derivedValues.push(v);
    return v;
  }

  private forgetDerived(): void {
    this.numbers.clear();
    this.derivedKeys.length = 0;
    this.derivedValues.length = 0;
  }

  str(name: string): string {
    return this.get(name) as string;
  }

  bool(name: string): boolean {
    return this.get(name) as boolean;
  }

  value(def: ParamDef): ConfigValue {
    return this.values.get(def)!;
  }

  /** The value in a form that sets it again (CONFIG GET's for numbers, which keeps octal and percent; the stored one for strings). */
  settable(def: ParamDef): string {
    const value = this.values.get(def)!;
    return typeof value === 'bigint' ? this.text(def) : formatValue(value);
  }

  /** The value as CONFIG GET prints it. */
  text(def: ParamDef): string {
    return displayValue(def, this.values.get(def)!);
  }

  isDefault(def: ParamDef): boolean {
    return this.values.get(def) === defaultValue(def);
  }

  /**
   * The parameters set away from their defaults that Sluice does nothing
   * with: start-up names them once (a stock redis.conf sets many
   * parameters to their defaults, which would only be noise).
   */
  withoutEffect(): ParamDef[] {
    return PARAMETERS.filter((def) => def.support === 'none' && !this.isDefault(def));
  }

  /**
   * Sets several parameters at once, all or nothing, as CONFIG SET does:
   * first every name is checked (unknown, immutable, protected, repeated),
   * then every value, and only then is anything changed. `startup` allows
   * immutable and protected ones (command line and config file);
   * `allowProtected` allows protected ones at run time
   * (enable-protected-configs); `loading` refuses those that may not change
   * while the dataset loads. Returns an error reply text or null.
   */
  setMany(
    pairs: readonly (readonly [string, string])[],
    options: { startup?: boolean; allowProtected?: boolean; loading?: boolean } = {},
  ): string | null {
    const startup = options.startup ?? false;
    const allowProtected = options.allowProtected ?? startup;
    const found: Entry[] = [];
    for (const [rawName] of pairs) {
      const e = this.entry(rawName);
      if (e === undefined) return `ERR Unknown option or number of arguments for CONFIG SET - '${rawName}'`;
      const refusal = (reason: string) => `ERR CONFIG SET failed (possibly related to argument '${rawName}') - ${reason}`;
      if (!startup && e.def.immutable) return refusal("can't set immutable config");
      if (!allowProtected && e.def.protected) return refusal("can't set protected config");
      if (options.loading && e.def.denyLoading) return LOADING;
      if (found.includes(e)) return refusal('duplicate parameter');
      found.push(e);
    }
    const parsed: ConfigValue[] = [];
    for (let i = 0; i < pairs.length; i++) {
      try {
        const def = found[i].def;
        let value = parseValue(def, pairs[i][1], this.values.get(def));
        const refusal = startup ? null : def.checkAtRunTime?.(value as string);
        if (refusal) throw new ConfigValueError(refusal);
        if (!startup && def.runTimeMin !== undefined && (value as bigint) < def.runTimeMin) value = def.runTimeMin;
        parsed.push(value);
      } catch (e) {
        if (!(e instanceof ConfigValueError)) throw e;
        // Redis names the parameter as registered here, not as the client spelled it.
        return `ERR CONFIG SET failed (possibly related to argument '${found[i].name}') - ${e.message}`;
      }
    }
    const previous = found.map((e) => this.values.get(e.def)!);
    this.forgetDerived();
    try {
      for (let i = 0; i < found.length; i++) this.values.set(found[i].def, parsed[i]);
      for (const e of found) this.onChange(e.def.name);
    } catch (e) {
      for (let i = found.length - 1; i >= 0; i--) this.values.set(found[i].def, previous[i]);
      this.forgetDerived();
      for (const f of found) {
        try {
          this.onChange(f.def.name);
        } catch {
          // The values restored are those that applied before: as Redis's restoreBackupConfig, a failure now changes no answer.
        }
      }
      return `ERR CONFIG SET failed (possibly related to argument '${found[0].name}') - ${(e as Error).message}`;
    }
    return null;
  }

  /**
   * CONFIG GET: each argument is a name (answered under the spelling asked
   * for) or a glob over every name and alias but the hidden ones; a
   * parameter named twice is listed once. Returns [name, value] pairs.
   */
  lookup(patterns: readonly string[]): [string, string][] {
    const out = new Map<string, [string, ParamDef]>();
    for (const p of patterns) {
      if (!GLOB_CHARS.test(p)) {
        const e = this.entry(p);
        if (e !== undefined && !out.has(e.name)) out.set(e.name, [p, e.def]);
        continue;
      }
      for (const e of this.entries.values()) {
        if (!e.def.hidden && !out.has(e.name) && globMatch(p, e.name, true)) out.set(e.name, [e.name, e.def]);
      }
    }
    return [...out.values()].map(([name, def]) => [name, this.text(def)]);
  }

  /** Every parameter once, under its own name, for CONFIG REWRITE. */
  all(): readonly ParamDef[] {
    return PARAMETERS;
  }
}
