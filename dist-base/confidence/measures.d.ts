import { type ConfidenceAggregation, type ConfidenceSpec, type EntropyNorm } from './spec.js';
export type LogprobArray = Float32Array | Float64Array;
/** `max_prob`: (V·p_max − 1)/(V − 1) for α = 1, else (p_max^α·V^α − 1)/(V^α − 1). */
export declare function maxProbConfidence(x: ArrayLike<number>, alpha?: number): number;
/** `entropy_gibbs_{lin,exp}` (for α = 1 all three entropy types coincide). */
export declare function gibbsEntropyConfidence(x: ArrayLike<number>, alpha: number, norm: EntropyNorm): number;
/** `entropy_tsallis_{lin,exp}`. */
export declare function tsallisEntropyConfidence(x: ArrayLike<number>, alpha: number, norm: EntropyNorm): number;
/** `entropy_renyi_{lin,exp}` (NeMo's ensemble default: lin, α = 0.25). */
export declare function renyiEntropyConfidence(x: ArrayLike<number>, alpha: number, norm: EntropyNorm): number;
/** One frame's measure under `spec` (aggregation/excludeBlank ignored; α used as given, also for max_prob). */
export declare function frameConfidence(x: ArrayLike<number>, spec: Pick<ConfidenceSpec, 'method' | 'entropyType' | 'entropyNorm' | 'alpha'>): number;
/** NeMo's aggregation bank: mean = sequential sum / count, min, max, prod = sequential product. */
export declare function aggregateConfidence(values: ArrayLike<number>, aggregation: ConfidenceAggregation): number;
/**
 * Temperature as NeMo's CTC decoder applies it (NeMo `conv_asr.py` `ConvASRDecoder.forward`: `log_softmax(logits / T)`): `log_softmax(logprobs / T)` per frame.
 * Works on log-probs and on raw logits alike (log_softmax removes the per-frame constant), so T = 1
 * turns logits (e.g. wav2vec2's) into log-probs. Computed in float64, returned as a new Float32Array.
 */
export declare function applyTemperature(logprobs: LogprobArray, frames: number, vocabSize: number, temperature: number): Float32Array;
/**
 * Utterance confidences for many specs from ONE pass over the posteriors (see `gridPass`). The
 * result is identical, bit for bit, to calling `computeConfidence` per spec. `out[k]` is `specs[k]`'s.
 */
export declare function computeConfidenceGrid(logprobs: LogprobArray, frames: number, vocabSize: number, blankId: number, specs: readonly ConfidenceSpec[]): Float64Array;
/**
 * The ensemble's confidence of one utterance (NeMo `confidence_ensemble.py` `compute_confidence`): drop frames whose
 * argmax is `blankId` when `spec.excludeBlank` (all blank → keep frame 0), re-log-softmax the rows if
 * the first kept row does not sum to 1, evaluate the measure per frame with V = `vocabSize` (the full
 * width incl. blank; α = 1 for max_prob), aggregate. `logprobs` is row-major [frames][vocabSize], ln.
 */
export declare function computeConfidence(logprobs: Float32Array, frames: number, vocabSize: number, blankId: number, spec: ConfidenceSpec): number;
