/**
 * `ensemble build` configuration: NeMo's `build_ensemble.py` YAML (spec §2.4), with its version variants
 * (§2.7: `measure_cfg`, `temperature` inside the method config meaning alpha, `renui`), OmegaConf's
 * `${oc.env:VAR}` / `${oc.env:VAR,default}` / `${path.to.key}` interpolation, and our per-model additions
 * `name`, `lm`, `lm_alpha`, `lm_beta`, `test_manifest`. Every unknown key is an error naming its path (typo protection).
 */
import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { UserError } from '../util/errors.js';
import { AGGREGATIONS, confidenceKey, DEFAULT_CONFIDENCE_SPEC, ENTROPY_NORMS, ENTROPY_TYPES, nemoTuningGrid, type ConfidenceSpec } from '../confidence/index.js';

export type Aggregation = ConfidenceSpec['aggregation'];
export type MultiClass = 'ovr' | 'multinomial';
export type ClassWeight = 'balanced' | null;

/** One `ensemble:` entry, paths resolved against the YAML's folder. */
export interface EnsembleMemberConfig {
  index: number;
  /** Display name: `name`, or the model folder's basename (made unique with `-2`, `-3`, …). */
  name: string;
  /** Absolute path of the model folder (an ONNX export). */
  model: string;
  trainingManifest: string;
  devManifest: string | null;
  maxTrainingSamples: number;
  /** Absolute path of the member's n-gram LM (ARPA or compiled binary), or null. */
  lm: string | null;
  lmAlpha: number | null;
  lmBeta: number | null;
  /** Absolute path of the member's labelled test manifest (`test_manifest`, ours; used by `ensemble eval`), or null. */
  testManifest: string | null;
}

export interface TuneConfidenceConfig {
  excludeBlank: boolean[];
  aggregation: Aggregation[];
  /** NeMo names, normalised: `max_prob` or `entropy_{gibbs|tsallis|renyi}_{lin|exp}`. */
  confidenceType: string[];
  alpha: number[];
}

export interface TuneLogisticRegressionConfig {
  cNumPoints: number;
  cMin: number;
  cMax: number;
  multiClass: MultiClass[];
  classWeight: ClassWeight[];
  maxIter: number;
}

/** The keys of NeMo's `transcription:` block that this runtime acts on; the others are accepted and ignored. */
export interface TranscriptionSettings {
  /** Manifest key of the audio path (`audio_key`, default `audio_filepath`). */
  audioKey: string;
  /** Manifest key of the reference text (`gt_text_attr_name`, default `text`). */
  textKey: string;
}

export interface BuildConfig {
  /** Absolute path of the YAML file (or '<string>'). */
  file: string;
  /** Folder relative paths resolve against. */
  baseDir: string;
  /** Absolute output path as written in the YAML (`output_path`), or null when absent. */
  outputPath: string | null;
  ensemble: EnsembleMemberConfig[];
  randomSeed: number;
  temperature: number;
  confidence: ConfidenceSpec;
  tuneConfidence: boolean;
  tuneConfidenceConfig: TuneConfidenceConfig;
  /** After NeMo's `__post_init__`: forced to false when there is no dev data. */
  tuneLogisticRegression: boolean;
  tuneLogisticRegressionConfig: TuneLogisticRegressionConfig;
  transcription: TranscriptionSettings;
  /**
   * `early_route_seconds` (beyond NeMo): the selector is trained on confidences of the first S seconds of each
   * utterance, and inference routes on the first S seconds by default (`Ensemble.transcribe`). null: whole utterances.
   */
  earlyRouteSeconds: number | null;
  /** Things accepted but ignored or rewritten (old NeMo spellings), worth telling the user. */
  notes: string[];
}

export interface ParseOptions {
  /** Path of the YAML file (for messages and for resolving relative paths). */
  file?: string;
  /** Environment for `${oc.env:…}` (default process.env). */
  env?: Record<string, string | undefined>;
}

export const DEFAULT_CONFIDENCE: Readonly<ConfidenceSpec> = DEFAULT_CONFIDENCE_SPEC;

export const DEFAULT_TUNE_CONFIDENCE: TuneConfidenceConfig = {
  excludeBlank: [true, false],
  aggregation: ['mean', 'min', 'max'],
  confidenceType: [
    'entropy_renyi_exp',
    'entropy_renyi_lin',
    'entropy_tsallis_exp',
    'entropy_tsallis_lin',
    'entropy_gibbs_lin',
    'entropy_gibbs_exp',
  ],
  alpha: [0.25, 0.33, 0.5, 1.0],
};

