import type { ConfidenceSpecLike } from './spec-types.js';

/** Options of one transcription request (CLI `infer`, HTTP `POST /v1/transcribe`). */
export interface TranscribeOptions {
  /** Decode the chosen model with its n-gram LM (prefix beam search); greedy otherwise. */
  lm?: boolean;
  /** Also return every member's transcript. */
  all?: boolean;
  /** Beam width for LM decoding. */
  beam?: number;
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

export type { ConfidenceSpecLike };
