/**
 * A minimal ONNX protobuf *writer* (ModelProto with opset import, graph nodes, initializers, inputs and
 * outputs with symbolic dims, metadata_props) plus ready-made "tone" CTC models for each supported
 * layout: each token is recognised by a pure tone at its own frequency, so hand-made audio
 * (tests/helpers/wav.ts `synthesizeTones`) transcribes to a known text through the real front ends.
 * No protobuf dependency: field numbers follow onnx/onnx.proto.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { slaneyMelFilterbank, melToHzSlaney, hzToMelSlaney } from '../../src/features/nemo-mel.js';

// ---------------------------------------------------------------------------------------------------
// Protobuf writer

class PbWriter {
  private chunks: number[] = [];
  private bytes(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.chunks.push(b[i]);
  }
  varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x) byte |= 0x80;
      this.chunks.push(byte);
    } while (x);
  }
  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  int(field: number, v: number | bigint): void {
    this.tag(field, 0);
    this.varint(v);
  }
  float(field: number, v: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.bytes(b);
  }
  raw(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.bytes(b);
  }
  string(field: number, s: string): void {
    this.raw(field, new TextEncoder().encode(s));
  }
  message(field: number, build: (w: PbWriter) => void): void {
    const w = new PbWriter();
    build(w);
    this.raw(field, w.finish());
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

// ---------------------------------------------------------------------------------------------------
// Graph description

export type ElemType = 'float' | 'int64' | 'int32';
const ELEM: Record<ElemType, number> = { float: 1, int32: 6, int64: 7 };

export interface ValueSpec {
  name: string;
  type?: ElemType;
  /** Numbers are fixed sizes, strings symbolic (dim_param). Omit for an unknown shape. */
  shape?: Array<number | string>;
}

export interface TensorSpec {
  name: string;
  dims: number[];
  type?: ElemType;
  data: ArrayLike<number> | BigInt64Array;
}

export type AttrValue =
  number | number[] | string | { f: number } | { i: number | bigint } | { floats: number[] } | { ints: Array<number | bigint> } | { t: TensorSpec };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, AttrValue>;
}

export interface ModelSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: TensorSpec[];
  metadata?: Record<string, string>;
  opset?: number;
  irVersion?: number;
  graphName?: string;
}

function writeTensor(w: PbWriter, t: TensorSpec): void {
  const type = t.type ?? 'float';
  for (const d of t.dims) w.int(1, d);
  w.int(2, ELEM[type]);
  w.string(8, t.name);
  let raw: Uint8Array;
  if (type === 'float') {
    const a = Float32Array.from(t.data as ArrayLike<number>);
    raw = new Uint8Array(a.buffer);
  } else if (type === 'int64') {
    const src = t.data;
    const a = src instanceof BigInt64Array ? src : BigInt64Array.from(Array.from(src as ArrayLike<number>, (x) => BigInt(x)));
    raw = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  } else {
    const a = Int32Array.from(t.data as ArrayLike<number>);
    raw = new Uint8Array(a.buffer);
  }
  w.raw(9, raw);
}

function writeValueInfo(w: PbWriter, v: ValueSpec): void {
  w.string(1, v.name);
  w.message(2, (tp) =>
    tp.message(1, (tt) => {
      tt.int(1, ELEM[v.type ?? 'float']);
      if (v.shape) {
        tt.message(2, (sh) => {
          for (const d of v.shape!) sh.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        });
      }
    }),
  );
}

function writeAttr(w: PbWriter, name: string, v: AttrValue): void {
  w.string(1, name);
  if (typeof v === 'string') {
    w.string(4, v);
    w.int(20, 3);
  } else if (typeof v === 'number') {
    if (Number.isInteger(v)) {
      w.int(3, v);
      w.int(20, 2);
    } else {
      w.float(2, v);
      w.int(20, 1);
    }
  } else if (Array.isArray(v)) {
    if (v.every((x) => Number.isInteger(x))) {
      for (const x of v) w.int(8, x);
      w.int(20, 7);
    } else {
      for (const x of v) w.float(7, x);
      w.int(20, 6);
    }
  } else if ('f' in v) {
    w.float(2, v.f);
    w.int(20, 1);
  } else if ('i' in v) {
    w.int(3, v.i);
    w.int(20, 2);
  } else if ('floats' in v) {
    for (const x of v.floats) w.float(7, x);
    w.int(20, 6);
  } else if ('ints' in v) {
    for (const x of v.ints) w.int(8, x);
    w.int(20, 7);
  } else {
    w.message(5, (tw) => writeTensor(tw, v.t));
    w.int(20, 4);
  }
}

