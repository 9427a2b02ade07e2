/**
 * Hydra command-line overrides, as NeMo's scripts are run (`build_ensemble.py --config-name=ensemble_config.yaml
 * ensemble.0.model=… tune_confidence=True`): `key.path=value` sets (list items by index, `ensemble.0.model` or
 * `ensemble[0].model`), `+key=value` adds a key that must not exist, `++key=value` sets or adds, `~key` deletes.
 * Values follow Hydra's grammar: null, true/false (any case), ints, floats (inf, nan, 1e-4), quoted strings,
 * `[a, b]` lists and `{k: v}` dicts (nested), anything else is a string; `${…}` interpolations stay strings and
 * are resolved afterwards with the rest of the config. Sweeps (`a=1,2`, --multirun) are refused.
 */
import { UserError } from '../util/errors.js';
import { type ConfigContext, pathString, type Path } from './yaml-reader.js';

export interface HydraOverride {
  /** As typed on the command line. */
  text: string;
  op: 'set' | 'add' | 'force' | 'delete';
  path: Path;
  /** Parsed value (undefined for a delete without value). */
  value: unknown;
}

function fail(text: string, message: string): UserError {
  return new UserError(`${message}`, { source: `override '${text}'`, code: 'E_CONFIG_OVERRIDE' });
}

/** True when a command-line word is an override rather than a file name. */
export function looksLikeOverride(arg: string): boolean {
  return /^(\+\+|\+|~)?[A-Za-z_][\w.[\]-]*(=|$)/.test(arg) && (arg.includes('=') || arg.startsWith('~'));
}

function parseKey(text: string, key: string): Path {
  if (!/^[A-Za-z_][\w-]*(\.[\w-]+|\[\d+\])*$/.test(key)) throw fail(text, `cannot parse the key '${key}' (expected a.b.c or list.0.key)`);
  const out: Path = [];
  for (const m of key.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
  }
  return out;
}

/** Hydra's primitive conversion of an unquoted token. */
function primitive(tok: string): unknown {
  const s = tok.trim();
  if (/^null$/i.test(s)) return null;
  if (/^true$/i.test(s)) return true;
  if (/^false$/i.test(s)) return false;
  if (/^[+-]?\d[\d_]*$/.test(s)) return Number(s.replace(/_/g, ''));
  if (/^[+-]?(\d[\d_]*)?(\.\d[\d_]*)?([eE][+-]?\d+)?$/.test(s) && /\d/.test(s) && /[.eE]/.test(s)) return Number(s.replace(/_/g, ''));
  if (/^[+-]?inf$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  return s;
}

class ValueParser {
  i = 0;
  constructor(
    readonly s: string,
    readonly text: string,
  ) {}
  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }
  value(stops: string): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '[') return this.list();
    if (c === '{') return this.dict();
    if (c === "'" || c === '"') {
      const v = this.quoted();
      this.ws();
      return v;
    }
    return primitive(this.token(stops));
  }
  /** Unquoted text up to a stop character outside `${…}`. */
  token(stops: string): string {
    const start = this.i;
    let depth = 0;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '$' && this.s[this.i + 1] === '{') {
        depth++;
        this.i += 2;
        continue;
      }
      if (c === '}' && depth > 0) {
        depth--;
        this.i++;
        continue;
      }
      if (depth === 0 && stops.includes(c)) break;
      this.i++;
    }
    return this.s.slice(start, this.i).trim();
  }
  quoted(): string {
    const q = this.s[this.i];
    let out = '';
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== q) {
      if (this.s[this.i] === '\\' && (this.s[this.i + 1] === q || this.s[this.i + 1] === '\\')) this.i++;
      out += this.s[this.i++];
    }
    if (this.s[this.i] !== q) throw fail(this.text, `unterminated ${q} quote`);
    this.i++;
    return out;
  }
  expect(c: string): void {
    this.ws();
    if (this.s[this.i] !== c) throw fail(this.text, `expected '${c}' at position ${this.i + 1} of the value`);
    this.i++;
  }
  list(): unknown[] {
    this.expect('[');
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(',]'));
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else break;
    }
    this.expect(']');
    return out;
  }
  dict(): Record<string, unknown> {
    this.expect('{');
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      const key = this.s[this.i] === "'" || this.s[this.i] === '"' ? this.quoted() : this.token(':,}');
      if (!key) throw fail(this.text, `empty key in a dict at position ${this.i + 1}`);
      this.expect(':');
      out[key] = this.value(',}');
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else break;
    }
    this.expect('}');
    return out;
  }
}

