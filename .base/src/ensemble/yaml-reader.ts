/**
 * Typed readers for YAML configs: parse with source lines, then read fields the way OmegaConf converts them
 * to a dataclass field's type ("1e-4" → number, "true" → boolean, "[a,b]" → list), with errors that name the
 * key path, the file and line, and the closest known key.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { UserError } from '../util/errors.js';

export type Path = Array<string | number>;

export function pathString(p: Path): string {
  let s = '';
  for (const part of p) {
    if (typeof part === 'number') s += `[${part}]`;
    else s += s ? `.${part}` : part;
  }
  return s || '<root>';
}

export class ConfigContext {
  readonly lines = new Map<string, number>();
  /** Key paths set by command-line overrides → the override as typed. */
  readonly overrides = new Map<string, string>();
  readonly notes: string[] = [];
  constructor(
    readonly file: string,
    readonly displayFile: string,
  ) {}
  /** The override that set `p` or one of its parents, if any. */
  overrideOf(p: Path): string | undefined {
    for (let k = p.length; k > 0; k--) {
      const o = this.overrides.get(pathString(p.slice(0, k)));
      if (o !== undefined) return o;
    }
    return undefined;
  }
  error(p: Path, message: string, code = 'E_CONFIG'): UserError {
    const override = this.overrideOf(p);
    const line = this.lines.get(pathString(p));
    const where = override !== undefined ? `override '${override}'` : line ? `${this.displayFile}:${line}` : this.displayFile;
    return new UserError(`${pathString(p)}: ${message}`, { source: where, code });
  }
}

function indexLines(ctx: ConfigContext, node: YamlNode | null | undefined, p: Path, lc: LineCounter): void {
  if (!node) return;
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
      const kp = [...p, key];
      const range = (item.key as YamlNode | null)?.range ?? (item.value as YamlNode | null)?.range;
      if (range) ctx.lines.set(pathString(kp), lc.linePos(range[0]).line);
      indexLines(ctx, item.value as YamlNode, kp, lc);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const kp = [...p, i];
      const range = (item as YamlNode | null)?.range;
      if (range) ctx.lines.set(pathString(kp), lc.linePos(range[0]).line);
      indexLines(ctx, item as YamlNode, kp, lc);
    });
  }
}

/**
 * Parse YAML 1.1 text (as PyYAML/OmegaConf read it: `yes`/`on` booleans, merge keys) into plain JS, with every
 * key path's line recorded in `ctx`. Syntax errors and empty documents are UserErrors with `file:line`.
 */
export function parseYamlWithLines(ctx: ConfigContext, text: string): unknown {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, version: '1.1', merge: true, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    throw new UserError(`invalid YAML: ${e.message.split('\n')[0]}`, {
      source: line ? `${ctx.displayFile}:${line}` : ctx.displayFile,
      code: 'E_CONFIG_YAML',
    });
  }
  indexLines(ctx, doc.contents as YamlNode, [], lc);
  const js = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (js === null || js === undefined) throw new UserError('the config is empty', { source: ctx.displayFile, code: 'E_CONFIG' });
  return js;
}

// ---------------------------------------------------------------------------------------------------------
// Typed field readers (OmegaConf converts strings to the dataclass field's type)

export type Obj = Record<string, unknown>;

export function suggest(key: string, known: Iterable<string>): string {
  let best = '';
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best && bestD <= Math.max(2, Math.floor(key.length / 3)) ? `; did you mean ${best}?` : '';
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

export function asObject(ctx: ConfigContext, v: unknown, p: Path): Obj {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw ctx.error(p, `expected a mapping, got ${describe(v)}`);
  return v as Obj;
}

export function checkKeys(ctx: ConfigContext, o: Obj, p: Path, known: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw ctx.error([...p, k], `unknown key${suggest(k, known)}`, 'E_CONFIG_UNKNOWN_KEY');
  }
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

export function isMissing(v: unknown): boolean {
  return v === '???'; // OmegaConf's MISSING
}

export function readString(ctx: ConfigContext, v: unknown, p: Path, opts: { required?: boolean; nullable?: boolean } = {}): string | null {
  if (v === undefined || isMissing(v) || v === null) {
    if (v === null && opts.nullable) return null;
    if (opts.required || isMissing(v)) throw ctx.error(p, 'missing mandatory value', 'E_CONFIG_MISSING');
    if (v === null && !opts.nullable) throw ctx.error(p, 'must not be null');
    return null;
  }
  if (typeof v === 'string') {
    if (opts.nullable && (v === 'None' || v === 'null')) return null;
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw ctx.error(p, `expected a string, got ${describe(v)}`);
}

export function readNumber(
  ctx: ConfigContext,
  v: unknown,
  p: Path,
  def: number,
  opts: { integer?: boolean; min?: number; exclusiveMin?: number } = {},
): number {
  if (v === undefined) return def;
  if (isMissing(v)) throw ctx.error(p, 'missing mandatory value', 'E_CONFIG_MISSING');
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v.trim().replace(/_/g, '')))) n = Number(v.trim().replace(/_/g, ''));
  else throw ctx.error(p, `expected ${opts.integer ? 'an integer' : 'a number'}, got ${describe(v)}`);
  if (!Number.isFinite(n)) throw ctx.error(p, `expected a finite number, got ${describe(v)}`);
  if (opts.integer && !Number.isInteger(n)) throw ctx.error(p, `expected an integer, got ${describe(v)}`);
  if (opts.min !== undefined && n < opts.min) throw ctx.error(p, `must be ≥ ${opts.min}, got ${n}`);
  if (opts.exclusiveMin !== undefined && n <= opts.exclusiveMin) throw ctx.error(p, `must be > ${opts.exclusiveMin}, got ${n}`);
  return n;
}

export function readBool(ctx: ConfigContext, v: unknown, p: Path, def: boolean): boolean {
  if (v === undefined) return def;
  if (isMissing(v)) throw ctx.error(p, 'missing mandatory value', 'E_CONFIG_MISSING');
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', 'yes', 'on', '1', 'y'].includes(s)) return true;
    if (['false', 'no', 'off', '0', 'n'].includes(s)) return false;
  }
  throw ctx.error(p, `expected true or false, got ${describe(v)}`);
}

export function readList(ctx: ConfigContext, v: unknown, p: Path): unknown[] | undefined {
  if (v === undefined) return undefined;
  if (isMissing(v)) throw ctx.error(p, 'missing mandatory value', 'E_CONFIG_MISSING');
  if (Array.isArray(v)) return v;
  // Hydra command-line style '[a,b]' strings
  if (typeof v === 'string' && /^\[.*\]$/s.test(v.trim())) {
    const inner = v.trim().slice(1, -1).trim();
    return inner === '' ? [] : inner.split(',').map((x) => x.trim().replace(/^['"]|['"]$/g, ''));
  }
  throw ctx.error(p, `expected a list, got ${describe(v)}`);
}

export function oneOf<T extends string>(ctx: ConfigContext, v: unknown, p: Path, allowed: readonly T[], def?: T): T {
  if (v === undefined && def !== undefined) return def;
  const s = readString(ctx, v, p, { required: true })!;
  if (!(allowed as readonly string[]).includes(s)) {
    throw ctx.error(p, `must be one of ${allowed.join(', ')}, got '${s}'${suggest(s, allowed)}`);
  }
  return s as T;
}
