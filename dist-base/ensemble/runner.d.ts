import type { CtcModel, Logprobs } from '../models/types.js';
/** Decoded mono audio with per-rate resampled copies made on demand. */
export declare class DecodedAudio {
    readonly mono: Float32Array;
    readonly sampleRate: number;
    private readonly byRate;
    constructor(mono: Float32Array, sampleRate: number);
    /** `channelSelector`: NeMo's `channel_selector` (default null: average all channels). */
    static from(input: string | Uint8Array | Float32Array, source?: string, rateOfSamples?: number, channelSelector?: null | 'average' | number | readonly number[]): Promise<DecodedAudio>;
    get seconds(): number;
    /** The first `seconds` of the audio (all of it when shorter); this object itself when nothing is cut. */
    prefix(seconds: number): DecodedAudio;
    at(rate: number): Float32Array;
}
export interface RunTimings {
    /** Resampling (ms). */
    resample: number;
    /** Front ends (ms); 0 when the models only offer `run` (then it is inside `models`). */
    features: number;
    /** Wall time of the concurrent model runs (ms). */
    models: number;
}
export interface RunStats {
    /** Model passes (ONNX runs). */
    modelPasses: number;
    /** Front-end computations. */
    frontEndPasses: number;
}
/**
 * Run `models[i]` for every i in `which` on `audio`; returns posteriors in `which` order.
 * `stats` (optional) is incremented.
 */
export declare function runMembers(models: readonly CtcModel[], which: readonly number[], audio: DecodedAudio, temperature: number, timings?: RunTimings, stats?: RunStats): Promise<Logprobs[]>;
