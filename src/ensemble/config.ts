/**
 * `ensemble build` configuration: the schema of NeMo's `build_ensemble.py` YAML (NeMo `scripts/confidence_ensembles/build_ensemble.py`), with its version
 * variants (renames between NeMo v1.19 and v1.21: `measure_cfg`, `temperature` inside the method config meaning alpha, `renui`), read with the
 * typed readers of yaml-reader.ts after OmegaConf interpolation (omegaconf.ts), and our per-model additions
 * `name`, `lm`, `lm_alpha`, `lm_beta`, `test_manifest`. Every unknown key is an error naming its path (typo protection).
 */
import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { EARLY_ROUTE_DEFAULTS } from '../defaults.js';
import { applyOverrides } from './hydra-overrides.js';
import { resolveInterpolations } from './omegaconf.js';
import {
  asObject,
  checkKeys,
  ConfigContext as Ctx,
  isMissing,
  oneOf,
  parseYamlWithLines,
  pathString,
  readBool,
  readList,
  readNumber,
  readString,
  suggest,
  type Path,
} from './yaml-reader.js';
import {
  AGGREGATIONS,
  confidenceKey,
  DEFAULT_CONFIDENCE_SPEC,
  ENTROPY_NORMS,
  ENTROPY_TYPES,
  nemoTuningGrid,
  type ConfidenceSpec,
} from '../confidence/index.js';
import { normalizeFeatureGroups, type SelectorFeatureGroup } from '../selector/features.js';

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
  /**
   * NeMo `channel_selector`: null or 'average' mixes all channels; a channel index (0-based) or a list of
   * indices selects (a list of several is then averaged, as the mono models need one signal).
   */
  channelSelector: ChannelSelector;
}

export type ChannelSelector = null | 'average' | number | number[];

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
  /**
   * `early_route_min_prob` (beyond NeMo, 0 to 1): the default floor of the early-routing cascade, an inference
   * setting only (the selector does not depend on it). null: `EARLY_ROUTE_DEFAULTS.minProbability`.
   */
  earlyRouteMinProb: number | null;
  /**
   * `domain_gate` (beyond NeMo): also train the domain gate (ensemble/domain-gate.ts) and write
   * `domain-gate.json`. `domain_gate_min_prob`: its default floor for requests (null: off unless asked).
   */
  domainGate: boolean;
  domainGateMinProb: number | null;
  /** `domain_gate_prune`: the gate's default pruning threshold (0 to below 1; null: off). */
  domainGatePrune: number | null;
  /** `domain_gate_verify_false_accept`: the share of other domains' dev utterances at or above a member's verification floor (0: no floors). */
  domainGateVerifyFalseAccept: number;
  /** `selector:` (beyond NeMo): the selector's inputs (default `[confidence]`, NeMo's) and its probability calibration. */
  selector: SelectorSettings;
  /** Things accepted but ignored or rewritten (old NeMo spellings), worth telling the user. */
  notes: string[];
}

export interface SelectorSettings {
  /** Feature groups in canonical order (selector/features.ts); `['confidence']` is NeMo's selector. */
  features: SelectorFeatureGroup[];
  /** 'temperature': fit a probability temperature on the dev sets (selector/calibration.ts); null: none (NeMo). */
  calibration: 'temperature' | null;
}

export interface ParseOptions {
  /** Path of the YAML file (for messages and for resolving relative paths). */
  file?: string;
  /** Environment for `${oc.env:…}` (default process.env). */
  env?: Record<string, string | undefined>;
  /** Hydra command-line overrides (`ensemble.0.model=…`, `+key=…`, `~key`), applied in order. */
  overrides?: readonly string[];
  /** Working directory: relative paths set by overrides resolve against it, as in NeMo (default process.cwd()). */
  cwd?: string;
}

export const DEFAULT_CONFIDENCE: Readonly<ConfidenceSpec> = DEFAULT_CONFIDENCE_SPEC;

