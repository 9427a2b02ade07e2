export interface ResampleOptions {
    /** Pass-band edge as a fraction of the lower of the two Nyquist frequencies (default 0.9). */
    passband?: number;
    /** Stop-band attenuation in dB (default 100). */
    attenuationDb?: number;
    /** 'auto' (default): FFT convolution when it applies (≤ 2 phases), else direct. 'direct' forces the direct form. */
    method?: 'auto' | 'direct';
}
/** Largest buffer (samples) one call may allocate: 2^28, over 4 hours at 16 kHz. */
export declare const MAX_RESAMPLE_SAMPLES: number;
export declare function resample(input: Float32Array, fromRate: number, toRate: number, opts?: ResampleOptions): Float32Array;
/**
 * The same conversion as `resample`, fed in chunks: `push` returns the output samples that are complete
 * (every tap of their filter has arrived), `finish` the rest. The concatenated output equals
 * `resample(whole input)` exactly, while the memory held is one filter length plus the last chunk —
 * long recordings are resampled chunk by chunk (long-form transcription, live audio).
 */
export declare class StreamingResampler {
    readonly fromRate: number;
    readonly toRate: number;
    private readonly L;
    private readonly M;
    private readonly K;
    private readonly width;
    private readonly table;
    private readonly fine;
    private readonly span;
    /** Input samples not yet dropped; `buf[0]` is absolute input index `bufStart`. */
    private buf;
    private bufLen;
    private bufStart;
    private inCount;
    private nextOut;
    private finished;
    constructor(fromRate: number, toRate: number, opts?: ResampleOptions);
    /** Output samples the input so far determines (for equal rates, the input itself). */
    push(chunk: Float32Array): Float32Array;
    /** The remaining output (the input is over). */
    finish(): Float32Array;
    private append;
    /** Input sample at absolute index `i` (zero outside the signal). */
    private at;
    private produce;
}