/** Serialise a model description to ONNX protobuf bytes. */
export function encodeOnnxModel(spec: ModelSpec): Uint8Array {
  const w = new PbWriter();
  w.int(1, spec.irVersion ?? 8);
  w.string(2, 'ctc-ensemble-tests');
  w.message(7, (g) => {
    spec.nodes.forEach((n, i) =>
      g.message(1, (nw) => {
        for (const x of n.inputs) nw.string(1, x);
        for (const x of n.outputs) nw.string(2, x);
        nw.string(3, n.name ?? `${n.op}_${i}`);
        nw.string(4, n.op);
        for (const [k, v] of Object.entries(n.attrs ?? {})) nw.message(5, (aw) => writeAttr(aw, k, v));
      }),
    );
    g.string(2, spec.graphName ?? 'test_graph');
    for (const t of spec.initializers ?? []) g.message(5, (tw) => writeTensor(tw, t));
    for (const v of spec.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of spec.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, spec.opset ?? 17);
  });
  for (const [k, v] of Object.entries(spec.metadata ?? {})) {
    w.message(14, (m) => {
      m.string(1, k);
      m.string(2, v);
    });
  }
  return w.finish();
}

// ---------------------------------------------------------------------------------------------------
// Tone models

const INT64_MAX = 9223372036854775807n;

/**
 * `count` tone frequencies (Hz) at the centres of 80-mel Slaney bins (16 kHz, n_fft 512), at least
 * `minSpacingHz` apart, from ~300 Hz up to 7.2 kHz. The same list serves NeMo and wav2vec2 tone models.
 */
export function toneFrequencies(count: number, minSpacingHz = 250): number[] {
  const all = melCentres(16000, 80);
  const out: number[] = [];
  let last = -Infinity;
  for (const f of all) {
    if (f < 280 || f > 7250) continue;
    if (f - last >= minSpacingHz) {
      out.push(f);
      last = f;
    }
  }
  if (count > out.length) throw new Error(`at most ${out.length} tones are available, asked for ${count}`);
  return out.slice(0, count);
}

function melCentres(sampleRate: number, nMels: number): number[] {
  const mMax = hzToMelSlaney(sampleRate / 2);
  const step = mMax / (nMels + 1);
  return Array.from({ length: nMels }, (_, i) => melToHzSlaney((i + 1) * step));
}

/** Index of the mel filter that responds most to frequency `f` (16 kHz, n_fft 512). */
export function melBinOf(f: number, nMels = 80, sampleRate = 16000, nFft = 512): number {
  const fb = slaneyMelFilterbank(sampleRate, nFft, nMels);
  const nBins = nFft / 2 + 1;
  const k = Math.round((f * nFft) / sampleRate);
  let best = 0;
  for (let m = 1; m < nMels; m++) if (fb[m * nBins + k] > fb[best * nBins + k]) best = m;
  return best;
}

export interface NemoToneModelOptions {
  /** Vocabulary without the blank (blank is appended last, NeMo style). */
  vocabulary: string[];
  /** Tone frequency per vocabulary entry (default: toneFrequencies(vocabulary.length)). */
  frequencies?: number[];
  nMels?: number;
  /** Subsampling by frame striding (Slice step); default 4. */
  subsampling?: number;
  /** Front-end normalisation the model expects; default 'per_feature'. */
  normalize?: 'per_feature' | 'none';
  /** logit_i = gain·feature[bin_i] + offset; blank logit = blankLogit. Defaults suit `synthesizeTones`. */
  gain?: number;
  offset?: number;
  blankLogit?: number;
  /** Override the graph's input names (for the missing-input error test). */
  inputNames?: { audio: string; length: string };
  /** Output width override (default vocabulary.length + 1): for the size-mismatch test. */
  outputWidth?: number;
  metadata?: Record<string, string>;
  /** No LogSoftmax at the end (raw logits), and the output under this name (default 'logprobs'). */
  rawLogits?: boolean;
  outputName?: string;
  /** audio_signal [B, T] (rank 2: an export with the preprocessor inside); the graph ignores the tones. */
  rawAudioInput?: boolean;
}

/**
 * A NeMo-export-shaped CTC graph: audio_signal [B, n_mels, T] float + length [B] int64 → Transpose →
 * Slice(step = subsampling) → MatMul(W) + b → LogSoftmax → logprobs [B, T', V]. Token i reads the mel
 * bin its tone falls in.
 */