export const DEFAULT_TUNE_CONFIDENCE: TuneConfidenceConfig = {
  excludeBlank: [true, false],
  aggregation: ['mean', 'min', 'max'],
  confidenceType: ['entropy_renyi_exp', 'entropy_renyi_lin', 'entropy_tsallis_exp', 'entropy_tsallis_lin', 'entropy_gibbs_lin', 'entropy_gibbs_exp'],
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
 * Every key of NeMo's `TranscriptionConfig` (examples/asr/transcribe_speech.py): the union of its fields in
 * v1.19.0, v1.20.0, v1.21.0, v1.22.0, v1.23.0, v2.0.0 … v2.4.0 and v2.5.0rc0 (46 keys; v1.23 alone has
 * `allow_partial_transcribe`). Nested blocks (ctc_decoding, …) are accepted as a whole.
 */
const TRANSCRIPTION_KEYS = new Set([
  'model_path',
  'pretrained_name',
  'audio_dir',
  'dataset_manifest',
  'channel_selector',
  'audio_key',
  'eval_config_yaml',
  'presort_manifest',
  'output_filename',
  'batch_size',
  'num_workers',
  'append_pred',
  'pred_name_postfix',
  'random_seed',
  'timestamps',
  'compute_timestamps',
  'return_hypotheses',
  'compute_langs',
  'cuda',
  'allow_mps',
  'amp',
  'amp_dtype',
  'compute_dtype',
  'matmul_precision',
  'audio_type',
  'overwrite_transcripts',
  'ctc_decoding',
  'rnnt_decoding',
  'multitask_decoding',
  'prompt',
  'decoder_type',
  'att_context_size',
  'model_change',
  'calculate_wer',
  'clean_groundtruth_text',
  'langid',
  'use_cer',
  'return_transcriptions',
  'gt_text_attr_name',
  'gt_lang_attr_name',
  'extract_nbest',
  'calculate_rtfx',
  'warmup_steps',
  'run_steps',
  'preserve_alignment',
  'allow_partial_transcribe',
]);

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
  // NeMo 1.21 (ConfidenceConfig.__post_init__) prints `method_cfg: DEPRECATED` beside `measure_cfg`; a real
  // method_cfg there overwrites measure_cfg. From 1.22 on method_cfg is the only name.
  const given = (k: string) => k in o && o[k] !== 'DEPRECATED';
  const mkey = given('method_cfg') || !given('measure_cfg') ? 'method_cfg' : 'measure_cfg';
  if (given('method_cfg') && given('measure_cfg')) {
    ctx.notes.push(`${pathString([...p, 'measure_cfg'])}: overwritten by method_cfg (as NeMo 1.21 does)`);
  } else if (mkey === 'measure_cfg') ctx.notes.push(`${pathString([...p, 'measure_cfg'])}: NeMo 1.21 name, read as method_cfg`);
  const mp = [...p, mkey];
  const m = asObject(ctx, o[mkey] === 'DEPRECATED' ? undefined : o[mkey], mp);
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
    // NeMo ≥ 1.21 (ConfidenceMethodConfig.__post_init__): a temperature overwrites alpha.
    const given = m.alpha !== undefined ? ` (overwriting alpha = ${alpha}, as NeMo ≥ 1.21 does)` : '';
    alpha = readNumber(ctx, m.temperature, [...mp, 'temperature'], alpha);
    ctx.notes.push(`${pathString([...mp, 'temperature'])}: NeMo ≤ 1.20 name of alpha, read as alpha = ${alpha}${given}`);
  }
  if (!(alpha > 0))
    throw ctx.error([...mp, m.temperature !== undefined && m.temperature !== 'DEPRECATED' ? 'temperature' : 'alpha'], `alpha must be > 0, got ${alpha}`);
  spec.alpha = spec.method === 'max_prob' ? 1.0 : alpha; // the ensemble ignores alpha for max_prob (NeMo `confidence_ensemble.py` `compute_confidence`)
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
  if ('C_range' in o) {
    // Only in pre-release commits of NeMo PR #6657 (removed in 8deab2ab49 before v1.19.0); no release reads it.
    throw ctx.error([...p, 'C_range'], 'not a NeMo key (no NeMo release has it); use C_min and C_max', 'E_CONFIG_UNKNOWN_KEY');
  }
  checkKeys(ctx, o, p, ['C_num_points', 'C_min', 'C_max', 'multi_class', 'class_weight', 'max_iter']);
  const out: TuneLogisticRegressionConfig = { ...DEFAULT_TUNE_LR, multiClass: [...DEFAULT_TUNE_LR.multiClass], classWeight: [...DEFAULT_TUNE_LR.classWeight] };
  // 0 is valid: numpy's linspace(…, 0) is empty, so NeMo tunes over C = [1e4] only.
  out.cNumPoints = readNumber(ctx, o.C_num_points, [...p, 'C_num_points'], out.cNumPoints, { integer: true, min: 0 });
  out.cMin = readNumber(ctx, o.C_min, [...p, 'C_min'], out.cMin, { exclusiveMin: 0 });
  out.cMax = readNumber(ctx, o.C_max, [...p, 'C_max'], out.cMax, { exclusiveMin: 0 });
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