/** Parse a Hydra override value (the text after `=`). */
export function parseOverrideValue(raw: string, text = raw): unknown {
  const p = new ValueParser(raw, text);
  const v = p.value(',');
  p.ws();
  if (p.i < raw.length) {
    if (raw[p.i] === ',') {
      throw fail(text, 'comma-separated values are a Hydra sweep (--multirun), which ensemble build does not run; use [a,b] for a list or quote the value');
    }
    throw fail(text, `unexpected '${raw.slice(p.i)}' after the value`);
  }
  return v;
}

/** Parse one command-line override. */
export function parseOverride(text: string): HydraOverride {
  const m = /^(\+\+|\+|~)?([^=]+)(?:=(.*))?$/s.exec(text);
  if (!m) throw fail(text, 'expected key=value, +key=value, ++key=value or ~key');
  const prefix = m[1] ?? '';
  const op = prefix === '++' ? 'force' : prefix === '+' ? 'add' : prefix === '~' ? 'delete' : 'set';
  if (op !== 'delete' && m[3] === undefined) throw fail(text, 'expected key=value');
  const path = parseKey(text, m[2].trim());
  return { text, op, path, value: m[3] === undefined ? undefined : parseOverrideValue(m[3], text) };
}

type Container = Record<string, unknown> | unknown[];

/**
 * Apply overrides in order to the parsed config (before interpolation, as Hydra composes before OmegaConf
 * resolves). Records each overridden key path in `ctx.overrides` so errors name the override, not a line.
 * `hydra.*` overrides configure Hydra itself and are ignored with a note.
 */
export function applyOverrides(ctx: ConfigContext, root: Record<string, unknown>, overrides: readonly string[]): void {
  for (const text of overrides) {
    const o = parseOverride(text);
    if (o.path[0] === 'hydra') {
      ctx.notes.push(`override '${text}': Hydra's own settings do not apply here; ignored`);
      continue;
    }
    let cur: Container = root;
    for (let k = 0; k < o.path.length - 1; k++) {
      const part = o.path[k];
      const next = getChild(cur, part);
      if (next === undefined || next === null || next === '???' || typeof next !== 'object') {
        if (Array.isArray(cur)) throw fail(text, `${pathString(o.path.slice(0, k + 1))} is not in the list (it has ${cur.length} item(s))`);
        if (o.op === 'delete') throw fail(text, `cannot delete ${pathString(o.path)}: ${pathString(o.path.slice(0, k + 1))} is not set`);
        const child: Container = typeof o.path[k + 1] === 'number' ? [] : {};
        setChild(cur, part, child, text);
        cur = child;
      } else cur = next as Container;
    }
    const last = o.path[o.path.length - 1];
    const exists = getChild(cur, last) !== undefined;
    if (o.op === 'delete') {
      if (!exists) throw fail(text, `cannot delete ${pathString(o.path)}: it is not set`);
      if (Array.isArray(cur)) cur.splice(last as number, 1);
      else delete cur[String(last)];
    } else {
      if (o.op === 'add' && exists) throw fail(text, `${pathString(o.path)} is already set; use ${pathString(o.path)}=… to change it or ++ to force`);
      if (Array.isArray(cur) && typeof last === 'number' && last >= cur.length && o.op === 'set') {
        throw fail(text, `${pathString(o.path)}: the list has ${cur.length} item(s)`);
      }
      setChild(cur, last, o.value, text);
      ctx.overrides.set(pathString(o.path), text);
    }
  }
}

function getChild(c: Container, part: string | number): unknown {
  if (Array.isArray(c)) return typeof part === 'number' ? c[part] : undefined;
  return Object.prototype.hasOwnProperty.call(c, String(part)) ? c[String(part)] : undefined;
}

function setChild(c: Container, part: string | number, v: unknown, text: string): void {
  if (Array.isArray(c)) {
    if (typeof part !== 'number') throw fail(text, `'${part}' indexes a list; use a number`);
    if (part > c.length) throw fail(text, `index ${part} is past the end of the list (${c.length} item(s))`);
    c[part] = v;
  } else c[String(part)] = v;
}