export function nemoToneModel(opts: NemoToneModelOptions): Uint8Array {
  const nMels = opts.nMels ?? 80;
  const vocab = opts.vocabulary;
  const V = opts.outputWidth ?? vocab.length + 1;
  const freqs = opts.frequencies ?? toneFrequencies(vocab.length);
  const perFeature = (opts.normalize ?? 'per_feature') === 'per_feature';
  const gain = opts.gain ?? 1;
  const offset = opts.offset ?? (perFeature ? 0 : 6);
  const blank = opts.blankLogit ?? (perFeature ? 0.5 : 0);
  const W = new Float32Array(nMels * V);
  const b = new Float32Array(V).fill(-1000);
  for (let i = 0; i < vocab.length && i < V - 1; i++) {
    const bin = melBinOf(freqs[i], nMels);
    W[bin * V + i] = gain;
    b[i] = offset;
  }
  b[V - 1] = blank;
  const sub = opts.subsampling ?? 4;
  const names = opts.inputNames ?? { audio: 'audio_signal', length: 'length' };
  const out = opts.outputName ?? 'logprobs';
  if (opts.rawAudioInput) {
    return encodeOnnxModel({
      inputs: [
        { name: names.audio, type: 'float', shape: ['batch', 'time'] },
        { name: names.length, type: 'int64', shape: ['batch'] },
      ],
      outputs: [{ name: out, type: 'float', shape: ['batch', 'time', V] }],
      initializers: [
        { name: 'axes2', dims: [1], type: 'int64', data: [2] },
        { name: 'W1', dims: [1, V], data: new Float32Array(V).fill(1) },
      ],
      nodes: [
        { op: 'Unsqueeze', inputs: [names.audio, 'axes2'], outputs: ['x3'] },
        { op: 'MatMul', inputs: ['x3', 'W1'], outputs: ['scores'] },
        { op: 'LogSoftmax', inputs: ['scores'], outputs: [out], attrs: { axis: -1 } },
      ],
      metadata: opts.metadata,
    });
  }
  return encodeOnnxModel({
    inputs: [
      { name: names.audio, type: 'float', shape: ['batch', nMels, 'time'] },
      { name: names.length, type: 'int64', shape: ['batch'] },
    ],
    outputs: [{ name: out, type: 'float', shape: ['batch', 'encoded_time', V] }],
    initializers: [
      { name: 'W', dims: [nMels, V], data: W },
      { name: 'b', dims: [V], data: b },
      { name: 'starts', dims: [1], type: 'int64', data: [0] },
      { name: 'ends', dims: [1], type: 'int64', data: BigInt64Array.from([INT64_MAX]) },
      { name: 'axes', dims: [1], type: 'int64', data: [1] },
      { name: 'steps', dims: [1], type: 'int64', data: [sub] },
    ],
    nodes: [
      { op: 'Transpose', inputs: [names.audio], outputs: ['x_btd'], attrs: { perm: [0, 2, 1] } },
      { op: 'Slice', inputs: ['x_btd', 'starts', 'ends', 'axes', 'steps'], outputs: ['x_sub'] },
      { op: 'MatMul', inputs: ['x_sub', 'W'], outputs: ['x_proj'] },
      ...(opts.rawLogits
        ? [{ op: 'Add', inputs: ['x_proj', 'b'], outputs: [out] }]
        : [
            { op: 'Add', inputs: ['x_proj', 'b'], outputs: ['scores'] },
            { op: 'LogSoftmax', inputs: ['scores'], outputs: [out], attrs: { axis: -1 } },
          ]),
    ],
    metadata: opts.metadata,
  });
}

export interface Wav2vec2ToneModelOptions {
  /** Full vocabulary by id (vocab.json order), e.g. ['<pad>','<s>','</s>','<unk>','|','E',…]. */
  vocabulary: string[];
  /** Tokens that get a tone, in tone order (default: all but <pad>, <s>, </s>, <unk>). */
  toneTokens?: string[];
  frequencies?: number[];
  padToken?: string;
  /** Blank logit (a log-energy threshold). */
  threshold?: number;
  outputWidth?: number;
  inputName?: string;
}

/**
 * A wav2vec2-export-shaped CTC graph: input_values [B, S] → Unsqueeze → Conv(cos/sin Hann-windowed
 * matched filters, kernel 400, stride 320) → square → pairwise sum (energy per tone) → Log →
 * MatMul + b → raw logits [B, T', V] (no softmax, like optimum's export).
 */