export const DEFAULT_TUNE_LR: TuneLogisticRegressionConfig = {
  cNumPoints: 10,
  cMin: 0.0001,
  cMax: 10.0,
  multiClass: ['ovr', 'multinomial'],
  classWeight: [null, 'balanced'],
  maxIter: 1000,
};


/**
 * Every key of NeMo's `TranscriptionConfig` (examples/asr/transcribe_speech.py) across the releases that
 * shipped confidence ensembles (v1.19 – v2.5). Nested blocks (ctc_decoding, …) are accepted as a whole.
 */
const TRANSCRIPTION_KEYS = new Set([
  'model_path', 'pretrained_name', 'audio_dir', 'dataset_manifest', 'channel_selector', 'audio_key',
  'eval_config_yaml', 'presort_manifest', 'output_filename', 'batch_size', 'num_workers', 'append_pred',
  'pred_name_postfix', 'random_seed', 'timestamps', 'compute_timestamps', 'return_hypotheses', 'compute_langs',
  'cuda', 'allow_mps', 'amp', 'amp_dtype', 'compute_dtype', 'matmul_precision', 'audio_type',
  'overwrite_transcripts', 'ctc_decoding', 'rnnt_decoding', 'multitask_decoding', 'prompt', 'decoder_type',
  'att_context_size', 'model_change', 'calculate_wer', 'clean_groundtruth_text', 'langid', 'use_cer',
  'return_transcriptions', 'gt_text_attr_name', 'gt_lang_attr_name', 'extract_nbest', 'calculate_rtfx',
  'warmup_steps', 'run_steps', 'preserve_alignment', 'text_processing', 'ctc_lm', 'output_dir',
]);

// ---------------------------------------------------------------------------------------------------------
// YAML loading with source positions

type Path = Array<string | number>;

function pathString(p: Path): string {
  let s = '';
  for (const part of p) {
    if (typeof part === 'number') s += `[${part}]`;
    else s += s ? `.${part}` : part;
  }
  return s || '<root>';
}

class Ctx {
  readonly lines = new Map<string, number>();
  readonly notes: string[] = [];
  constructor(
    readonly file: string,
    readonly displayFile: string,
  ) {}
  error(p: Path, message: string, code = 'E_CONFIG'): UserError {
    const line = this.lines.get(pathString(p));
    const where = line ? `${this.displayFile}:${line}` : this.displayFile;
    return new UserError(`${pathString(p)}: ${message}`, { source: where, code });
  }
}

