import type { FrontEndConfig, NemoFraming } from './types.js';
export type NemoFrontEndConfig = Extract<FrontEndConfig, {
    kind: 'nemo';
}>;
/** Features of one utterance: row-major [nMels][frames]; frames ≥ validFrames are padding (0). */
export interface Features {
    data: Float32Array;
    nMels: number;
    frames: number;
    validFrames: number;
}
/** NeMo Conformer/FastConformer CTC defaults (16 kHz, 80 mels, 25 ms Hann in 512, 10 ms hop, reflect framing). */
export declare function nemoFrontEnd(overrides?: Partial<Omit<NemoFrontEndConfig, 'kind'>>): NemoFrontEndConfig;
export declare function hzToMelSlaney(f: number): number;
export declare function melToHzSlaney(m: number): number;
/**
 * `librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm='slaney', dtype=float32)`, rounded
 * exactly as numpy does (float64 ramps stored into float32, then the float32 weights times the float64
 * Slaney norm stored as float32). Row-major [nMels][nFft/2+1].
 */
export declare function slaneyMelFilterbank(sampleRate: number, nFft: number, nMels: number, fmin?: number, fmax?: number): Float32Array;
export declare const NEMO_FRAMINGS: readonly NemoFraming[];
/**
 * The framing a NeMo version's preprocessor uses: ≤ 2.4.x reflect, ≥ 2.5 (2.5.0rc0 included) zero-pad.
 * The values '2.3'/'2.4' of earlier releases of this tool are versions too, so '2.4' now means reflect.
 * Null when `v` is not a version.
 */
export declare function nemoFramingForVersion(v: string): NemoFraming | null;
/** Valid feature frames for L samples: reflect `L//hop + 1`, zero-pad `L//hop`. */
export declare function nemoValidFrames(samples: number, cfg: Pick<NemoFrontEndConfig, 'hop' | 'framing'>): number;
/**
 * NeMo `AudioToMelSpectrogramPreprocessor` (FilterbankFeatures) at inference, B = 1, dither 0:
 * preemphasis, centred STFT (reflect padding up to NeMo 2.4.x / zero padding from 2.5), symmetric Hann, power spectrum,
 * Slaney mel, ln(x + 2^-24), per-feature normalisation (unbiased std + 1e-5) over the valid frames,
 * frames ≥ validFrames set to 0.
 */
export declare function nemoMelSpectrogram(samples: Float32Array, config?: Partial<NemoFrontEndConfig>): Features;