const SELECTOR_KEYS = ['features', 'calibration'];

function readSelectorSettings(ctx: Ctx, v: unknown, p: Path): SelectorSettings {
  if (v === undefined || v === null) return { features: ['confidence'], calibration: null };
  const o = asObject(ctx, v, p);
  checkKeys(ctx, o, p, SELECTOR_KEYS);
  let features: SelectorFeatureGroup[] = ['confidence'];
  if (o.features !== undefined && o.features !== null) {
    const list = readList(ctx, o.features, [...p, 'features']) ?? [];
    try {
      features = normalizeFeatureGroups(list, pathString([...p, 'features']));
    } catch (e) {
      throw ctx.error([...p, 'features'], (e as Error).message);
    }
  }
  let calibration: SelectorSettings['calibration'] = null;
  if (o.calibration !== undefined && o.calibration !== null) {
    const c = readString(ctx, o.calibration, [...p, 'calibration'], { nullable: true });
    if (c !== null && c !== 'none') {
      if (c !== 'temperature') throw ctx.error([...p, 'calibration'], `must be temperature or none, got '${c}'`);
      calibration = 'temperature';
    }
  }
  return { features, calibration };
}

function readTranscription(ctx: Ctx, v: unknown, p: Path): TranscriptionSettings {
  const o = asObject(ctx, v, p);
  const out: TranscriptionSettings = { audioKey: 'audio_filepath', textKey: 'text', channelSelector: null };
  const ignored: string[] = [];
  for (const k of Object.keys(o)) {
    if (!TRANSCRIPTION_KEYS.has(k)) {
      throw ctx.error([...p, k], `unknown key${suggest(k, TRANSCRIPTION_KEYS)}`, 'E_CONFIG_UNKNOWN_KEY');
    }
    if (k === 'audio_key') out.audioKey = readString(ctx, o[k], [...p, k], { required: true })!;
    else if (k === 'gt_text_attr_name') out.textKey = readString(ctx, o[k], [...p, k], { required: true })!;
    else if (k === 'channel_selector') out.channelSelector = readChannelSelector(ctx, o[k], [...p, k]);
    else ignored.push(k);
  }
  if (ignored.length) ctx.notes.push(`${pathString(p)}: ignored (NeMo-only settings): ${ignored.join(', ')}`);
  return out;
}