export function wav2vec2ToneModel(opts: Wav2vec2ToneModelOptions): { onnx: Uint8Array; kernel: number; stride: number } {
  const vocab = opts.vocabulary;
  const V = opts.outputWidth ?? vocab.length;
  const special = new Set(['<pad>', '<s>', '</s>', '<unk>', '[PAD]', '[UNK]']);
  const toneTokens = opts.toneTokens ?? vocab.filter((t) => !special.has(t));
  const freqs = opts.frequencies ?? toneFrequencies(toneTokens.length);
  const N = toneTokens.length;
  const K = 400;
  const S = 320;
  const sr = 16000;
  const conv = new Float32Array(2 * N * K);
  for (let i = 0; i < N; i++) {
    for (let n = 0; n < K; n++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (K - 1));
      conv[2 * i * K + n] = (w * Math.cos((2 * Math.PI * freqs[i] * n) / sr)) / 100;
      conv[(2 * i + 1) * K + n] = (w * Math.sin((2 * Math.PI * freqs[i] * n) / sr)) / 100;
    }
  }
  const pair = new Float32Array(2 * N * N);
  for (let i = 0; i < N; i++) {
    pair[2 * i * N + i] = 1;
    pair[(2 * i + 1) * N + i] = 1;
  }
  const Q = new Float32Array(N * V);
  const b = new Float32Array(V).fill(-1000);
  toneTokens.forEach((tok, i) => {
    const id = vocab.indexOf(tok);
    if (id < 0) throw new Error(`tone token ${tok} not in vocabulary`);
    if (id < V) {
      Q[i * V + id] = 1;
      b[id] = 0;
    }
  });
  const pad = vocab.indexOf(opts.padToken ?? '<pad>');
  if (pad >= 0 && pad < V) b[pad] = opts.threshold ?? -2;
  const input = opts.inputName ?? 'input_values';
  const onnx = encodeOnnxModel({
    inputs: [{ name: input, type: 'float', shape: ['batch_size', 'sequence_length'] }],
    outputs: [{ name: 'logits', type: 'float', shape: ['batch_size', 'frames', V] }],
    initializers: [
      { name: 'unsq_axes', dims: [1], type: 'int64', data: [1] },
      { name: 'conv_w', dims: [2 * N, 1, K], data: conv },
      { name: 'pair', dims: [2 * N, N], data: pair },
      { name: 'eps', dims: [1], data: [1e-6] },
      { name: 'Q', dims: [N, V], data: Q },
      { name: 'b', dims: [V], data: b },
    ],
    nodes: [
      { op: 'Unsqueeze', inputs: [input, 'unsq_axes'], outputs: ['x1'] },
      { op: 'Conv', inputs: ['x1', 'conv_w'], outputs: ['c'], attrs: { kernel_shape: [K], strides: [S] } },
      { op: 'Mul', inputs: ['c', 'c'], outputs: ['c2'] },
      { op: 'Transpose', inputs: ['c2'], outputs: ['c2t'], attrs: { perm: [0, 2, 1] } },
      { op: 'MatMul', inputs: ['c2t', 'pair'], outputs: ['energy'] },
      { op: 'Add', inputs: ['energy', 'eps'], outputs: ['energy_eps'] },
      { op: 'Log', inputs: ['energy_eps'], outputs: ['log_energy'] },
      { op: 'MatMul', inputs: ['log_energy', 'Q'], outputs: ['proj'] },
      { op: 'Add', inputs: ['proj', 'b'], outputs: ['logits'] },
    ],
  });
  return { onnx, kernel: K, stride: S };
}

// ---------------------------------------------------------------------------------------------------
// Model folders

export interface ToneModelDir {
  dir: string;
  /** Token → tone frequency, for `synthesizeTones`. */
  frequencies: Map<string, number>;
}

function mapFreqs(tokens: string[], freqs: number[]): Map<string, number> {
  return new Map(tokens.map((t, i) => [t, freqs[i]]));
}

