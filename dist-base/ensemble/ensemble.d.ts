import { type EnsembleSummary } from './summary.js';
import { type ConfidenceSpec } from '../confidence/index.js';
import type { LanguageModelScorer } from '../lm/types.js';
import type { CtcModel, Logprobs } from '../models/types.js';
import { SelectorFeatureAccumulator, type Selector } from '../selector/index.js';
import { type EnsembleJson } from './format.js';
import { type EnsembleCheckOptions } from './verify.js';
import { DecodedAudio, type RunTimings } from './runner.js';
import { type LongFormOptions, type LongFormResult } from './longform.js';
import type { EnsembleMemberInfo } from './types.js';
export interface EnsembleLoadOptions {
    /** Model loader (tests inject counting wrappers). */
    loadModel?: (dir: string) => Promise<CtcModel>;
    /** Load every member's LM now instead of on first use. */
    preloadLms?: boolean;
    /**
     * Checks before loading (verify.ts): each member's ONNX sha256 against ensemble.json (refused unless
     * `allowChangedModels`), and with `requireLms` every LM file. `false` skips them (a worker pool's
     * threads, after the pool checked once).
     */
    checks?: EnsembleCheckOptions | false;
    /** LM loader by resolved path (worker threads pass one that uses LMs shared by the pool). */
    loadLm?: (file: string) => Promise<LanguageModelScorer>;
}
/** `Ensemble.earlyRoute` for a selector built with `early_route_seconds` `built` (null: whole utterances); `source` names the ensemble in errors. */
export declare function resolveEarlyRoute(built: number | null, requested: number | undefined, source?: string): {
    seconds: number | null;
    warning?: string;
};
/** Default beam width for LM decoding (pyctcdecode's). */
export declare const DEFAULT_BEAM: 100;
export declare class Ensemble {
    readonly dir: string;
    readonly json: EnsembleJson;
    readonly selector: Selector;
    private readonly models;
    private readonly loadLm;
    private readonly lms;
    private readonly active;
    private disposed;
    private constructor();
    static load(dir: string, options?: EnsembleLoadOptions): Promise<Ensemble>;
    /** Member names in selector column order. */
    get names(): string[];
    get confidenceSpec(): ConfidenceSpec;
    get temperature(): number;
    /** What routes requests and how well it did when it was built (GET /v1/models). */
    describe(): EnsembleSummary;
    members(): EnsembleMemberInfo[];
    /** The member's LM, loaded once on first use and shared by all requests. */
    lmOf(index: number): Promise<LanguageModelScorer>;
    /**
     * The early-routing prefix a request uses (null: full routing) and, when the selector was not trained for it, a
     * warning. `requested` undefined: the ensemble's own `early_route_seconds`; 0: full routing. A selector built
     * with `early_route_seconds` X saw confidences of X-second prefixes only, so any other setting is a UserError;
     * one built on whole utterances can route on a prefix, with a warning (its confidences are of another kind).
     */
    earlyRoute(requested?: number): {
        seconds: number | null;
        warning?: string;
    };
    /**
     * The cascade's probability floor a request uses (`TranscribeOptions.earlyRouteMinProb`; undefined: the
     * ensemble's `early_route_min_prob`, else `EARLY_ROUTE_DEFAULTS.minProbability`). A UserError outside [0, 1].
     */
    earlyRouteMinProbability(requested?: number): number;
    /** The loaded model of member `index` (long-form decoding needs its frame rate and vocabulary). */
    memberModel(index: number): CtcModel;
    /**
     * The shortest input every member accepts, in seconds (the largest receptive field); shorter audio is
     * refused with "too short" rather than failing inside ONNX Runtime.
     */
    minSeconds(): number;
    /** A `UserError` when `samples` at `rate` is shorter than some member accepts. */
    checkLength(samples: number, rate: number, source?: string): void;
    /**
     * For a selector that reads more than the confidences (`selector.features`): an accumulator of its other
     * inputs for one routing decision (an utterance, a file, or a segment); null for NeMo's selector.
     */
    selectorFeatures(): SelectorFeatureAccumulator | null;
    /** Adds one segment (its audio and every member's posteriors, in member order) to `acc`. */
    addSelectorFeatures(acc: SelectorFeatureAccumulator | null, audio: DecodedAudio, lps: readonly Logprobs[]): void;
    /**
     * The selector's choice for one set of member confidences (in member order) and, for a selector with
     * `features`, the accumulator of its other inputs over the same audio.
     */
    select(conf: readonly number[], features?: SelectorFeatureAccumulator | null): {
        modelIndex: number;
        probabilities: Record<string, number>;
        confidences: Record<string, number>;
    };
    /**
     * Like `memberText`, with the token ids and the frame span of each token, for timestamps: greedy gives
     * each token's run of argmax frames; beam search the frame at which the token entered the best beam
     * (its span is that one frame).
     */
    memberTokens(index: number, lp: Logprobs, options?: {
        lm?: boolean;
        beam?: number;
    }): Promise<{
        text: string;
        tokens: number[];
        firstFrames: number[];
        lastFrames: number[];
        decoding: 'lm' | 'greedy';
    }>;
    /** Member posteriors for raw input (no selection); used by tune-lm and tools. */
    posteriors(audio: DecodedAudio, which?: number[], timings?: RunTimings): Promise<Logprobs[]>;
    /** Transcript of one member's posteriors: greedy, or beam search with its LM and weights. */
    memberText(index: number, lp: Logprobs, options?: {
        lm?: boolean;
        beam?: number;
        alpha?: number;
        beta?: number;
    }): Promise<string>;
    /**
     * Transcribe a file, encoded bytes or samples of any length: speech segments through the members one
     * at a time, routed per file (default) or per segment (`LongFormTranscriber`). Audio within the
     * maximum segment length is one segment, so a short utterance gets the classic single decision.
     */
    transcribe(audio: Float32Array | Uint8Array | string, options?: LongFormOptions): Promise<LongFormResult>;
    private transcribeNow;
    /**
     * Early routing (beyond NeMo) of one utterance: every member on the first `route` seconds, the selector's choice,
     * then only the chosen member on the whole input. For utterances up to the maximum segment length; long-form
     * audio is routed per file or per segment instead (a UserError says so). The result has one segment, without
     * word timings.
     *
     * With a floor `minProb` > 0 it is a cascade: an input whose prefix leaves the selector's top probability below
     * the floor escalates to full routing (the prefix pass is then wasted: M·(S + L) member seconds), and an input no
     * longer than S·M/(M−1) is routed fully from the start (there M·S + L ≥ M·L). Floor 0 is plain early routing.
     */
    private transcribeEarlyRouted;
    /** Release the models once the transcriptions in progress have ended (never under a running session). */
    dispose(): Promise<void>;
}