/** NeMo's `ChannelSelectorType`: None, 'average', an int or a list of ints (`select_channels`). */
function readChannelSelector(ctx: Ctx, v: unknown, p: Path): ChannelSelector {
  if (v === null || v === undefined || v === 'None' || v === 'null') return null;
  if (v === 'average') return 'average';
  const index = (x: unknown, ip: Path): number => readNumber(ctx, x, ip, 0, { integer: true, min: 0 });
  const list = Array.isArray(v) || (typeof v === 'string' && v.trim().startsWith('[')) ? readList(ctx, v, p)! : null;
  if (list) {
    if (list.length === 0) throw ctx.error(p, 'an empty channel list selects nothing; give channel indices, an index or average');
    return list.map((x, i) => index(x, [...p, i]));
  }
  if (typeof v === 'number' || (typeof v === 'string' && /^\s*\d+\s*$/.test(v))) return index(v, p);
  throw ctx.error(p, `expected null, average, a channel index or a list of indices, got ${JSON.stringify(v)}`);
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
  'early_route_min_prob',
  'domain_gate',
  'domain_gate_min_prob',
  'domain_gate_prune',
  'domain_gate_verify_false_accept',
  'selector',
  // Hydra's own blocks in a config file
  'defaults',
  'hydra',
];
const MEMBER_KEYS = ['model', 'training_manifest', 'max_training_samples', 'dev_manifest', 'name', 'lm', 'lm_alpha', 'lm_beta', 'test_manifest'];