function indexLines(ctx: Ctx, node: YamlNode | null | undefined, p: Path, lc: LineCounter): void {
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

// ---------------------------------------------------------------------------------------------------------
// OmegaConf interpolation

const MISSING = Symbol('missing');

function resolveInterpolations(ctx: Ctx, root: unknown, env: Record<string, string | undefined>): unknown {
  const resolving = new Set<string>();

  const getNode = (p: Path, ref: string, from: Path): unknown => {
    let cur: unknown = root;
    for (const part of ref.split('.')) {
      if (part === '') continue;
      if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
      else if (cur && typeof cur === 'object' && !Array.isArray(cur) && part in (cur as object))
        cur = (cur as Record<string, unknown>)[part];
      else throw ctx.error(from, `interpolation \${${ref}}: key '${ref}' not found`);
    }
    void p;
    return cur;
  };

  const resolveValue = (v: unknown, p: Path): unknown => {
    if (typeof v === 'string') return resolveString(v, p);
    if (Array.isArray(v)) return v.map((x, i) => resolveValue(x, [...p, i]));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = resolveValue(x, [...p, k]);
      return out;
    }
    return v;
  };

  const evalExpr = (expr: string, p: Path): unknown => {
    const m = /^\s*([A-Za-z_][\w.]*)\s*:(.*)$/s.exec(expr);
    if (m) {
      const resolver = m[1]!;
      const args = splitArgs(m[2]!);
      if (resolver === 'oc.env' || resolver === 'env') {
        const name = args[0]?.value ?? '';
        if (!name) throw ctx.error(p, `\${${expr}}: oc.env needs a variable name`);
        const val = env[name];
        if (val !== undefined) return val;
        if (args.length >= 2) {
          const d = args.slice(1).map((a) => a.raw).join(',');
          const a = args[1]!;
          if (args.length === 2 && !a.quoted && a.value === 'null') return null;
          return args.length === 2 ? a.value : d;
        }
        throw ctx.error(
          p,
          `environment variable ${name} is not set (\${${expr}}); set it or give a default: \${oc.env:${name},default}`,
          'E_CONFIG_ENV',
        );
      }
      throw ctx.error(p, `unsupported interpolation resolver '${resolver}' in \${${expr}} (supported: oc.env)`);
    }
    const ref = expr.trim();
    if (!/^[\w.[\]-]+$/.test(ref)) throw ctx.error(p, `cannot parse interpolation \${${expr}}`);
    const key = ref.replace(/\[(\d+)\]/g, '.$1');
    if (key.startsWith('.')) throw ctx.error(p, `relative interpolation \${${expr}} is not supported; use the absolute key`);
    if (resolving.has(key)) throw ctx.error(p, `interpolation cycle through \${${expr}}`);
    resolving.add(key);
    try {
      const target = getNode(p, key, p);
      return resolveValue(target, key.split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : x)));
    } finally {
      resolving.delete(key);
    }
  };

  function resolveString(s: string, p: Path): unknown {
    if (!s.includes('${')) return s.replace(/\\\$\{/g, '${');
    // A string that is exactly one interpolation keeps the type of its value.
    const whole = /^\$\{([^{}]*)\}$/.exec(s);
    if (whole) return evalExpr(whole[1]!, p);
    let out = '';
    let i = 0;
    while (i < s.length) {
      if (s.startsWith('\\${', i)) {
        out += '${';
        i += 3;
        continue;
      }
      if (s.startsWith('${', i)) {
        const end = s.indexOf('}', i);
        if (end < 0) throw ctx.error(p, `unterminated interpolation in '${s}'`);
        const v = evalExpr(s.slice(i + 2, end), p);
        out += v === null ? 'None' : String(v);
        i = end + 1;
        continue;
      }
      out += s[i];
      i++;
    }
    return out;
  }

  return resolveValue(root, []);
}