/** NeMo layout: model.onnx + model_config.json (vocabulary inside, or in tokens.txt with `tokensTxt`). */
export function writeNemoToneModel(
  dir: string,
  opts: NemoToneModelOptions & {
    tokenizer?: 'bpe' | 'char';
    /** Written as `preprocessor.nemo_version` (default '2.3'). */
    nemoVersion?: string;
    /** Written as `preprocessor.framing` instead of nemo_version. */
    framing?: 'reflect' | 'zero-pad';
    tokensTxt?: boolean;
    omitVocabulary?: boolean;
    configOverrides?: Record<string, unknown>;
  },
): ToneModelDir {
  mkdirSync(dir, { recursive: true });
  const freqs = opts.frequencies ?? toneFrequencies(opts.vocabulary.length);
  writeFileSync(path.join(dir, 'model.onnx'), nemoToneModel({ ...opts, frequencies: freqs }));
  const cfg: Record<string, unknown> = {
    layout: 'nemo',
    ...(opts.tokensTxt || opts.omitVocabulary ? {} : { vocabulary: opts.vocabulary }),
    preprocessor: {
      sample_rate: 16000,
      features: opts.nMels ?? 80,
      window_size: 0.025,
      window_stride: 0.01,
      n_fft: 512,
      preemph: 0.97,
      normalize: opts.normalize === 'none' ? 'NA' : 'per_feature',
      ...(opts.framing ? { framing: opts.framing } : { nemo_version: opts.nemoVersion ?? '2.3' }),
    },
    subsampling_factor: opts.subsampling ?? 4,
    tokenizer: opts.tokenizer ?? (opts.vocabulary.some((t) => t.includes('▁')) ? 'bpe' : 'char'),
    ...opts.configOverrides,
  };
  writeFileSync(path.join(dir, 'model_config.json'), JSON.stringify(cfg, null, 2));
  if (opts.tokensTxt) writeTokensTxt(dir, opts.vocabulary);
  return { dir, frequencies: mapFreqs(opts.vocabulary, freqs) };
}

/** sherpa-style tokens.txt: "<sym> <id>" lines, then "<blk> N". */
export function writeTokensTxt(dir: string, vocabulary: string[], blank = '<blk>'): void {
  const lines = vocabulary.map((s, i) => `${s} ${i}`);
  lines.push(`${blank} ${vocabulary.length}`);
  writeFileSync(path.join(dir, 'tokens.txt'), lines.join('\n') + '\n');
}

/** sherpa-onnx NeMo CTC layout: model.onnx with metadata_props + tokens.txt. */
export function writeSherpaToneModel(dir: string, opts: NemoToneModelOptions): ToneModelDir {
  mkdirSync(dir, { recursive: true });
  const freqs = opts.frequencies ?? toneFrequencies(opts.vocabulary.length);
  const metadata = opts.metadata ?? {
    vocab_size: String(opts.vocabulary.length + 1),
    subsampling_factor: String(opts.subsampling ?? 4),
    normalize_type: opts.normalize === 'none' ? '' : 'per_feature',
    model_type: 'EncDecCTCModelBPE',
    version: '1',
    model_author: 'nemo',
    comment: 'tone test model',
  };
  writeFileSync(path.join(dir, 'model.onnx'), nemoToneModel({ ...opts, frequencies: freqs, metadata }));
  writeTokensTxt(dir, opts.vocabulary);
  return { dir, frequencies: mapFreqs(opts.vocabulary, freqs) };
}

/** Hugging Face wav2vec2 (optimum) layout: model.onnx + vocab.json + preprocessor/tokenizer/config JSON. */
export function writeWav2vec2ToneModel(
  dir: string,
  opts: Wav2vec2ToneModelOptions & { doLowerCase?: boolean; doNormalize?: boolean; skipConfigs?: boolean },
): ToneModelDir {
  mkdirSync(dir, { recursive: true });
  const special = new Set(['<pad>', '<s>', '</s>', '<unk>', '[PAD]', '[UNK]']);
  const toneTokens = opts.toneTokens ?? opts.vocabulary.filter((t) => !special.has(t));
  const freqs = opts.frequencies ?? toneFrequencies(toneTokens.length);
  const { onnx, kernel, stride } = wav2vec2ToneModel({ ...opts, toneTokens, frequencies: freqs });
  writeFileSync(path.join(dir, 'model.onnx'), onnx);
  writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(Object.fromEntries(opts.vocabulary.map((t, i) => [t, i]))));
  if (!opts.skipConfigs) {
    const pad = opts.padToken ?? '<pad>';
    writeFileSync(
      path.join(dir, 'preprocessor_config.json'),
      JSON.stringify({ do_normalize: opts.doNormalize ?? true, feature_size: 1, padding_value: 0, sampling_rate: 16000, return_attention_mask: false }),
    );
    writeFileSync(
      path.join(dir, 'tokenizer_config.json'),
      JSON.stringify({
        pad_token: pad,
        unk_token: '<unk>',
        bos_token: '<s>',
        eos_token: '</s>',
        word_delimiter_token: '|',
        do_lower_case: opts.doLowerCase ?? true,
      }),
    );
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ pad_token_id: opts.vocabulary.indexOf(pad), vocab_size: opts.vocabulary.length, conv_kernel: [kernel], conv_stride: [stride] }),
    );
  }
  return { dir, frequencies: mapFreqs(toneTokens, freqs) };
}
