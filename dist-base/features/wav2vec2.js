import { UserError } from '../util/errors.js';
/**
 * Hugging Face `Wav2Vec2FeatureExtractor.zero_mean_unit_var_norm` for one unpadded utterance:
 * `(x − mean) / sqrt(var + 1e-7)` with the population variance, when `doNormalize`; else the samples as is.
 */
export function wav2vec2Normalize(samples, doNormalize = true, epsilon = 1e-7) {
    if (samples.length === 0)
        throw new UserError('no audio samples to compute features from', { code: 'E_AUDIO_EMPTY' });
    if (!doNormalize)
        return samples;
    const n = samples.length;
    let sum = 0;
    for (let i = 0; i < n; i++)
        sum += samples[i];
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
        const d = samples[i] - mean;
        ss += d * d;
    }
    const denom = Math.sqrt(ss / n + epsilon);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++)
        out[i] = (samples[i] - mean) / denom;
    return out;
}
/** The wav2vec2 "features" as a [1][samples] matrix (for `ensemble features --frontend wav2vec2`). */
export function wav2vec2Features(samples, doNormalize = true) {
    const data = wav2vec2Normalize(samples, doNormalize);
    return { data: data === samples ? Float32Array.from(samples) : data, nMels: 1, frames: data.length, validFrames: data.length };
}
//# sourceMappingURL=wav2vec2.js.map