/** Parse and validate a build config from YAML text. Paths are resolved but not checked on disk. */
export function parseBuildConfig(text: string, options: ParseOptions = {}): BuildConfig {
  const file = options.file ? path.resolve(options.file) : '<string>';
  const displayFile = options.file ?? (options.overrides?.length ? '<command line>' : '<string>');
  const baseDir = options.file ? path.dirname(file) : process.cwd();
  const ctx = new Ctx(file, displayFile);
  const overrides = options.overrides ?? [];
  // No file (only overrides, like `build_ensemble.py ensemble=[…]`): start from the schema's defaults.
  const rawJs = text.trim() === '' && overrides.length > 0 ? {} : parseYamlWithLines(ctx, text);
  if (overrides.length) {
    if (typeof rawJs !== 'object' || rawJs === null || Array.isArray(rawJs)) throw ctx.error([], 'expected a mapping at the top level');
    applyOverrides(ctx, rawJs as Record<string, unknown>, overrides);
  }
  const raw = resolveInterpolations(ctx, rawJs, options.env ?? process.env);
  const o = asObject(ctx, raw, []);
  checkKeys(ctx, o, [], TOP_KEYS);
  if ('defaults' in o || 'hydra' in o) ctx.notes.push('Hydra blocks (defaults, hydra) are ignored');

  const cwd = options.cwd ?? process.cwd();
  // Paths from the file resolve against its folder; paths typed as overrides against the working directory.
  const resolvePath = (p: string, key: Path): string => path.resolve(ctx.overrideOf(key) !== undefined ? cwd : baseDir, expandHome(p));

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
    const modelPath = resolvePath(model, [...p, 'model']);
    return {
      index: i,
      name: name ?? '',
      model: modelPath,
      trainingManifest: resolvePath(train, [...p, 'training_manifest']),
      devManifest: dev === null ? null : resolvePath(dev, [...p, 'dev_manifest']),
      maxTrainingSamples: readNumber(ctx, m.max_training_samples, [...p, 'max_training_samples'], 1000, { integer: true, min: 1 }),
      lm: lm === null ? null : resolvePath(lm, [...p, 'lm']),
      lmAlpha,
      lmBeta,
      testManifest: test === null ? null : resolvePath(test, [...p, 'test_manifest']),
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
  const earlyRouteMinProb =
    o.early_route_min_prob === undefined || o.early_route_min_prob === null
      ? null
      : readNumber(ctx, o.early_route_min_prob, ['early_route_min_prob'], 0, { min: 0 });
  if (earlyRouteMinProb !== null && earlyRouteMinProb > 1) throw ctx.error(['early_route_min_prob'], `must be ≤ 1, got ${earlyRouteMinProb}`);
  const domainGate = readBool(ctx, o.domain_gate, ['domain_gate'], false);
  const domainGateMinProb =
    o.domain_gate_min_prob === undefined || o.domain_gate_min_prob === null
      ? null
      : readNumber(ctx, o.domain_gate_min_prob, ['domain_gate_min_prob'], 0, { min: 0 });
  if (domainGateMinProb !== null && !domainGate) throw ctx.error(['domain_gate_min_prob'], 'needs domain_gate: true (the gate it is the floor of)');
  const domainGatePrune =
    o.domain_gate_prune === undefined || o.domain_gate_prune === null ? null : readNumber(ctx, o.domain_gate_prune, ['domain_gate_prune'], 0, { min: 0 });
  if (domainGatePrune !== null && !(domainGatePrune < 1)) throw ctx.error(['domain_gate_prune'], `must be below 1, got ${domainGatePrune}`);
  if (domainGatePrune !== null && !domainGate) throw ctx.error(['domain_gate_prune'], 'needs domain_gate: true (the gate that prunes)');
  const domainGateVerifyFalseAccept =
    o.domain_gate_verify_false_accept === undefined || o.domain_gate_verify_false_accept === null
      ? EARLY_ROUTE_DEFAULTS.domainGateVerifyFalseAccept
      : readNumber(ctx, o.domain_gate_verify_false_accept, ['domain_gate_verify_false_accept'], 0, { min: 0 });
  if (!(domainGateVerifyFalseAccept < 0.5))
    throw ctx.error(['domain_gate_verify_false_accept'], `must be from 0 to below 0.5, got ${domainGateVerifyFalseAccept}`);
  const selector = readSelectorSettings(ctx, o.selector, ['selector']);

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
  if (selector.calibration === 'temperature' && withDev.length === 0) {
    throw ctx.error(['selector', 'calibration'], 'temperature calibration is fitted on the dev sets: set dev_manifest for every model');
  }
  if (tuneConfidence && !tuneLogisticRegression) {
    // NeMo crashes here (every score is -1, best spec stays None); say what to do instead.
    throw ctx.error(['tune_logistic_regression'], 'tune_confidence needs tune_logistic_regression: true (NeMo fails on this combination)');
  }

  return {
    file,
    baseDir,
    outputPath: outputPath === null ? null : resolvePath(outputPath, ['output_path']),
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
    earlyRouteMinProb,
    domainGate,
    domainGateMinProb,
    domainGatePrune,
    domainGateVerifyFalseAccept,
    selector,
    notes: ctx.notes,
  };
}

function expandHome(p: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(process.env.HOME ?? '~', p.slice(1));
  return p;
}

/** Read, parse and validate a build config; also checks that every referenced file exists (all listed at once). */
export async function loadBuildConfig(file: string | null, options: Omit<ParseOptions, 'file'> & { checkFiles?: boolean } = {}): Promise<BuildConfig> {
  let text = '';
  if (file !== null) {
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      throw new UserError(`cannot read the config: ${(e as Error).message}`, { source: file, code: 'E_CONFIG_READ', cause: e });
    }
  } else if (!options.overrides?.length) {
    throw new UserError('no config: give a YAML file, --config-name, or key=value overrides', { code: 'E_CONFIG' });
  }
  const cfg = parseBuildConfig(text, { ...options, file: file ?? undefined });
  if (options.checkFiles !== false) checkConfigFiles(cfg);
  return cfg;
}

/** Every model folder, manifest and LM named by the config must exist; all problems are listed in one error. */
export function checkConfigFiles(cfg: BuildConfig): void {
  const problems: string[] = [];
  for (const m of cfg.ensemble) {
    const p = `ensemble[${m.index}]`;
    if (!existsSync(m.model)) {
      const hint =
        /\.nemo$/i.test(m.model) || !/[/\\]/.test(path.relative(cfg.baseDir, m.model))
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

/**
 * A NeMo `ConfidenceConfig` block on its own (any version's spelling, e.g. the `confidence:` of a
 * ConfidenceEnsembleModel's model_config.yaml), merged onto the ensemble defaults.
 */
export function parseConfidenceBlock(value: unknown, source: string, keyPath = 'confidence'): { spec: ConfidenceSpec; notes: string[] } {
  const ctx = new Ctx(source, source);
  const spec = readConfidence(ctx, value, [keyPath]);
  return { spec, notes: ctx.notes };
}