function splitArgs(s: string): Array<{ value: string; raw: string; quoted: boolean }> {
  const out: Array<{ value: string; raw: string; quoted: boolean }> = [];
  let i = 0;
  while (i <= s.length) {
    while (i < s.length && s[i] === ' ') i++;
    const q = s[i];
    if (q === "'" || q === '"') {
      let j = i + 1;
      let v = '';
      while (j < s.length && s[j] !== q) {
        if (s[j] === '\\' && j + 1 < s.length) {
          v += s[j + 1];
          j += 2;
        } else v += s[j++];
      }
      const raw = s.slice(i, j + 1);
      out.push({ value: v, raw, quoted: true });
      i = j + 1;
      while (i < s.length && s[i] !== ',') i++;
      i++;
    } else {
      let j = s.indexOf(',', i);
      if (j < 0) j = s.length;
      const raw = s.slice(i, j).trim();
      out.push({ value: raw, raw, quoted: false });
      i = j + 1;
    }
    if (i > s.length) break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Typed field readers (OmegaConf converts strings to the dataclass field's type)

type Obj = Record<string, unknown>;

function suggest(key: string, known: Iterable<string>): string {
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

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

function asObject(ctx: Ctx, v: unknown, p: Path): Obj {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw ctx.error(p, `expected a mapping, got ${describe(v)}`);
  return v as Obj;
}

function checkKeys(ctx: Ctx, o: Obj, p: Path, known: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw ctx.error([...p, k], `unknown key${suggest(k, known)}`, 'E_CONFIG_UNKNOWN_KEY');
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function isMissing(v: unknown): boolean {
  return v === '???' || v === MISSING;
}

function readString(ctx: Ctx, v: unknown, p: Path, opts: { required?: boolean; nullable?: boolean } = {}): string | null {
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

function readNumber(
  ctx: Ctx,
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

function readBool(ctx: Ctx, v: unknown, p: Path, def: boolean): boolean {
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

function readList(ctx: Ctx, v: unknown, p: Path): unknown[] | undefined {
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

function oneOf<T extends string>(ctx: Ctx, v: unknown, p: Path, allowed: readonly T[], def?: T): T {
  if (v === undefined && def !== undefined) return def;
  const s = readString(ctx, v, p, { required: true })!;
  if (!(allowed as readonly string[]).includes(s)) {
    throw ctx.error(p, `must be one of ${allowed.join(', ')}, got '${s}'${suggest(s, allowed)}`);
  }
  return s as T;
}

// ---------------------------------------------------------------------------------------------------------
// Confidence blocks

function normaliseEntropyType(ctx: Ctx, v: unknown, p: Path, def: string): 'gibbs' | 'tsallis' | 'renyi' {
  if (v === undefined) return def as 'gibbs' | 'tsallis' | 'renyi';
  const s = readString(ctx, v, p, { required: true })!;
  if (s === 'renui') {
    ctx.notes.push(`${pathString(p)}: 'renui' (NeMo ≤ 1.20 spelling) read as 'renyi'`);
    return 'renyi';
  }
  return oneOf(ctx, s, p, ENTROPY_TYPES);
}

/** NeMo `ConfidenceConfig` with `method_cfg` / `measure_cfg`, merged onto the build script's defaults. */
function readConfidence(ctx: Ctx, v: unknown, p: Path): ConfidenceSpec {
  const o = asObject(ctx, v, p);
  checkKeys(ctx, o, p, [
    'preserve_frame_confidence',
    'preserve_token_confidence',
    'preserve_word_confidence',
    'exclude_blank',
    'aggregation',
    'method_cfg',
    'measure_cfg',
    'tdt_include_duration',
  ]);
  for (const k of ['preserve_frame_confidence', 'preserve_token_confidence', 'preserve_word_confidence', 'tdt_include_duration']) {
    if (k in o) readBool(ctx, o[k], [...p, k], false); // accepted (type-checked), no effect here
  }
  if ('method_cfg' in o && 'measure_cfg' in o) {
    throw ctx.error([...p, 'measure_cfg'], 'give either method_cfg or measure_cfg (its NeMo 1.21 name), not both');
  }
  const mkey = 'measure_cfg' in o ? 'measure_cfg' : 'method_cfg';
  if (mkey === 'measure_cfg') ctx.notes.push(`${pathString([...p, 'measure_cfg'])}: NeMo 1.21 name, read as method_cfg`);
  const mp = [...p, mkey];
  const m = asObject(ctx, o[mkey], mp);
  checkKeys(ctx, m, mp, ['name', 'entropy_type', 'alpha', 'entropy_norm', 'temperature']);
  const spec: ConfidenceSpec = { ...DEFAULT_CONFIDENCE };
  spec.excludeBlank = readBool(ctx, o.exclude_blank, [...p, 'exclude_blank'], DEFAULT_CONFIDENCE.excludeBlank);
  spec.aggregation = oneOf(ctx, o.aggregation, [...p, 'aggregation'], AGGREGATIONS, DEFAULT_CONFIDENCE.aggregation);
  spec.method = oneOf(ctx, m.name, [...mp, 'name'], ['max_prob', 'entropy'] as const, DEFAULT_CONFIDENCE.method);
  spec.entropyType = normaliseEntropyType(ctx, m.entropy_type, [...mp, 'entropy_type'], DEFAULT_CONFIDENCE.entropyType);
  spec.entropyNorm = oneOf(ctx, m.entropy_norm, [...mp, 'entropy_norm'], ENTROPY_NORMS, DEFAULT_CONFIDENCE.entropyNorm);
  let alpha = readNumber(ctx, m.alpha, [...mp, 'alpha'], DEFAULT_CONFIDENCE.alpha);
  // NeMo ≤ 1.20 called alpha `temperature` (and later versions still copy it to alpha). The string
  // 'DEPRECATED' is the later versions' placeholder default.
  if (m.temperature !== undefined && m.temperature !== 'DEPRECATED') {
    if (m.alpha !== undefined) {
      throw ctx.error([...mp, 'temperature'], 'give either alpha or temperature (its NeMo ≤ 1.20 name), not both');
    }
    alpha = readNumber(ctx, m.temperature, [...mp, 'temperature'], alpha);
    ctx.notes.push(`${pathString([...mp, 'temperature'])}: NeMo ≤ 1.20 name of alpha, read as alpha = ${alpha}`);
  }
  if (!(alpha > 0)) throw ctx.error([...mp, m.alpha === undefined ? 'temperature' : 'alpha'], `alpha must be > 0, got ${alpha}`);
  spec.alpha = spec.method === 'max_prob' ? 1.0 : alpha; // the ensemble ignores alpha for max_prob (spec §1.3)
  return spec;
}

function readTuneConfidence(ctx: Ctx, v: unknown, p: Path): TuneConfidenceConfig {
  const o = asObject(ctx, v, p);
  checkKeys(ctx, o, p, ['exclude_blank', 'aggregation', 'confidence_type', 'alpha']);
  const out: TuneConfidenceConfig = {
    excludeBlank: [...DEFAULT_TUNE_CONFIDENCE.excludeBlank],
    aggregation: [...DEFAULT_TUNE_CONFIDENCE.aggregation],
    confidenceType: [...DEFAULT_TUNE_CONFIDENCE.confidenceType],
    alpha: [...DEFAULT_TUNE_CONFIDENCE.alpha],
  };
  const eb = readList(ctx, o.exclude_blank, [...p, 'exclude_blank']);
  if (eb) out.excludeBlank = eb.map((x, i) => readBool(ctx, x, [...p, 'exclude_blank', i], true));
  const ag = readList(ctx, o.aggregation, [...p, 'aggregation']);
  if (ag) out.aggregation = ag.map((x, i) => oneOf(ctx, x, [...p, 'aggregation', i], AGGREGATIONS));
  const ct = readList(ctx, o.confidence_type, [...p, 'confidence_type']);
  if (ct) {
    out.confidenceType = ct.map((x, i) => {
      const ip = [...p, 'confidence_type', i];
      const s = readString(ctx, x, ip, { required: true })!;
      const m = /^entropy_(gibbs|tsallis|renyi|renui)_(lin|exp)$/.exec(s);
      if (s === 'max_prob') return s;
      if (!m) {
        const allowed = ['max_prob', ...ENTROPY_TYPES.flatMap((t) => ENTROPY_NORMS.map((n) => `entropy_${t}_${n}`))];
        throw ctx.error(ip, `unknown confidence type '${s}'${suggest(s, allowed)} (allowed: ${allowed.join(', ')})`);
      }
      if (m[1] === 'renui') ctx.notes.push(`${pathString(ip)}: 'renui' read as 'renyi'`);
      return `entropy_${m[1] === 'renui' ? 'renyi' : m[1]}_${m[2]}`;
    });
  }
  const al = readList(ctx, o.alpha, [...p, 'alpha']);
  if (al) out.alpha = al.map((x, i) => readNumber(ctx, x, [...p, 'alpha', i], 0, { exclusiveMin: 0 }));
  for (const [k, list] of Object.entries({
    exclude_blank: out.excludeBlank,
    aggregation: out.aggregation,
    confidence_type: out.confidenceType,
    alpha: out.alpha,
  })) {
    if (list.length === 0) throw ctx.error([...p, k], 'must not be empty');
  }
  return out;
}

function readTuneLr(ctx: Ctx, v: unknown, p: Path): TuneLogisticRegressionConfig {
  const o = asObject(ctx, v, p);
  checkKeys(ctx, o, p, ['C_num_points', 'C_min', 'C_max', 'C_range', 'multi_class', 'class_weight', 'max_iter']);
  const out: TuneLogisticRegressionConfig = { ...DEFAULT_TUNE_LR, multiClass: [...DEFAULT_TUNE_LR.multiClass], classWeight: [...DEFAULT_TUNE_LR.classWeight] };
  out.cNumPoints = readNumber(ctx, o.C_num_points, [...p, 'C_num_points'], out.cNumPoints, { integer: true, min: 1 });
  if (o.C_range !== undefined) {
    // NeMo 1.19's TuneLogisticRegressionConfig: C_range: (min, max)
    if (o.C_min !== undefined || o.C_max !== undefined) {
      throw ctx.error([...p, 'C_range'], 'give either C_range (NeMo 1.19) or C_min/C_max, not both');
    }
    const r = readList(ctx, o.C_range, [...p, 'C_range'])!;
    if (r.length !== 2) throw ctx.error([...p, 'C_range'], `expected [C_min, C_max], got ${r.length} values`);
    out.cMin = readNumber(ctx, r[0], [...p, 'C_range', 0], 0, { exclusiveMin: 0 });
    out.cMax = readNumber(ctx, r[1], [...p, 'C_range', 1], 0, { exclusiveMin: 0 });
  } else {
    out.cMin = readNumber(ctx, o.C_min, [...p, 'C_min'], out.cMin, { exclusiveMin: 0 });
    out.cMax = readNumber(ctx, o.C_max, [...p, 'C_max'], out.cMax, { exclusiveMin: 0 });
  }
  const mc = readList(ctx, o.multi_class, [...p, 'multi_class']);
  if (mc) out.multiClass = mc.map((x, i) => oneOf(ctx, x, [...p, 'multi_class', i], ['ovr', 'multinomial'] as const));
  const cw = readList(ctx, o.class_weight, [...p, 'class_weight']);
  if (cw) {
    out.classWeight = cw.map((x, i) => {
      const s = readString(ctx, x, [...p, 'class_weight', i], { nullable: true });
      if (s === null) return null;
      return oneOf(ctx, s, [...p, 'class_weight', i], ['balanced'] as const);
    });
  }
  out.maxIter = readNumber(ctx, o.max_iter, [...p, 'max_iter'], out.maxIter, { integer: true, min: 1 });
  if (o.max_iter !== undefined) {
    ctx.notes.push(`${pathString([...p, 'max_iter'])}: accepted; this selector solves each fit to the optimum (sklearn's lbfgs limit does not apply)`);
  }
  if (out.multiClass.length === 0) throw ctx.error([...p, 'multi_class'], 'must not be empty');
  if (out.classWeight.length === 0) throw ctx.error([...p, 'class_weight'], 'must not be empty');
  return out;
}

function readTranscription(ctx: Ctx, v: unknown, p: Path): TranscriptionSettings {
  const o = asObject(ctx, v, p);
  const out: TranscriptionSettings = { audioKey: 'audio_filepath', textKey: 'text' };
  const ignored: string[] = [];
  for (const k of Object.keys(o)) {
    if (!TRANSCRIPTION_KEYS.has(k)) {
      throw ctx.error([...p, k], `unknown key${suggest(k, TRANSCRIPTION_KEYS)}`, 'E_CONFIG_UNKNOWN_KEY');
    }
    if (k === 'audio_key') out.audioKey = readString(ctx, o[k], [...p, k], { required: true })!;
    else if (k === 'gt_text_attr_name') out.textKey = readString(ctx, o[k], [...p, k], { required: true })!;
    else if (k === 'channel_selector') {
      const s = o[k];
      if (s !== null && s !== undefined && s !== 'average' && s !== 'None') {
        throw ctx.error([...p, k], 'only null/average (mix all channels) is supported');
      }
    } else ignored.push(k);
  }
  if (ignored.length) ctx.notes.push(`${pathString(p)}: ignored (NeMo-only settings): ${ignored.join(', ')}`);
  return out;
}

const TOP_KEYS = [
  'output_path',
  'ensemble',
  'random_seed',
  'confidence',
  'temperature',
  'transcription',
  'tune_confidence',
  'tune_confidence_config',
  'tune_logistic_regression',
  'tune_logistic_regression_config',
  'early_route_seconds',
  // Hydra's own blocks in a config file
  'defaults',
  'hydra',
];
const MEMBER_KEYS = ['model', 'training_manifest', 'max_training_samples', 'dev_manifest', 'name', 'lm', 'lm_alpha', 'lm_beta', 'test_manifest'];

/** Parse and validate a build config from YAML text. Paths are resolved but not checked on disk. */
export function parseBuildConfig(text: string, options: ParseOptions = {}): BuildConfig {
  const file = options.file ? path.resolve(options.file) : '<string>';
  const displayFile = options.file ?? '<string>';
  const baseDir = options.file ? path.dirname(file) : process.cwd();
  const ctx = new Ctx(file, displayFile);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, version: '1.1', merge: true, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new UserError(`invalid YAML: ${e.message.split('\n')[0]}`, {
      source: line ? `${displayFile}:${line}` : displayFile,
      code: 'E_CONFIG_YAML',
    });
  }
  indexLines(ctx, doc.contents as YamlNode, [], lc);
  const rawJs = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (rawJs === null || rawJs === undefined) throw new UserError('the config is empty', { source: displayFile, code: 'E_CONFIG' });
  const raw = resolveInterpolations(ctx, rawJs, options.env ?? process.env);
  const o = asObject(ctx, raw, []);
  checkKeys(ctx, o, [], TOP_KEYS);
  if ('defaults' in o || 'hydra' in o) ctx.notes.push('Hydra blocks (defaults, hydra) are ignored');

  const resolvePath = (p: string): string => path.resolve(baseDir, expandHome(p));

  // ensemble
  if (o.ensemble === undefined || isMissing(o.ensemble)) throw ctx.error(['ensemble'], 'missing mandatory value', 'E_CONFIG_MISSING');
  const list = readList(ctx, o.ensemble, ['ensemble'])!;
  if (list.length < 2) throw ctx.error(['ensemble'], `an ensemble needs at least 2 models, got ${list.length}`);
  const members: EnsembleMemberConfig[] = list.map((item, i) => {
    const p: Path = ['ensemble', i];
    const m = asObject(ctx, item, p);
    checkKeys(ctx, m, p, MEMBER_KEYS);
    const model = readString(ctx, m.model, [...p, 'model'], { required: true })!;
    const train = readString(ctx, m.training_manifest, [...p, 'training_manifest'], { required: true })!;
    const dev = readString(ctx, m.dev_manifest, [...p, 'dev_manifest'], { nullable: true });
    const test = readString(ctx, m.test_manifest, [...p, 'test_manifest'], { nullable: true });
    const lm = readString(ctx, m.lm, [...p, 'lm'], { nullable: true });
    const name = readString(ctx, m.name, [...p, 'name'], { nullable: true });
    if (name !== null && !/^[^\s/\\]+$/.test(name)) throw ctx.error([...p, 'name'], `names must be non-empty without spaces or slashes, got '${name}'`);
    const lmAlpha = m.lm_alpha === undefined || m.lm_alpha === null ? null : readNumber(ctx, m.lm_alpha, [...p, 'lm_alpha'], 0, { min: 0 });
    const lmBeta = m.lm_beta === undefined || m.lm_beta === null ? null : readNumber(ctx, m.lm_beta, [...p, 'lm_beta'], 0);
    if ((lmAlpha !== null || lmBeta !== null) && lm === null) {
      throw ctx.error([...p, lmAlpha !== null ? 'lm_alpha' : 'lm_beta'], 'set without lm');
    }
    const modelPath = resolvePath(model);
    return {
      index: i,
      name: name ?? '',
      model: modelPath,
      trainingManifest: resolvePath(train),
      devManifest: dev === null ? null : resolvePath(dev),
      maxTrainingSamples: readNumber(ctx, m.max_training_samples, [...p, 'max_training_samples'], 1000, { integer: true, min: 1 }),
      lm: lm === null ? null : resolvePath(lm),
      lmAlpha,
      lmBeta,
      testManifest: test === null ? null : resolvePath(test),
    };
  });
  // names: explicit ones must be unique; defaults come from the model folder's basename
  const used = new Set<string>();
  members.forEach((m, i) => {
    if (!m.name) return;
    if (used.has(m.name)) throw ctx.error(['ensemble', i, 'name'], `duplicate name '${m.name}'`);
    used.add(m.name);
  });
  for (const m of members) {
    if (m.name) continue;
    const base = path.basename(m.model).replace(/\.(onnx|nemo)$/i, '') || `model${m.index}`;
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}-${k}`;
    used.add(name);
    m.name = name;
  }

  const outputPath = o.output_path === undefined ? null : readString(ctx, o.output_path, ['output_path'], { nullable: true });
  const randomSeed = readNumber(ctx, o.random_seed, ['random_seed'], 0, { integer: true });
  const temperature = readNumber(ctx, o.temperature, ['temperature'], 1.0, { exclusiveMin: 0 });
  const confidence = readConfidence(ctx, o.confidence, ['confidence']);
  const tuneConfidence = readBool(ctx, o.tune_confidence, ['tune_confidence'], false);
  let tuneLogisticRegression = readBool(ctx, o.tune_logistic_regression, ['tune_logistic_regression'], true);
  const tuneConfidenceConfig = readTuneConfidence(ctx, o.tune_confidence_config, ['tune_confidence_config']);
  const tuneLogisticRegressionConfig = readTuneLr(ctx, o.tune_logistic_regression_config, ['tune_logistic_regression_config']);
  const transcription = readTranscription(ctx, o.transcription, ['transcription']);
  const earlyRouteSeconds =
    o.early_route_seconds === undefined || o.early_route_seconds === null
      ? null
      : readNumber(ctx, o.early_route_seconds, ['early_route_seconds'], 0, { exclusiveMin: 0 });

  // NeMo BuildEnsembleConfig.__post_init__
  const withDev = members.filter((m) => m.devManifest !== null);
  if (withDev.length === 0) {
    if (tuneConfidence) {
      throw ctx.error(['tune_confidence'], 'tune_confidence is set to true, but no dev data is provided (set dev_manifest for every model)');
    }
    tuneLogisticRegression = false;
  } else if (withDev.length < members.length) {
    const missing = members.filter((m) => m.devManifest === null).map((m) => `ensemble[${m.index}]`);
    throw ctx.error(
      ['ensemble', members.find((m) => m.devManifest === null)!.index, 'dev_manifest'],
      `some models specify dev_manifest but ${missing.join(', ')} do not; either all have to specify it or none`,
    );
  }
  if (tuneConfidence && !tuneLogisticRegression) {
    // NeMo crashes here (every score is -1, best spec stays None); say what to do instead.
    throw ctx.error(['tune_logistic_regression'], 'tune_confidence needs tune_logistic_regression: true (NeMo fails on this combination)');
  }

  return {
    file,
    baseDir,
    outputPath: outputPath === null ? null : resolvePath(outputPath),
    ensemble: members,
    randomSeed,
    temperature,
    confidence,
    tuneConfidence,
    tuneConfidenceConfig,
    tuneLogisticRegression,
    tuneLogisticRegressionConfig,
    transcription,
    earlyRouteSeconds,
    notes: ctx.notes,
  };
}

function expandHome(p: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(process.env.HOME ?? '~', p.slice(1));
  return p;
}

/** Read, parse and validate a build config; also checks that every referenced file exists (all listed at once). */
export async function loadBuildConfig(file: string, options: Omit<ParseOptions, 'file'> & { checkFiles?: boolean } = {}): Promise<BuildConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read the config: ${(e as Error).message}`, { source: file, code: 'E_CONFIG_READ', cause: e });
  }
  const cfg = parseBuildConfig(text, { ...options, file });
  if (options.checkFiles !== false) checkConfigFiles(cfg);
  return cfg;
}

/** Every model folder, manifest and LM named by the config must exist; all problems are listed in one error. */
export function checkConfigFiles(cfg: BuildConfig): void {
  const problems: string[] = [];
  for (const m of cfg.ensemble) {
    const p = `ensemble[${m.index}]`;
    if (!existsSync(m.model)) {
      const hint = /\.nemo$/i.test(m.model) || !/[/\\]/.test(path.relative(cfg.baseDir, m.model))
        ? ' (.nemo files and NeMo pretrained names must be exported to ONNX first; see the README)'
        : '';
      problems.push(`${p}.model: ${m.model} not found${hint}`);
    } else if (!statSync(m.model).isDirectory()) {
      problems.push(`${p}.model: ${m.model} is not a folder (expected a folder with an ONNX export)`);
    }
    if (!existsSync(m.trainingManifest)) problems.push(`${p}.training_manifest: ${m.trainingManifest} not found`);
    if (m.devManifest && !existsSync(m.devManifest)) problems.push(`${p}.dev_manifest: ${m.devManifest} not found`);
    if (m.testManifest && !existsSync(m.testManifest)) problems.push(`${p}.test_manifest: ${m.testManifest} not found`);
    if (m.lm && !existsSync(m.lm)) problems.push(`${p}.lm: ${m.lm} not found`);
  }
  if (problems.length) {
    throw new UserError(`${problems.length} missing file(s):\n  ${problems.join('\n  ')}`, { source: cfg.file, code: 'E_CONFIG_FILES' });
  }
}

/** The NeMo-ordered list of confidence specs of the config's tuning grid (144 by default). */
export function tuningGridSpecs(t: TuneConfidenceConfig): ConfidenceSpec[] {
  return nemoTuningGrid({ excludeBlank: t.excludeBlank, aggregation: t.aggregation, confidenceType: t.confidenceType, alpha: t.alpha });
}

/** Canonical string of a spec (cache keys, reports): `eb1|mean|entropy_renyi_lin|0.25`. */
export function specKey(s: ConfidenceSpec): string {
  return `eb${s.excludeBlank ? 1 : 0}|${s.aggregation}|${confidenceKey(s)}|${s.method === 'max_prob' ? 1 : s.alpha}`;
}
