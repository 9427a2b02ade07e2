import type { FrontEndConfig, ModelFeatures } from '../features/types.js';

export type { FrontEndConfig, ModelFeatures };

/** Row-major [frames][vocabSize] natural-log posteriors of one utterance (padding already trimmed). */
export interface Logprobs {
  data: Float32Array;
  frames: number;
  vocabSize: number;
}

export type ModelLayout = 'nemo' | 'sherpa-onnx' | 'wav2vec2';

/** How the loader read the model's tokenizer; the text of tokens is the beam-search alphabet's rule (decoding/alphabet.ts). */
export interface TokenizerInfo {
  /**
   * 'bpe': SentencePiece pieces, `▁` starts a word. 'wpe': WordPiece (NeMo `tokenizer.type: wpe`), `##` continues
   * a word, any other token starts one. 'char': characters with a word delimiter token. In every kind,
   * byte-fallback tokens `<0xNN>` are reassembled into UTF-8 text (as sherpa-onnx does).
   */
  kind: 'bpe' | 'wpe' | 'char';
  /** For 'char': the token that separates words (' ' or '|'). */
  wordDelimiter?: string;
  /** Lower-case the output (wav2vec2 `do_lower_case`). */
  lowerCase: boolean;
  /** Token ids that never print (blank, pad, <s>, </s>, <unk> handled by decoder). */
  specialIds: number[];
}

export interface CtcModel {
  readonly dir: string;
  readonly layout: ModelLayout;
  readonly vocabulary: readonly string[];
  readonly blankId: number;
  readonly vocabSize: number;
  readonly tokenizer: TokenizerInfo;
  readonly frontEnd: FrontEndConfig;
  /** Run on mono samples at `frontEnd.sampleRate`; returns log-softmaxed posteriors (temperature applied). */
  run(samples: Float32Array, options?: { temperature?: number }): Promise<Logprobs>;
  /**
   * Input samples (at `frontEnd.sampleRate`) per output frame: hop × subsampling for NeMo layouts, the
   * product of the conv strides for wav2vec2 — frame t starts at t × frameSamples (word timestamps).
   * Set by `loadCtcModel` when the folder says (NeMo `subsampling_factor`); undefined otherwise.
   */
  readonly frameSamples?: number;
  /** Fewest input samples the network accepts (its receptive field); shorter input is refused. */
  readonly minSamples?: number;
  /** The ONNX file the model runs (for fingerprints). Always set by `loadCtcModel`. */
  readonly onnxFile?: string;
  /** Front end only: a pure function of `frontEnd` and the samples. Always set by `loadCtcModel`. */
  computeFeatures?(samples: Float32Array): ModelFeatures;
  /**
   * ONNX + trimming + (temperature) log-softmax on precomputed (read-only, shareable) features;
   * run(s, o) ≡ runFeatures(computeFeatures(s), o). Always set by `loadCtcModel`.
   */
  runFeatures?(features: ModelFeatures, options?: { temperature?: number }): Promise<Logprobs>;
  /**
   * True when `run` computes the front end off the calling thread (a member on a worker thread of its own): a caller
   * with features for this model alone then calls `run` instead of computing them itself, so that its thread is free
   * sooner. The same posteriors either way.
   */
  readonly frontEndOffThread?: boolean;
  dispose(): Promise<void>;
}
