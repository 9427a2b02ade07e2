/** Options of one transcription request (CLI `infer`, HTTP `POST /v1/transcribe`). */
export interface TranscribeOptions {
  /** Decode the chosen model with its n-gram LM (prefix beam search); greedy otherwise. */
  lm?: boolean;
  /** Also return every member's transcript. */
  all?: boolean;
  /** Beam width for LM decoding. */
  beam?: number;
  /** Sample rate of a `Float32Array` input (default 16000); ignored for encoded audio. */
  sampleRate?: number;
  /** Name used in error messages for the input (e.g. the upload's file name). */
  source?: string;
  /**
   * Early routing (beyond NeMo): every member runs on the first S seconds only, the selector picks one from
   * those confidences, and only that member runs on the whole input. Default: the ensemble's
   * `early_route_seconds` (none: full routing); 0 asks for full routing. See `Ensemble.earlyRoute`.
   */
  earlyRouteSeconds?: number;
}

export interface MemberTranscript {
  model: string;
  text: string;
}

/** What the ensemble returns for one utterance. */
export interface EnsembleResult {
  text: string;
  /** Name of the chosen member. */
  model: string;
  modelIndex: number;
  /** Selector probabilities, keyed by member name, in member order. */
  probabilities: Record<string, number>;
  /** Each member's confidence under the ensemble's confidence spec. */
  confidences: Record<string, number>;
  audioSeconds: number;
  timingsMs: Record<string, number>;
  /** Present with `all`: every member's transcript (greedy, or LM-decoded with `lm`). */
  transcripts?: MemberTranscript[];
  /** How `text` was decoded: 'lm' only when `lm` was asked for and the chosen member has an LM. */
  decoding?: 'greedy' | 'lm';
  /** Present when the route was chosen on a prefix: its length (s); confidences/probabilities are the prefix's. */
  earlyRoute?: { seconds: number };
}

/** Summary of a loaded ensemble (GET /v1/models). */
export interface EnsembleMemberInfo {
  name: string;
  layout: string;
  vocabSize: number;
  blankId: number;
  vocabulary: readonly string[];
  lm: { path: string; alpha: number; beta: number } | null;
}

