/**
 * What the selector reads (beyond NeMo, opt-in). NeMo's selector sees one confidence per member; with
 * `selector: { features: [...] }` in the build YAML it also sees, in this fixed order after the confidences:
 *
 * - `blank_share` (per member): share of blank argmax frames between the member's first and last token;
 * - `token_rate` (per member): tokens of the greedy path per second between its first and last token
 *   (both leave out leading/trailing silence, which differs between recordings and VAD-cut segments);
 * - `acoustic` (per input, computed once): `AcousticSummary` (features/acoustic-summary.ts) — log duration,
 *   log share of energy above the telephone band, mean (relative) and spread of log-mel energy in 10 bands.
 *
 * The same code computes them in `ensemble build`, in inference (short inputs, long-form per segment and per
 * file, early routing: through `SelectorFeatureAccumulator`), so training and use see identical numbers.
 * The selector's standard scaler (mean/scale fitted on the training rows, stored) standardises them as it does
 * the confidences. `[confidence]` alone is NeMo's selector, stored as before (selector version 1).
 */
import type { PosteriorCounts } from '../confidence/posterior-stats.js';
export declare const SELECTOR_FEATURE_GROUPS: readonly ["confidence", "blank_share", "token_rate", "acoustic"];
export type SelectorFeatureGroup = (typeof SELECTOR_FEATURE_GROUPS)[number];
/** Version of the feature definitions this build computes; a selector needing a newer one is refused. */
export declare const SELECTOR_FEATURES_VERSION: 1;
/** Stored with a selector that reads more than the confidences. */
export interface SelectorFeaturesJSON {
    version: number;
    groups: SelectorFeatureGroup[];
    /** One name per selector input column (checked against the groups when read). */
    names: string[];
}
/** The groups in canonical order, validated; `source` names the YAML key or JSON field in errors. */
export declare function normalizeFeatureGroups(groups: readonly unknown[], source: string): SelectorFeatureGroup[];
/** Column names for `groups` over members `names`. */
export declare function selectorFeatureNames(groups: readonly SelectorFeatureGroup[], names: readonly string[]): string[];
/** True when `groups` needs more than the confidences (i.e. is not NeMo's selector). */
export declare function hasExtraFeatures(groups: readonly SelectorFeatureGroup[] | undefined): boolean;
/** Per member, what blank_share and token_rate are computed from (sums over segments). */
export interface MemberSpanSums {
    tokens: number;
    spanFrames: number;
    spanBlankFrames: number;
    /** Seconds of the spans (span frames × the segment's seconds per frame). */
    spanSeconds: number;
}
/** One segment's `MemberSpanSums` from a member's counts over `seconds` of audio. */
export declare function memberSpanSums(c: PosteriorCounts, seconds: number): MemberSpanSums;
/** The extra (non-confidence) inputs of one utterance or file, accumulated over its segments. */
export declare class SelectorFeatureAccumulator {
    readonly groups: readonly SelectorFeatureGroup[];
    readonly members: number;
    private readonly acoustic;
    private readonly sums;
    private seconds;
    constructor(groups: readonly SelectorFeatureGroup[], members: number);
    /** True when `add` needs the 16 kHz samples. */
    get needsAudio(): boolean;
    /** One segment: its length, its 16 kHz samples (when `needsAudio`) and every member's posterior counts. */
    add(seconds: number, counts: readonly PosteriorCounts[], samples16k?: Float32Array): this;
    /** The values after the confidences, in column order. */
    extras(): number[];
    /** The selector's input row: the confidences (member order), then `extras()`. */
    row(confidences: readonly number[]): number[];
}
/**
 * The values after the confidences, in column order, from their ingredients: each member's span sums and the
 * acoustic summary's values (null when `acoustic` is not among the groups).
 * `ensemble build` (values from its cache) and `SelectorFeatureAccumulator` both end here.
 */
export declare function selectorExtras(groups: readonly SelectorFeatureGroup[], sums: readonly MemberSpanSums[], acoustic: readonly number[] | null): number[];
/** Validates a selector's stored `features` block; `numFeatures` is the selector's input width. */
export declare function readSelectorFeatures(json: unknown, members: readonly string[], numFeatures: number, source: string): SelectorFeaturesJSON;
