import type { Features } from './nemo-mel.js';
/**
 * Hugging Face `Wav2Vec2FeatureExtractor.zero_mean_unit_var_norm` for one unpadded utterance:
 * `(x − mean) / sqrt(var + 1e-7)` with the population variance, when `doNormalize`; else the samples as is.
 */
export declare function wav2vec2Normalize(samples: Float32Array, doNormalize?: boolean, epsilon?: number): Float32Array;
/** The wav2vec2 "features" as a [1][samples] matrix (for `ensemble features --frontend wav2vec2`). */
export declare function wav2vec2Features(samples: Float32Array, doNormalize?: boolean): Features;
