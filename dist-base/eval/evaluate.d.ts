import type { EnsembleMemberInfo, EnsembleResult, TranscribeOptions } from '../ensemble/types.js';
import type { ClassAccuracy, Reliability } from './metrics.js';
import type { ManifestEntry } from '../ensemble/manifest.js';
import type { ErrorCounts } from './wer.js';
/** What evaluation needs from an ensemble (the real `Ensemble` satisfies it). */
export interface EvalTranscriber {
    members(): readonly EnsembleMemberInfo[];
    transcribe(audio: string, options: TranscribeOptions): Promise<EnsembleResult>;
}
export interface TestSet {
    /** Must equal a member's name: the label of every utterance in the set. */
    domain: string;
    /** Where the set came from (for the report and messages). */
    manifest?: string;
    /** Utterances with their reference `text` (read with `loadManifest(file, { requireText: true })`). */
    utterances: ManifestEntry[];
}
export interface EvaluateOptions {
    /** Also decode every member with its LM (needs at least one member with an LM). */
    lm?: boolean;
    /** Beam width for LM decoding (the ensemble's default when absent). */
    beam?: number;
    /** Utterances in flight at once; default `os.cpus().length`. */
    jobs?: number;
    /** Bins of the reliability table; default 10. */
    bins?: number;
    /** Called once per finished utterance (progress). */
    onUtterance?: () => void;
    /** How the work was spread, for the report (default: "N in flight, one thread"). */
    parallelism?: string;
    /**
     * Also route every utterance on its first S seconds (`TranscribeOptions.earlyRouteSeconds`, a third pass) and
     * report that selection's accuracy, WER and cost next to the main pass (`EvalReport.earlyRoute`).
     */
    earlyRouteSeconds?: number;
    /**
     * Floors of the early-routing cascade to score (`TranscribeOptions.earlyRouteMinProb`; default [0]: plain early
     * routing). The prefix pass runs once, at floor 0; each floor's outcome follows from it and the main pass, which
     * is full routing (deterministic): an escalated input gets the main pass's choice and transcript
     * (`scoreEarlyRoute`). The first floor fills `EvalReport.earlyRoute`, all of them its `curve`.
     */
    earlyRouteMinProbs?: readonly number[];
}
export interface UtteranceRecord {
    domain: string;
    audioFilepath: string;
    reference: string;
    audioSeconds: number;
    /** Member chosen by the selector. */
    chosen: string;
    correct: boolean;
    maxProbability: number;
    probabilities: Record<string, number>;
    confidences: Record<string, number>;
    /** Every member's greedy transcript. */
    greedy: Record<string, string>;
    /** Every member's LM transcript (with `lm`). */
    lm?: Record<string, string>;
    /** The ensemble's transcript (greedy) and, with `lm`, with the chosen member's LM. */
    ensembleText: string;
    ensembleLmText?: string;
    /** Member with the fewest greedy word errors (ties: fewer char errors, then member order). */
    oracle: string;
    oracleLm?: string;
    /** With `earlyRouteSeconds`: the member chosen on the prefix, its transcript, and the ONNX time of both passes. */
    early?: {
        chosen: string;
        correct: boolean;
        text: string;
        modelsMs: number;
        fullModelsMs: number;
        /** The selector's top probability on the prefix; null when the input was not longer than S (routed fully). */
        prefixProbability?: number | null;
        /** Model time of the prefix pass alone (ms). */
        prefixModelsMs?: number;
    };
}
export interface RateCell {
    utterances: number;
    /** null when there are no utterances. */
    wer: number | null;
    cer: number | null;
    word: ErrorCounts;
    char: ErrorCounts;
}
export type SystemKind = 'ensemble' | 'oracle' | 'true-domain' | 'member';
export interface SystemResult {
    /** Stable id, e.g. `ensemble`, `ensemble+lm`, `member:en`, `member:en+lm`. */
    id: string;
    label: string;
    kind: SystemKind;
    decoding: 'greedy' | 'lm';
    member?: string;
    perDomain: Record<string, RateCell>;
    overall: RateCell;
}
export interface ConfidenceSummary {
    count: number;
    mean: number;
    std: number;
    min: number;
    p25: number;
    median: number;
    p75: number;
    max: number;
}
/** One early-routing setting's outcome (`scoreEarlyRoute`). */
export interface EarlyRouteScore {
    /** The cascade's floor (0: plain early routing, no escalation on probability and no length rule). */
    minProbability: number;
    perDomain: Record<string, ClassAccuracy>;
    overall: ClassAccuracy;
    wer: RateCell;
    /** Member audio seconds run over full routing's (M × length). */
    cost: number;
    /** The same from measured model time (escalated inputs: the prefix pass plus the main pass). */
    measuredCost: number;
    perDomainCost: Record<string, number>;
    /**
     * Inputs routed fully: `short` (no longer than S, or with a floor > 0 no longer than S·M/(M−1)) and
     * `lowProbability` (the prefix's top probability below the floor); `rate` = (short + lowProbability) / total.
     */
    escalated: EscalationCount;
    perDomainEscalated: Record<string, EscalationCount>;
}
export interface EscalationCount {
    short: number;
    lowProbability: number;
    rate: number | null;
}
export interface EvalReport {
    schemaVersion: 1;
    createdAt: string;
    members: string[];
    domains: Array<{
        name: string;
        manifest?: string;
        utterances: number;
        audioSeconds: number;
    }>;
    lm: boolean;
    lmMembers: string[];
    utterances: number;
    audioSeconds: number;
    wallSeconds: number;
    jobs: number;
    parallelism: string;
    selection: {
        /** Rows: true domain (in `domains` order); columns: chosen member (in `members` order). */
        confusion: {
            rows: string[];
            columns: string[];
            matrix: number[][];
        };
        perDomain: Record<string, ClassAccuracy>;
        overall: ClassAccuracy;
    };
    /** Reliability of the selector's max probability as a predictor of a correct selection. */
    calibration: Reliability;
    /** WER/CER systems: ensemble, oracle, true-domain member, each member; greedy and with LM. */
    systems: SystemResult[];
    /**
     * With `earlyRouteSeconds`: selection on the first S seconds. `cost` is the members' audio seconds run
     * (M × min(S, length) + the chosen member on the whole input when longer than S) over the main pass's
     * (M × length); `measuredCost` the same from the passes' model timings (the main pass ran every member).
     */
    earlyRoute?: EarlyRouteScore & {
        seconds: number;
        /** The main pass's overall accuracy, for comparison. */
        fullAccuracy: number | null;
        /** One score per floor asked for (`EvaluateOptions.earlyRouteMinProbs`), the first being the fields above. */
        curve: EarlyRouteScore[];
    };
    /** Member → domain → summary of that member's confidence on the domain's utterances. */
    confidence: Record<string, Record<string, ConfidenceSummary>>;
    perUtterance: UtteranceRecord[];
}
export declare function summarize(values: readonly number[]): ConfidenceSummary;
/** Build the WER/CER tables from per-utterance records (pure; exported for tests). */
export declare function scoreSystems(records: readonly UtteranceRecord[], members: readonly string[], domains: readonly string[], lmMembers: readonly string[]): SystemResult[];
/**
 * How one utterance fares under early routing on S seconds with the cascade's floor `minProb` (pure): what
 * `Ensemble.transcribe` does with `earlyRouteMinProb`, replayed from the prefix pass (floor 0) and the main pass
 * (full routing). `route`: 'prefix' (the prefix's choice), 'short' or 'low-probability' (routed fully).
 */
export declare function earlyRouteOutcome(r: UtteranceRecord, members: number, seconds: number, minProb: number): {
    route: 'prefix' | 'short' | 'low-probability';
    chosen: string;
    text: string;
    memberSeconds: number;
    modelsMs: number;
};
/** Early-routing accuracy, WER, cost and escalations from per-utterance records (pure; exported for tests). */
export declare function scoreEarlyRoute(records: readonly UtteranceRecord[], members: number, domains: readonly string[], seconds: number, minProb?: number): EarlyRouteScore;
/** Selection accuracy, confusion and calibration from per-utterance records (pure; exported for tests). */
export declare function scoreSelection(records: readonly UtteranceRecord[], members: readonly string[], domains: readonly string[], bins?: number): {
    selection: EvalReport['selection'];
    calibration: Reliability;
};
export declare function confidenceSummaries(records: readonly UtteranceRecord[], members: readonly string[], domains: readonly string[]): EvalReport['confidence'];
/** Evaluate `ensemble` on labelled test sets. */
export declare function evaluate(ensemble: EvalTranscriber, testSets: readonly TestSet[], options?: EvaluateOptions): Promise<EvalReport>;
