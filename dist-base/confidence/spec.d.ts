/**
 * One confidence measure + aggregation, as NeMo's `ConfidenceConfig` for the ensemble (NeMo `asr_confidence_utils.py` `ConfidenceMethodConfig` + `confidence_ensemble.py`).
 * `alpha` is the power in p^α (NOT a temperature); `method: 'max_prob'` always uses α = 1 in the
 * ensemble (NeMo `confidence_ensemble.py` `compute_confidence`), whatever `alpha` says.
 */
export interface ConfidenceSpec {
    excludeBlank: boolean;
    aggregation: 'mean' | 'min' | 'max' | 'prod';
    method: 'max_prob' | 'entropy';
    entropyType: 'gibbs' | 'tsallis' | 'renyi';
    entropyNorm: 'lin' | 'exp';
    alpha: number;
}
export type ConfidenceAggregation = ConfidenceSpec['aggregation'];
export type EntropyType = ConfidenceSpec['entropyType'];
export type EntropyNorm = ConfidenceSpec['entropyNorm'];
/** NeMo's ensemble default (build_ensemble.py): Rényi, α = 0.25, lin, mean, blanks excluded. */
export declare const DEFAULT_CONFIDENCE_SPEC: Readonly<ConfidenceSpec>;
export declare const AGGREGATIONS: readonly ConfidenceAggregation[];
export declare const ENTROPY_TYPES: readonly EntropyType[];
export declare const ENTROPY_NORMS: readonly EntropyNorm[];
/**
 * Throws a `UserError` naming the offending field (`<source>.<field>`) when `spec` is not a valid
 * ConfidenceSpec; returns it typed otherwise. Unknown fields are errors too (typo protection).
 */
export declare function validateConfidenceSpec(spec: unknown, source?: string): ConfidenceSpec;
/** NeMo's measure-bank key: `max_prob` or `entropy_<type>_<norm>`. */
export declare function confidenceKey(spec: Pick<ConfidenceSpec, 'method' | 'entropyType' | 'entropyNorm'>): string;
/** Human/NeMo-style label, e.g. `entropy_renyi_lin α=0.25 mean exclude_blank`. */
export declare function describeConfidenceSpec(spec: ConfidenceSpec): string;
/** Options of NeMo's `TuneConfidenceConfig` (build_ensemble.py); defaults as NeMo's. */
export interface TuneConfidenceGridConfig {
    excludeBlank?: boolean[];
    aggregation?: ConfidenceAggregation[];
    /** NeMo's `confidence_type`: `max_prob` or `entropy_<gibbs|tsallis|renyi>_<lin|exp>`. */
    confidenceType?: string[];
    alpha?: number[];
}
export declare const NEMO_TUNE_CONFIDENCE_DEFAULTS: Readonly<{
    excludeBlank: boolean[];
    aggregation: ConfidenceAggregation[];
    confidenceType: string[];
    alpha: number[];
}>;
/** Parses a NeMo `confidence_type` string (`renui` accepted as the v1.19/1.20 spelling of `renyi`). */
export declare function parseConfidenceType(type: string, source?: string): Pick<ConfidenceSpec, 'method' | 'entropyType' | 'entropyNorm'>;
/**
 * The confidence grid NeMo's `build_ensemble.py` tunes over, in NeMo's iteration order
 * (`compute_all_confidences`): exclude_blank → aggregation → confidence_type → alpha, with
 * `max_prob` taking only α = 1. The default is 2·3·6·4 = 144 specs.
 */
export declare function nemoTuningGrid(cfg?: TuneConfidenceGridConfig): ConfidenceSpec[];
