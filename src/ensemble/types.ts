import type { WordTiming } from '../segment/timestamps.js';
import type { VadOptions } from '../segment/vad.js';

/** Options of one transcription request (CLI `infer`, HTTP `POST /v1/transcribe`). */
export interface TranscribeOptions {
  /**
   * Long audio: 'file' (default) routes the whole file to one member from the confidences of all its
   * speech segments; 'segment' routes each segment on its own.
   */
  route?: 'file' | 'segment';
  /** Voice-activity settings; `segmentShort` also cuts audio shorter than the maximum segment. */
  vad?: VadOptions & { segmentShort?: boolean };
  /** Refuse audio longer than this many seconds (checked while decoding). */
  maxSeconds?: number;
  /** NeMo manifest `offset` / `duration` (seconds): transcribe only that span; times stay file times. */
  offsetSeconds?: number;
  durationSeconds?: number;
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
  /**
   * The early-routing cascade's floor, from 0 to 1 (default: the ensemble's `early_route_min_prob`, else 0): when
   * the selector's top probability on the prefix is below it, every member runs on the whole input (full routing).
   * With a floor above 0, inputs up to S·M/(M−1) are routed fully from the start; 1 always routes fully.
   */
  earlyRouteMinProb?: number;
  /**
   * The domain gate's floor (beyond NeMo; the ensemble needs `domain-gate.json`): before any member runs, a
   * logistic regression on the whole input's acoustic summary names a member; when its top probability is at
   * least this floor only that member runs on the whole input, otherwise the input takes the path it takes without
   * the gate (early routing and/or full routing). Default: the gate's `defaultMinProbability`, else
   * `EARLY_ROUTE_DEFAULTS.domainGateMinProb` (0 = off). Above 1 the gate is computed but never decides.
   */
  domainGateMinProb?: number;
  /**
   * Pruning by the domain gate (needs a floor; default: the gate's `defaultPrune`, else 0 = off), from 0 to below 1:
   * an input the gate does not decide runs only the members the gate gives at least this probability, on the whole
   * input, and the selector chooses among them (the others' columns at the training mean); when every member
   * passes, the input takes the usual path.
   */
  domainGatePrune?: number;
  /**
   * Whether a gated input's member confidence is checked against the gate's floor for that member (`domain-gate.json`
   * `verify`): below it, the input goes on to the fallback. Default true (when the gate has floors).
   */
  domainGateVerify?: boolean;
}

export interface MemberTranscript {
  model: string;
  text: string;
}

/** One speech segment of a transcription (times in seconds of the file). */
export interface SegmentResult {
  index: number;
  start: number;
  end: number;
  text: string;
  /** The member that decoded this segment. */
  model: string;
  modelIndex: number;
  /** Selector probabilities: this segment's (route 'segment') or the file's (route 'file'). */
  probabilities: Record<string, number>;
  /** This segment's confidence per member. */
  confidences: Record<string, number>;
  decoding: 'greedy' | 'lm';
  /** Words with their times, from the CTC alignment. */
  words: WordTiming[];
  transcripts?: MemberTranscript[];
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
  /**
   * Present when early routing applied: the prefix length (s); confidences/probabilities are the prefix's, unless
   * the cascade (`minProbability` > 0) `escalated` the input to full routing: 'short' (no longer than S·M/(M−1),
   * where full routing costs no more) or 'low-probability' (the prefix's top probability, `prefixProbability`,
   * was below the floor); then they are the whole input's, as without early routing.
   */
  earlyRoute?: { seconds: number; minProbability?: number; escalated?: 'short' | 'low-probability'; prefixProbability?: number };
  /**
   * Present when the domain gate was asked for: its floor, its top probability and member, and whether it decided
   * (`gated`: only `member` ran, on the whole input; `probabilities` are then the gate's and `confidences` hold the
   * chosen member's whole-input confidence only). Not gated: `passed` says why ('low-probability', or 'long' for
   * audio beyond the maximum segment length, which the gate does not route, or 'verify' when the gated member's
   * confidence, `confidence`, was below the gate's floor for it, `floor`) and the result is the fallback's.
   */
  domainGate?: {
    minProbability: number;
    gated: boolean;
    member?: string;
    probability?: number;
    passed?: 'low-probability' | 'long' | 'verify';
    /** With `passed: 'verify'`: the gated member's whole-input confidence and the floor it missed. */
    confidence?: number;
    floor?: number;
    /** The pruning threshold, when pruning chose among fewer members than all. */
    prune?: number;
    /** The members that ran (on the whole input; on the prefix too under early routing). */
    ran: string[];
  };
  /** How the file was routed ('file': one member for all segments; 'segment': each on its own). */
  route?: 'file' | 'segment';
  /** The speech segments in file order (one whole segment for audio within the maximum segment length). */
  segments?: SegmentResult[];
}

/** Summary of a loaded ensemble (GET /v1/models). */
export interface EnsembleMemberInfo {
  name: string;
  layout: string;
  vocabSize: number;
  blankId: number;
  vocabulary: readonly string[];
  lm: { path: string; alpha: number; beta: number } | null;
  /** The domain gate's verification floor for this member (`domain-gate.json` `verify`); absent or null: none. */
  domainGateVerifyFloor?: number | null;
}
