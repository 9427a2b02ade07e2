import { promises as fs, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { RUNTIME_DEFAULTS } from '../defaults.js';
import { UserError } from '../util/errors.js';
import { NEMO_FRAMINGS, nemoFramingForVersion, nemoFrontEnd, nemoMelSpectrogram, type NemoFrontEndConfig } from '../features/nemo-mel.js';
import type { NemoFraming } from '../features/types.js';
import { wav2vec2Normalize } from '../features/wav2vec2.js';
import { byteFallbackValue } from './tokens.js';
import { readOnnxModelInfo, type OnnxModelInfo, type OnnxValueInfo } from './onnx-proto.js';
import type { CtcModel, FrontEndConfig, Logprobs, ModelFeatures, ModelLayout, TokenizerInfo } from './types.js';

/** The ONNX Runtime session settings that matter for CTC inference on CPU (defaults: `RUNTIME_DEFAULTS`). */
export interface OrtSettings {
  /** Threads one operator may use. */
  intraOpThreads?: number;
  /** Threads for independent graph branches (only with executionMode 'parallel'). */
  interOpThreads?: number;
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  executionMode?: 'sequential' | 'parallel';
  /** Whether the thread pools busy-wait between and after runs (ONNX Runtime's default: yes; ours: `RUNTIME_DEFAULTS.spinning`). */
  spinning?: boolean;
}

export const GRAPH_OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export const EXECUTION_MODES = ['sequential', 'parallel'] as const;

/** `OrtSettings` (missing fields from `RUNTIME_DEFAULTS`) as ONNX Runtime session options; bad values are UserErrors. */
export function ortSessionOptions(settings: OrtSettings = {}): ort.InferenceSession.SessionOptions {
  // Fields given as undefined (e.g. passed on from an optional setting) take the default too.
  const given = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as OrtSettings;
  const s = { ...RUNTIME_DEFAULTS, ...given };
  for (const [name, v] of [['intra-op threads', s.intraOpThreads], ['inter-op threads', s.interOpThreads]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new UserError(`${name} must be a positive integer, got ${v}`, { code: 'E_OPTIONS' });
  }
  if (!(GRAPH_OPTIMIZATION_LEVELS as readonly string[]).includes(s.graphOptimization)) {
    throw new UserError(`graph optimisation must be one of ${GRAPH_OPTIMIZATION_LEVELS.join(', ')}, got ${JSON.stringify(s.graphOptimization)}`, { code: 'E_OPTIONS' });
  }
  if (!(EXECUTION_MODES as readonly string[]).includes(s.executionMode)) {
    throw new UserError(`execution mode must be one of ${EXECUTION_MODES.join(', ')}, got ${JSON.stringify(s.executionMode)}`, { code: 'E_OPTIONS' });
  }
  if (typeof s.spinning !== 'boolean') throw new UserError(`spinning must be true or false, got ${JSON.stringify(s.spinning)}`, { code: 'E_OPTIONS' });
  // Session config entries (onnxruntime_session_options_config_keys.h); onnxruntime-node passes `extra` on flattened.
  const allowSpinning = s.spinning ? '1' : '0';
  return {
    intraOpNumThreads: s.intraOpThreads,
    interOpNumThreads: s.interOpThreads,
    graphOptimizationLevel: s.graphOptimization,
    executionMode: s.executionMode,
    extra: { session: { intra_op: { allow_spinning: allowSpinning }, inter_op: { allow_spinning: allowSpinning } } },
  };
}

export interface LoadModelOptions {
  /**
   * NeMo STFT framing when the folder does not say (model_config.json `preprocessor.framing` or
   * `preprocessor.nemo_version`). Default 'reflect' (every NeMo release up to 2.4.x).
   */
  framing?: NemoFraming;
  /** Session settings (threads, graph optimisation, execution mode); defaults `RUNTIME_DEFAULTS`. */
  ort?: OrtSettings;
  /** Raw options for `ort.InferenceSession.create`, applied over `ort`. */
  sessionOptions?: ort.InferenceSession.SessionOptions;
}

/** What `loadCtcModel` returns: a CtcModel whose optional split members are always present. */
export type LoadedCtcModel = CtcModel & Required<Pick<CtcModel, 'onnxFile' | 'computeFeatures' | 'runFeatures'>>;

/** The NeMo-layout `model_config.json` schema (also written by the demo-model training scripts). */
export interface NemoModelConfigJson {
  layout?: 'nemo';
  vocabulary?: string[];
  preprocessor?: {
    sample_rate?: number;
    features?: number;
    window_size?: number;
    window_stride?: number;
    n_fft?: number | null;
    preemph?: number | null;
    normalize?: string;
    /** 'reflect' | 'zero-pad' (ours); or the NeMo version the model was trained with (≤ 2.4.x reflect, ≥ 2.5 zero-pad). */
    framing?: string;
    nemo_version?: string;
  };
  subsampling_factor?: number;
  /** NeMo's `tokenizer.type` ('bpe' SentencePiece, 'wpe' WordPiece) or 'char'. */
  tokenizer?: 'bpe' | 'wpe' | 'char';
}

/** ONNX file names a model folder may hold, in order of preference (sherpa-onnx ships `model.int8.onnx`). */
export const ONNX_NAMES = ['model.onnx', 'model.int8.onnx'] as const;
const BLANK_SYMBOLS = ['<blk>', '<eps>', '<blank>'];

function rel(dir: string, file: string): string {
  return path.join(dir, file);
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read: ${(e as Error).message}`, { source: file, code: 'E_MODEL_FILES', cause: e });
  }
}

async function readJson<T>(file: string): Promise<T> {
  const text = await readText(file);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new UserError(`invalid JSON: ${(e as Error).message}`, { source: file, code: 'E_MODEL_CONFIG', cause: e });
  }
}

/**
 * Transducer (RNNT/TDT) exports: sherpa-onnx's encoder/decoder/joiner files and NeMo's `model.export()` of an
 * RNNT model (`encoder-model.onnx` + `decoder_joint-model.onnx`).
 */
function transducerFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => /^(encoder|decoder|joiner|decoder_joint)([-.][\w.-]*)?\.onnx$/.test(n));
}

/** Which loader applies to a model folder (by its files), or a UserError saying what was expected. */
export function detectLayout(dir: string): ModelLayout {
  if (!existsSync(dir)) throw new UserError('model folder not found', { source: dir, code: 'E_MODEL_FILES' });
  const has = (f: string) => existsSync(path.join(dir, f));
  const rnnt = transducerFiles(dir);
  if (!ONNX_NAMES.some(has) && rnnt.some((n) => /^(joiner|decoder_joint)/.test(n))) {
    throw new UserError(
      `transducer models are not supported (found ${rnnt.join(', ')}); this runtime decodes CTC. For a hybrid ` +
        'RNNT/TDT-CTC model export its CTC branch (NeMo: model.set_export_config({"decoder_type": "ctc"}) then ' +
        'model.export("model.onnx"); sherpa-onnx: scripts/nemo/fast-conformer-hybrid-transducer-ctc/export-onnx-ctc-non-streaming.py); see docs/exporting.md',
      { source: dir, code: 'E_MODEL_TRANSDUCER' },
    );
  }
  if (has('model_config.json')) return 'nemo';
  if (has('tokens.txt')) return 'sherpa-onnx';
  if (has('vocab.json')) return 'wav2vec2';
  const onnx = ONNX_NAMES.find(has);
  throw new UserError(
    `missing vocabulary: ${onnx ? `found ${onnx} but ` : ''}expected model_config.json and/or tokens.txt (NeMo / sherpa-onnx export) ` +
      'or vocab.json + preprocessor_config.json (Hugging Face wav2vec2 export)',
    { source: dir, code: 'E_MODEL_VOCAB' },
  );
}

/**
 * sherpa-style tokens.txt, read as sherpa-onnx's `ReadTokens` does: "<symbol> <id>" per line, fields separated
 * by any whitespace (spaces or tabs); a line holding only an id (GigaAM writes " 0") is the space symbol.
 */
export function parseTokensTxt(text: string, file: string): { tokens: string[]; blankId: number | undefined } {
  const entries: Array<[string, number]> = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const fields = line.trim().split(/\s+/).filter((f) => f !== '');
    if (fields.length === 0) return;
    const [sym, idText] = fields.length === 1 ? [' ', fields[0]] : [fields[0], fields[1]];
    if (fields.length > 2 || !/^\d+$/.test(idText)) {
      throw new UserError(`line ${i + 1}: expected "<symbol> <id>", got ${JSON.stringify(line)}`, { source: file, code: 'E_MODEL_VOCAB' });
    }
    entries.push([sym, Number(idText)]);
  });
  if (entries.length === 0) throw new UserError('no tokens; expected "<symbol> <id>" lines', { source: file, code: 'E_MODEL_VOCAB' });
  const tokens: string[] = new Array(entries.length);
  for (const [sym, id] of entries) {
    if (id >= entries.length || tokens[id] !== undefined) {
      throw new UserError(`token ids must be 0..${entries.length - 1} without repeats; got id ${id} for ${JSON.stringify(sym)}`, {
        source: file,
        code: 'E_MODEL_VOCAB',
      });
    }
    tokens[id] = sym;
  }
  const blankId = tokens.findIndex((t) => BLANK_SYMBOLS.includes(t));
  return { tokens, blankId: blankId >= 0 ? blankId : undefined };
}

function guessTokenizer(tokens: readonly string[], blankId: number): TokenizerInfo {
  const bpe = tokens.some((t) => t.includes('▁'));
  const wpe = !bpe && tokens.some((t) => t.startsWith('##') && t.length > 2);
  return {
    kind: bpe ? 'bpe' : wpe ? 'wpe' : 'char',
    wordDelimiter: bpe || wpe ? undefined : tokens.includes('|') && !tokens.includes(' ') ? '|' : ' ',
    lowerCase: false,
    specialIds: specialIdsOf(tokens, blankId),
  };
}

function specialIdsOf(tokens: readonly string[], blankId: number, extra: Array<number | undefined> = []): number[] {
  const ids = new Set<number>([blankId]);
  tokens.forEach((t, i) => {
    // Byte-fallback tokens <0xNN> are text (tokensToText reassembles them), not special.
    if ((/^<[^<>\s]+>$/.test(t) && byteFallbackValue(t) === undefined) || /^\[(PAD|UNK|CLS|SEP|MASK|BOS|EOS)\]$/.test(t)) ids.add(i);
  });
  for (const e of extra) if (e !== undefined && e >= 0) ids.add(e);
  return [...ids].sort((a, b) => a - b);
}

/** Every key of NeMo's AudioToMelSpectrogramPreprocessor (v1.19 … v2.5) plus our `framing` / `nemo_version`. */
const PREPROCESSOR_KEYS = new Set([
  '_target_', 'sample_rate', 'window_size', 'window_stride', 'n_window_size', 'n_window_stride', 'window', 'normalize',
  'n_fft', 'preemph', 'features', 'lowfreq', 'highfreq', 'log', 'log_zero_guard_type', 'log_zero_guard_value', 'dither',
  'pad_to', 'pad_value', 'frame_splicing', 'exact_pad', 'mag_power', 'rng', 'nb_augmentation_prob', 'nb_max_freq',
  'use_torchaudio', 'mel_norm', 'stft_exact_pad', 'stft_conv', 'framing', 'nemo_version',
]);

/**
 * The less common NeMo preprocessor keys: implemented (window, lowfreq, highfreq, mag_power, log,
 * log_zero_guard_type/value, n_window_size/stride), inference no-ops (dither, pad_to/pad_value — padding frames are
 * trimmed by length —, nb_augmentation_*, rng, use_torchaudio), or refused when not NeMo's default
 * (frame_splicing, exact_pad, stft_conv/stft_exact_pad, mel_norm other than slaney). Unknown keys are errors.
 */
function preprocessorExtras(
  p: Record<string, unknown>,
  sampleRate: number,
  source: string,
): { frontEnd: Partial<NemoFrontEndConfig>; nWindowSize?: number; nWindowStride?: number } {
  const bad = (key: string, expected: string): UserError =>
    new UserError(`preprocessor.${key} ${JSON.stringify(p[key])}: ${expected}`, { source, code: 'E_MODEL_CONFIG' });
  for (const k of Object.keys(p)) if (!PREPROCESSOR_KEYS.has(k)) throw bad(k, 'unknown preprocessor key (expected NeMo AudioToMelSpectrogramPreprocessor settings)');
  const given = (k: string) => p[k] !== undefined && p[k] !== null;
  const num = (k: string): number => {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(k, 'expected a number');
    return v;
  };
  const fe: Partial<NemoFrontEndConfig> = {};
  if (given('window') && p.window !== 'hann') {
    if (!['hamming', 'blackman', 'bartlett'].includes(String(p.window))) throw bad('window', 'expected hann, hamming, blackman or bartlett');
    fe.window = p.window as NemoFrontEndConfig['window'];
  }
  if (given('lowfreq') && num('lowfreq') !== 0) fe.lowFreq = num('lowfreq');
  if (given('highfreq') && num('highfreq') !== sampleRate / 2) fe.highFreq = num('highfreq');
  if ((fe.lowFreq ?? 0) < 0 || (fe.highFreq ?? sampleRate / 2) > sampleRate / 2 || (fe.lowFreq ?? 0) >= (fe.highFreq ?? sampleRate / 2)) {
    throw bad(fe.highFreq !== undefined ? 'highfreq' : 'lowfreq', `expected 0 ≤ lowfreq < highfreq ≤ ${sampleRate / 2}`);
  }
  if (given('mag_power') && num('mag_power') !== 2) {
    if (num('mag_power') <= 0) throw bad('mag_power', 'expected a number > 0');
    fe.magPower = num('mag_power');
  }
  if (given('log') && p.log !== true) {
    if (p.log !== false) throw bad('log', 'expected true or false');
    fe.log = false;
  }
  const guardType = given('log_zero_guard_type') ? p.log_zero_guard_type : 'add';
  if (guardType !== 'add' && guardType !== 'clamp') throw bad('log_zero_guard_type', 'expected add or clamp');
  let guardValue = 2 ** -24;
  if (given('log_zero_guard_value')) {
    const v = p.log_zero_guard_value;
    // torch.finfo(float32).tiny / .eps
    if (v === 'tiny') guardValue = 1.1754943508222875e-38;
    else if (v === 'eps') guardValue = 1.1920928955078125e-7;
    else if (typeof v === 'number' && v >= 0) guardValue = v;
    else throw bad('log_zero_guard_value', 'expected a number ≥ 0, "tiny" or "eps"');
  }
  if (guardType !== 'add' || guardValue !== 2 ** -24) fe.logZeroGuard = { type: guardType, value: guardValue };
  if (given('frame_splicing') && num('frame_splicing') !== 1) throw bad('frame_splicing', 'frame splicing is not implemented; only 1 (NeMo\'s default) is supported');
  for (const k of ['exact_pad', 'stft_exact_pad', 'stft_conv']) {
    if (given(k) && p[k] !== false) throw bad(k, 'exact (center=False) STFT padding is not implemented; only false (NeMo\'s default) is supported');
  }
  if (given('mel_norm') && p.mel_norm !== 'slaney') throw bad('mel_norm', 'only "slaney" (NeMo\'s default) is implemented');
  const int = (k: string): number | undefined => {
    if (!given(k)) return undefined;
    const v = num(k);
    if (!Number.isInteger(v) || v < 1) throw bad(k, 'expected a positive integer (samples)');
    return v;
  };
  return { frontEnd: fe, nWindowSize: int('n_window_size'), nWindowStride: int('n_window_stride') };
}

/** `preprocessor.framing` or else `preprocessor.nemo_version` (mapped by version), else the fallback. */
function framingOf(p: { framing?: string; nemo_version?: string }, fallback: NemoFraming, source: string): NemoFraming {
  if (p.framing !== undefined && p.framing !== null) {
    if (!(NEMO_FRAMINGS as readonly string[]).includes(p.framing)) {
      throw new UserError(`preprocessor.framing ${JSON.stringify(p.framing)}: expected ${NEMO_FRAMINGS.join(' or ')}`, { source, code: 'E_MODEL_CONFIG' });
    }
    return p.framing as NemoFraming;
  }
  const v = p.nemo_version;
  if (v === undefined || v === null || v === '') return fallback;
  const f = nemoFramingForVersion(String(v));
  if (!f) throw new UserError(`preprocessor.nemo_version ${JSON.stringify(v)} is not a version like "1.23" or "2.5.0"`, { source, code: 'E_MODEL_CONFIG' });
  return f;
}

function normalizeKind(v: string | undefined, source: string): 'per_feature' | 'none' {
  if (v === undefined || v === 'per_feature') return 'per_feature';
  if (v === '' || v === 'NA' || v === 'none' || v === 'None') return 'none';
  throw new UserError(`normalize ${JSON.stringify(v)} is not supported; expected "per_feature" or "NA"/"" (none)`, {
    source,
    code: 'E_MODEL_CONFIG',
  });
}

/** NeMo `calc_length` repeated log2(factor) times (kernel 3, stride 2, padding 1); else ceil(L/factor). */
export function nemoEncodedLength(frames: number, subsamplingFactor: number): number {
  let L = frames;
  const k = Math.log2(subsamplingFactor);
  if (Number.isInteger(k)) {
    for (let i = 0; i < k; i++) L = Math.floor((L + 2 - 3) / 2) + 1;
    return Math.max(0, L);
  }
  return Math.ceil(frames / subsamplingFactor);
}

/** wav2vec2 conv feature encoder length: L ← floor((L − k)/s) + 1 per layer. */
export function convEncodedLength(samples: number, kernels: readonly number[], strides: readonly number[]): number {
  let L = samples;
  for (let i = 0; i < kernels.length; i++) L = L < kernels[i] ? 0 : Math.floor((L - kernels[i]) / strides[i]) + 1;
  return L;
}

/** log_softmax over each row of `data` [frames][V] after dividing by `temperature`. */
export function logSoftmaxRows(data: Float32Array, frames: number, V: number, temperature = 1): Float32Array {
  const out = new Float32Array(frames * V);
  const inv = 1 / temperature;
  for (let t = 0; t < frames; t++) {
    const b = t * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, data[b + v] * inv);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(data[b + v] * inv - max);
    const lse = max + Math.log(sum);
    for (let v = 0; v < V; v++) out[b + v] = data[b + v] * inv - lse;
  }
  return out;
}

/** True when row 0 of `data` holds natural-log probabilities (exp-sum 1 within float32 rounding). */
export function isLogProbRow(data: Float32Array, V: number): boolean {
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(data[v]);
  return Math.abs(sum - 1) <= 1e-3;
}

/** A model's front end on mono samples at `frontEnd.sampleRate` (what `CtcModel.computeFeatures` returns). */
export function computeModelFeatures(frontEnd: FrontEndConfig, samples: Float32Array): ModelFeatures {
  if (frontEnd.kind === 'nemo') {
    const f = nemoMelSpectrogram(samples, frontEnd);
    return { kind: 'nemo', samples: samples.length, data: f.data, nMels: f.nMels, frames: f.frames, validFrames: f.validFrames };
  }
  const x = wav2vec2Normalize(samples, frontEnd.doNormalize);
  return { kind: 'wav2vec2', samples: samples.length, values: x === samples ? Float32Array.from(x) : x };
}

function describeInputs(list: readonly OnnxValueInfo[]): string {
  return list.length ? list.map((i) => `"${i.name}"${i.shape ? ` [${i.shape.map((d) => d ?? '?').join(', ')}]` : ''}`).join(', ') : '(none)';
}

interface Binding {
  onnxFile: string;
  info: OnnxModelInfo;
  session: ort.InferenceSession;
  outputName: string;
  outputWidth: number | undefined;
}

async function openOnnx(dir: string, options: LoadModelOptions): Promise<Omit<Binding, 'outputName' | 'outputWidth'>> {
  const name = ONNX_NAMES.find((f) => existsSync(path.join(dir, f)));
  if (!name) {
    throw new UserError(`no ONNX model; expected ${ONNX_NAMES.join(' or ')} in the folder`, { source: dir, code: 'E_MODEL_FILES' });
  }
  const onnxFile = path.join(dir, name);
  const bytes = await fs.readFile(onnxFile);
  let info: OnnxModelInfo;
  try {
    info = readOnnxModelInfo(bytes);
  } catch (e) {
    throw new UserError(`not a readable ONNX model: ${(e as Error).message}`, { source: onnxFile, code: 'E_MODEL_ONNX', cause: e });
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnxFile, { ...ortSessionOptions(options.ort), ...options.sessionOptions });
  } catch (e) {
    throw new UserError(`ONNX Runtime could not load the model: ${(e as Error).message}`, { source: onnxFile, code: 'E_MODEL_ONNX', cause: e });
  }
  return { onnxFile, info, session };
}

function bindOutput(b: Omit<Binding, 'outputName' | 'outputWidth'>, preferred: string): Binding {
  const outs = b.info.outputs.length ? b.info.outputs : b.session.outputNames.map((name) => ({ name, elemType: 0 }) as OnnxValueInfo);
  let out = outs.find((o) => o.name === preferred);
  if (!out) {
    if (outs.length === 1) out = outs[0];
    else throw new UserError(`expected an output named "${preferred}" [B, T, V]; the model has ${describeInputs(outs)}`, { source: b.onnxFile, code: 'E_MODEL_IO' });
  }
  const last = out.shape?.[out.shape.length - 1];
  return { ...b, outputName: out.name, outputWidth: typeof last === 'number' && last > 0 ? last : undefined };
}

function requireInputs(b: Binding, expected: Record<string, string>, optional: string[] = []): void {
  const names = b.info.inputs.length ? b.info.inputs.map((i) => i.name) : [...b.session.inputNames];
  const missing = Object.keys(expected).filter((n) => !names.includes(n));
  const unknown = names.filter((n) => !(n in expected) && !optional.includes(n));
  if (missing.length || unknown.length) {
    const want = Object.entries(expected).map(([n, d]) => `"${n}" ${d}`).join(' and ');
    throw new UserError(
      `${missing.length ? `missing ONNX input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}` : `unexpected ONNX input${unknown.length > 1 ? 's' : ''} ${unknown.map((m) => `"${m}"`).join(', ')}`}; ` +
        `expected ${want}; the model has ${describeInputs(b.info.inputs)}`,
      { source: b.onnxFile, code: 'E_MODEL_IO' },
    );
  }
}

/** An input's rank from the graph, when the graph states it, must be `rank`. */
function requireRank(b: Binding, name: string, rank: number, why: string): void {
  const shape = b.info.inputs.find((i) => i.name === name)?.shape;
  if (shape && shape.length !== rank) {
    throw new UserError(`ONNX input "${name}" has rank ${shape.length} [${shape.map((d) => d ?? '?').join(', ')}], expected rank ${rank}: ${why}`, {
      source: b.onnxFile,
      code: 'E_MODEL_IO',
    });
  }
}

function requireOutputRank(b: Binding): void {
  const shape = b.info.outputs.find((o) => o.name === b.outputName)?.shape;
  if (shape && shape.length !== 3) {
    throw new UserError(`ONNX output "${b.outputName}" has rank ${shape.length}, expected [B, T, V] (per-frame scores over the vocabulary)`, {
      source: b.onnxFile,
      code: 'E_MODEL_IO',
    });
  }
}

/** sherpa-onnx's NeMo CTC model types (offline-ctc-model.cc); other model_type values are other families. */
const NEMO_CTC_MODEL_TYPES = ['EncDecCTCModel', 'EncDecCTCModelBPE', 'EncDecHybridRNNTCTCBPEModel', 'EncDecHybridRNNTCTCModel'];

/**
 * Every metadata key sherpa-onnx reads for a NeMo CTC model (offline-nemo-enc-dec-ctc-model.cc: vocab_size,
 * subsampling_factor, normalize_type, is_giga_am; offline-ctc-model.cc: model_type). What sherpa would run
 * with a different front end or decoder is refused here rather than run with the NeMo front end.
 */
function checkSherpaMetadata(b: Binding): void {
  const md = b.info.metadata;
  const giga = md.is_giga_am;
  if (giga !== undefined && giga.trim() !== '' && Number(giga) !== 0) {
    throw new UserError(
      `metadata is_giga_am=${giga}: GigaAM models need their own front end (64 mel bins, no pre-emphasis, n_fft 400, ` +
        'mel filters up to 8 kHz, no normalisation), which this runtime does not implement; only NeMo-preprocessor CTC models are supported',
      { source: b.onnxFile, code: 'E_MODEL_UNSUPPORTED' },
    );
  }
  const type = md.model_type;
  if (type !== undefined && type !== '' && !NEMO_CTC_MODEL_TYPES.includes(type)) {
    throw new UserError(
      `metadata model_type=${JSON.stringify(type)} is not a NeMo CTC model (expected ${NEMO_CTC_MODEL_TYPES.join(', ')}); ` +
        'its front end differs from NeMo\'s, which this runtime computes',
      { source: b.onnxFile, code: 'E_MODEL_UNSUPPORTED' },
    );
  }
  const sf = md.subsampling_factor;
  if (sf !== undefined && !(Number.isInteger(Number(sf)) && Number(sf) > 0)) {
    throw new UserError(`metadata subsampling_factor=${JSON.stringify(sf)}: expected a positive integer`, { source: b.onnxFile, code: 'E_MODEL_CONFIG' });
  }
}

function checkWidth(b: Binding, vocabSize: number, vocabSource: string, what: string): void {
  if (b.outputWidth !== undefined && b.outputWidth !== vocabSize) {
    throw new UserError(
      `vocabulary size mismatch: ${vocabSource} gives ${what} = ${vocabSize} classes, but ${path.basename(b.onnxFile)} output "${b.outputName}" has width ${b.outputWidth}`,
      { source: vocabSource, code: 'E_MODEL_VOCAB' },
    );
  }
}

class OnnxCtcModel implements CtcModel {
  readonly vocabSize: number;
  constructor(
    readonly dir: string,
    readonly layout: ModelLayout,
    readonly vocabulary: readonly string[],
    readonly blankId: number,
    readonly tokenizer: TokenizerInfo,
    readonly frontEnd: FrontEndConfig,
    private readonly binding: Binding,
    private readonly vocabSource: string,
    private readonly validLength: (samples: number, featureFrames: number) => number | undefined,
    private readonly rawLogits: boolean,
    private readonly lengthType: 'int64' | 'int32',
    readonly frameSamples?: number,
    readonly minSamples = 1,
  ) {
    this.vocabSize = vocabulary.length;
  }

  get onnxFile(): string {
    return this.binding.onnxFile;
  }

  computeFeatures(samples: Float32Array): ModelFeatures {
    return computeModelFeatures(this.frontEnd, samples);
  }

  async run(samples: Float32Array, options: { temperature?: number } = {}): Promise<Logprobs> {
    return this.runFeatures(this.computeFeatures(samples), options);
  }

  async runFeatures(features: ModelFeatures, options: { temperature?: number } = {}): Promise<Logprobs> {
    const T = options.temperature ?? 1;
    if (!(T > 0) || !Number.isFinite(T)) throw new UserError(`temperature must be a positive number, got ${T}`, { code: 'E_TEMPERATURE' });
    const b = this.binding;
    const feeds: Record<string, ort.Tensor> = {};
    let featureFrames = 0;
    if (features.kind !== this.frontEnd.kind || (features.kind === 'nemo' && this.frontEnd.kind === 'nemo' && features.nMels !== this.frontEnd.nMels)) {
      throw new Error(`features of kind ${features.kind} do not fit model ${this.dir} (front end ${this.frontEnd.kind})`);
    }
    if (features.kind === 'nemo') {
      featureFrames = features.validFrames;
      feeds.audio_signal = new ort.Tensor('float32', features.data, [1, features.nMels, features.frames]);
      feeds.length =
        this.lengthType === 'int64'
          ? new ort.Tensor('int64', BigInt64Array.from([BigInt(features.validFrames)]), [1])
          : new ort.Tensor('int32', Int32Array.from([features.validFrames]), [1]);
    } else {
      const x = features.values;
      feeds.input_values = new ort.Tensor('float32', x, [1, x.length]);
      if (b.session.inputNames.includes('attention_mask')) {
        feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(x.length).fill(1n), [1, x.length]);
      }
    }
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await b.session.run(feeds, [b.outputName]);
    } catch (e) {
      throw new UserError(`ONNX Runtime failed: ${(e as Error).message}`, { source: b.onnxFile, code: 'E_MODEL_RUN', cause: e });
    }
    const out = result[b.outputName] as ort.Tensor;
    const dims = out.dims;
    if (dims.length !== 3 || dims[0] !== 1) {
      throw new UserError(`output "${b.outputName}" has shape [${dims.join(', ')}]; expected [1, T, V]`, { source: b.onnxFile, code: 'E_MODEL_IO' });
    }
    const frames = dims[1];
    const V = dims[2];
    if (V !== this.vocabSize) {
      throw new UserError(
        `vocabulary size mismatch: ${this.vocabSource} gives ${this.vocabSize} classes, but output "${b.outputName}" has width ${V}`,
        { source: this.vocabSource, code: 'E_MODEL_VOCAB' },
      );
    }
    const raw = out.type === 'float32' ? (out.data as Float32Array) : Float32Array.from(out.data as ArrayLike<number>);
    const computed = this.validLength(features.samples, featureFrames);
    let valid = computed === undefined ? frames : Math.min(frames, computed);
    if (valid < 1 && frames >= 1) valid = 1;
    const trimmed = raw.subarray(0, valid * V);
    // NeMo exports end in log_softmax, but some (other output name, a custom head) give raw logits: like
    // NeMo's guard in get_filtered_logprobs, a first row whose probabilities do not sum to 1 means logits.
    const logits = this.rawLogits || (valid > 0 && !isLogProbRow(trimmed, V));
    // The output tensor's buffer is this call's own (onnxruntime-node copies outputs out of ORT): no second copy.
    const data = logits || T !== 1 ? logSoftmaxRows(trimmed, valid, V, T) : trimmed;
    return { data, frames: valid, vocabSize: V };
  }

  async dispose(): Promise<void> {
    await this.binding.session.release();
  }
}

async function loadNemoLike(dir: string, layout: 'nemo' | 'sherpa-onnx', options: LoadModelOptions): Promise<LoadedCtcModel> {
  const cfgFile = rel(dir, 'model_config.json');
  const tokFile = rel(dir, 'tokens.txt');
  const cfg: NemoModelConfigJson = layout === 'nemo' ? await readJson<NemoModelConfigJson>(cfgFile) : {};
  if (layout === 'nemo' && (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg))) {
    throw new UserError('expected a JSON object', { source: cfgFile, code: 'E_MODEL_CONFIG' });
  }
  if (cfg.layout !== undefined && cfg.layout !== 'nemo') {
    throw new UserError(`"layout" is ${JSON.stringify(cfg.layout)}; this loader expects "nemo"`, { source: cfgFile, code: 'E_MODEL_CONFIG' });
  }

  // Vocabulary (blank appended / located).
  let vocabulary: string[];
  let blankId: number;
  let vocabSource: string;
  if (Array.isArray(cfg.vocabulary)) {
    if (!cfg.vocabulary.every((t) => typeof t === 'string')) throw new UserError('"vocabulary" must be a list of strings', { source: cfgFile, code: 'E_MODEL_VOCAB' });
    vocabulary = [...cfg.vocabulary, '<blk>'];
    blankId = vocabulary.length - 1;
    vocabSource = cfgFile;
  } else if (existsSync(tokFile)) {
    const parsed = parseTokensTxt(await readText(tokFile), tokFile);
    vocabulary = parsed.tokens;
    vocabSource = tokFile;
    if (parsed.blankId === undefined) {
      throw new UserError(`no blank token; expected a final "<blk> ${vocabulary.length}" line (or <eps>/<blank>)`, { source: tokFile, code: 'E_MODEL_VOCAB' });
    }
    blankId = parsed.blankId;
  } else {
    throw new UserError(`missing vocabulary: expected tokens.txt in the folder or a "vocabulary" list in model_config.json`, {
      source: cfgFile,
      code: 'E_MODEL_VOCAB',
    });
  }

  const opened = await openOnnx(dir, options);
  const b = bindOutput(opened, 'logprobs');
  requireInputs(b, { audio_signal: '[B, n_mels, T] float32', length: '[B] int64' });
  requireRank(b, 'audio_signal', 3,
    'a rank-2 [B, T] audio_signal means the export contains the preprocessor (raw samples in); this loader computes the ' +
      "NeMo features itself and needs the encoder + decoder export, [B, n_mels, T] (NeMo's model.export() default; see docs/exporting.md)");
  requireRank(b, 'length', 1, 'expected the number of valid feature frames per batch item');
  requireOutputRank(b);
  checkSherpaMetadata(b);
  checkWidth(b, vocabulary.length, vocabSource, Array.isArray(cfg.vocabulary) ? 'vocabulary + blank' : 'tokens incl. blank');

  const sig = b.info.inputs.find((i) => i.name === 'audio_signal');
  const melDim = sig?.shape?.[1];
  const lenInfo = b.info.inputs.find((i) => i.name === 'length');
  const lengthType = lenInfo?.elemType === 6 ? 'int32' : 'int64';

  let frontEnd: NemoFrontEndConfig;
  let subsampling: number | undefined;
  if (layout === 'nemo') {
    const p = cfg.preprocessor ?? {};
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new UserError('"preprocessor" must be an object', { source: cfgFile, code: 'E_MODEL_CONFIG' });
    const sr = p.sample_rate ?? 16000;
    const extra = preprocessorExtras(p as Record<string, unknown>, sr, cfgFile);
    const win = extra.nWindowSize ?? Math.trunc((p.window_size ?? 0.025) * sr + 1e-9);
    const hop = extra.nWindowStride ?? Math.trunc((p.window_stride ?? 0.01) * sr + 1e-9);
    frontEnd = nemoFrontEnd({
      ...extra.frontEnd,
      sampleRate: sr,
      nMels: p.features ?? (typeof melDim === 'number' ? melDim : 80),
      windowSize: win,
      hop,
      nFft: p.n_fft ?? 2 ** Math.ceil(Math.log2(win)),
      preemph: p.preemph === undefined ? 0.97 : (p.preemph ?? 0),
      normalize: normalizeKind(p.normalize, cfgFile),
      framing: framingOf(p, options.framing ?? 'reflect', cfgFile),
    });
    subsampling = cfg.subsampling_factor;
  } else {
    const md = b.info.metadata;
    frontEnd = nemoFrontEnd({
      nMels: typeof melDim === 'number' ? melDim : 80,
      normalize: normalizeKind(md.normalize_type ?? 'per_feature', `${b.onnxFile} metadata_props normalize_type`),
      framing: options.framing ?? 'reflect',
    });
    const sf = md.subsampling_factor !== undefined ? Number(md.subsampling_factor) : undefined;
    subsampling = sf && Number.isFinite(sf) && sf > 0 ? sf : undefined;
  }
  if (typeof melDim === 'number' && melDim !== frontEnd.nMels) {
    throw new UserError(
      `front end gives ${frontEnd.nMels} mel features but input "audio_signal" of ${path.basename(b.onnxFile)} expects ${melDim}`,
      { source: layout === 'nemo' ? cfgFile : b.onnxFile, code: 'E_MODEL_CONFIG' },
    );
  }
  if (cfg.tokenizer !== undefined && !['bpe', 'wpe', 'char'].includes(cfg.tokenizer)) {
    throw new UserError(`"tokenizer" ${JSON.stringify(cfg.tokenizer)}: expected "bpe" (SentencePiece), "wpe" (WordPiece) or "char"`, { source: cfgFile, code: 'E_MODEL_CONFIG' });
  }
  const tokenizer: TokenizerInfo =
    layout === 'nemo' && cfg.tokenizer
      ? {
          kind: cfg.tokenizer,
          wordDelimiter: cfg.tokenizer === 'char' ? ' ' : undefined,
          lowerCase: false,
          specialIds: specialIdsOf(vocabulary, blankId),
        }
      : guessTokenizer(vocabulary, blankId);
  const sub = subsampling;
  return new OnnxCtcModel(dir, layout, vocabulary, blankId, tokenizer, frontEnd, b, vocabSource,
    (_samples, featureFrames) => (sub ? nemoEncodedLength(featureFrames, sub) : undefined), false, lengthType,
    sub ? frontEnd.hop * sub : undefined);
}

interface HfTokenizerConfig {
  pad_token?: string | { content: string };
  unk_token?: string | { content: string };
  bos_token?: string | { content: string };
  eos_token?: string | { content: string };
  word_delimiter_token?: string | { content: string };
  do_lower_case?: boolean;
}

function tokenContent(t: string | { content: string } | undefined | null): string | undefined {
  if (t === undefined || t === null) return undefined;
  return typeof t === 'string' ? t : t.content;
}

async function loadWav2vec2(dir: string, options: LoadModelOptions): Promise<LoadedCtcModel> {
  const vocabFile = rel(dir, 'vocab.json');
  const raw = await readJson<Record<string, number>>(vocabFile);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserError('expected a JSON object mapping token to id', { source: vocabFile, code: 'E_MODEL_VOCAB' });
  }
  const map = new Map<string, number>(Object.entries(raw));
  const addedFile = rel(dir, 'added_tokens.json');
  if (existsSync(addedFile)) for (const [k, v] of Object.entries(await readJson<Record<string, number>>(addedFile))) map.set(k, v);
  const size = map.size;
  const vocabulary: string[] = new Array(size);
  for (const [tok, id] of map) {
    if (!Number.isInteger(id) || id < 0 || id >= size || vocabulary[id] !== undefined) {
      throw new UserError(`token ids must be 0..${size - 1} without repeats; got ${JSON.stringify(tok)}: ${id}`, { source: vocabFile, code: 'E_MODEL_VOCAB' });
    }
    vocabulary[id] = tok;
  }
  const tokCfgFile = rel(dir, 'tokenizer_config.json');
  const tokCfg: HfTokenizerConfig = existsSync(tokCfgFile) ? await readJson<HfTokenizerConfig>(tokCfgFile) : {};
  const cfgFile = rel(dir, 'config.json');
  const cfg: { pad_token_id?: number; conv_kernel?: number[]; conv_stride?: number[] } = existsSync(cfgFile) ? await readJson(cfgFile) : {};
  const preFile = rel(dir, 'preprocessor_config.json');
  const pre: { do_normalize?: boolean; sampling_rate?: number } = existsSync(preFile) ? await readJson(preFile) : {};

  const idOf = (t: string | undefined) => (t !== undefined && map.has(t) ? map.get(t)! : undefined);
  const padTok = tokenContent(tokCfg.pad_token);
  let blankId = idOf(padTok) ?? cfg.pad_token_id ?? idOf('<pad>') ?? idOf('[PAD]');
  if (blankId === undefined || blankId < 0 || blankId >= size) {
    throw new UserError(
      `cannot find the pad (= CTC blank) token: expected "pad_token" in tokenizer_config.json, "pad_token_id" in config.json, or a "<pad>" entry in vocab.json`,
      { source: vocabFile, code: 'E_MODEL_VOCAB' },
    );
  }
  const delimiter = tokenContent(tokCfg.word_delimiter_token) ?? '|';
  const tokenizer: TokenizerInfo = {
    kind: 'char',
    wordDelimiter: delimiter,
    lowerCase: tokCfg.do_lower_case ?? false,
    specialIds: specialIdsOf(vocabulary, blankId, [
      idOf(tokenContent(tokCfg.unk_token)),
      idOf(tokenContent(tokCfg.bos_token)),
      idOf(tokenContent(tokCfg.eos_token)),
    ]),
  };
  const frontEnd: FrontEndConfig = { kind: 'wav2vec2', sampleRate: pre.sampling_rate ?? 16000, doNormalize: pre.do_normalize ?? true };
  const kernels = cfg.conv_kernel ?? [10, 3, 3, 3, 3, 2, 2];
  const strides = cfg.conv_stride ?? [5, 2, 2, 2, 2, 2, 2];
  if (kernels.length !== strides.length) {
    throw new UserError(`conv_kernel (${kernels.length}) and conv_stride (${strides.length}) differ in length`, { source: cfgFile, code: 'E_MODEL_CONFIG' });
  }

  const opened = await openOnnx(dir, options);
  const b = bindOutput(opened, 'logits');
  requireInputs(b, { input_values: '[B, samples] float32' }, ['attention_mask']);
  requireRank(b, 'input_values', 2, 'expected raw 16 kHz samples [B, samples] (optimum\'s automatic-speech-recognition export)');
  requireOutputRank(b);
  checkWidth(b, size, vocabFile, 'vocab.json entries');
  let minSamples = 1;
  while (minSamples < 1 << 20 && convEncodedLength(minSamples, kernels, strides) < 1) minSamples++;
  return new OnnxCtcModel(dir, 'wav2vec2', vocabulary, blankId, tokenizer, frontEnd, b, vocabFile,
    (samples) => convEncodedLength(samples, kernels, strides), true, 'int64', strides.reduce((a, s) => a * s, 1), minSamples);
}

/**
 * Load a CTC model folder: a NeMo export (model.onnx + model_config.json and/or tokens.txt), the
 * sherpa-onnx NeMo CTC layout (model.onnx + tokens.txt + metadata_props) or a Hugging Face wav2vec2
 * export (model.onnx + vocab.json + preprocessor_config.json + tokenizer_config.json/config.json).
 */
export async function loadCtcModel(dir: string, options: LoadModelOptions = {}): Promise<LoadedCtcModel> {
  const layout = detectLayout(dir);
  if (layout === 'wav2vec2') return loadWav2vec2(dir, options);
  return loadNemoLike(dir, layout, options);
}
