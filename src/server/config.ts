import { globMatch } from '../store/glob.js';
import { PARAMETERS, type ParamDef } from './config-params.js';

export type ConfigValue = string | number | boolean;

/** Thrown for a bad value; `message` is the reason Redis appends after the argument name. */
export class ConfigValueError extends Error {}

/**
 * The server's configuration: every parameter Sluice knows, its current
 * value, and the rules for reading and changing it (CONFIG GET/SET, the
 * command line and config files all come through here).
 */
export class Config {
  private readonly defs = new Map<string, ParamDef>();
  private readonly values = new Map<string, ConfigValue>();
  /** Called after a parameter changes, so owners can react (limits, logging, hz…). */
  onChange: (name: string) => void = () => {};

  constructor() {
    for (const def of PARAMETERS) {
      this.defs.set(def.name, def);
      if (def.alias) this.defs.set(def.alias, def);
      this.values.set(def.name, parseValue(def, def.default));
    }
  }

  def(name: string): ParamDef | undefined {
    return this.defs.get(name.toLowerCase());
  }

  get(name: string): ConfigValue {
    const def = this.defs.get(name);
    if (def === undefined) throw new Error(`no such config parameter ${name}`);
    return this.values.get(def.name)!;
  }

  num(name: string): number {
    return this.get(name) as number;
  }

  str(name: string): string {
    return this.get(name) as string;
  }

  bool(name: string): boolean {
    return this.get(name) as boolean;
  }

  /** The value as CONFIG GET prints it. */
  text(def: ParamDef): string {
    return formatValue(def, this.values.get(def.name)!);
  }

  /**
   * Sets several parameters at once, all or nothing, as CONFIG SET does.
   * `startup` allows immutable ones (command line and config file).
   * Returns an error reply text or null.
   */
  setMany(pairs: [string, string][], startup = false): string | null {
    const parsed: [ParamDef, ConfigValue][] = [];
    const seen = new Set<string>();
    for (const [rawName, raw] of pairs) {
      const def = this.def(rawName);
      if (def === undefined) return `ERR Unknown option or number of arguments for CONFIG SET - '${rawName}'`;
      const failure = (reason: string) => `ERR CONFIG SET failed (possibly related to argument '${rawName}') - ${reason}`;
      if (seen.has(def.name)) return failure('duplicate parameter');
      seen.add(def.name);
      if (def.immutable && !startup) return failure("can't set immutable config");
      try {
        parsed.push([def, parseValue(def, raw)]);
      } catch (e) {
        if (e instanceof ConfigValueError) return failure(e.message);
        throw e;
      }
    }
    const previous = parsed.map(([def]) => [def, this.values.get(def.name)!] as const);
    try {
      for (const [def, value] of parsed) {
        this.values.set(def.name, value);
        this.onChange(def.name);
      }
    } catch (e) {
      for (const [def, value] of previous) this.values.set(def.name, value);
      for (const [def] of previous) this.onChange(def.name);
      const name = parsed[0][0].name;
      return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${(e as Error).message}`;
    }
    return null;
  }

  /** Parameters whose name (or alias) matches a glob, for CONFIG GET; each once. */
  matching(pattern: string): ParamDef[] {
    const lower = pattern.toLowerCase();
    const out: ParamDef[] = [];
    const seen = new Set<ParamDef>();
    const exact = this.defs.get(lower);
    if (exact !== undefined && !/[*?[\\]/.test(lower)) return [exact];
    for (const [name, def] of this.defs) {
      if (!seen.has(def) && globMatch(lower, name, true)) {
        seen.add(def);
        out.push(def);
      }
    }
    return out;
  }

  /** Every parameter once, for CONFIG REWRITE. */
  all(): ParamDef[] {
    return PARAMETERS;
  }
}

const UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3,
};

/** Redis's memtoull: a number with an optional k/kb/m/mb/g/gb suffix. */
export function parseMemory(raw: string): number | null {
  const m = /^(-?\d+)([a-z]*)$/i.exec(raw);
  if (m === null) return null;
  const unit = UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  return Number(m[1]) * unit;
}

function parseValue(def: ParamDef, raw: string): ConfigValue {
  switch (def.type) {
    case 'bool': {
      const v = raw.toLowerCase();
      if (v === 'yes') return true;
      if (v === 'no') return false;
      throw new ConfigValueError("argument must be 'yes' or 'no'");
    }
    case 'int':
    case 'memory': {
      let n: number | null;
      if (def.type === 'memory') {
        n = parseMemory(raw);
        if (n === null) throw new ConfigValueError('argument must be a memory value');
      } else {
        n = /^-?\d+$/.test(raw) ? Number(raw) : null;
        if (n === null) throw new ConfigValueError("argument couldn't be parsed into an integer");
      }
      const min = def.min ?? 0;
      const max = def.max ?? Number.MAX_SAFE_INTEGER;
      if (n < min || n > max) {
        if (def.type === 'memory' && n < 0) throw new ConfigValueError('argument must be a memory value');
        throw new ConfigValueError(`argument must be between ${min} and ${max} inclusive`);
      }
      return n;
    }
    case 'enum': {
      const v = raw.toLowerCase();
      if (!def.values!.includes(v)) {
        throw new ConfigValueError(`argument(s) must be one of the following: ${def.values!.join(', ')}`);
      }
      return v;
    }
    case 'string':
      if (def.validate) {
        const err = def.validate(raw);
        if (err !== null) throw new ConfigValueError(err);
      }
      return def.normalize ? def.normalize(raw) : raw;
  }
}

function formatValue(def: ParamDef, value: ConfigValue): string {
  switch (def.type) {
    case 'bool':
      return value ? 'yes' : 'no';
    case 'int':
    case 'memory':
      return String(value);
    default:
      return value as string;
  }
}
