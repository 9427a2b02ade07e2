/** FFTs (float64) with cached twiddles and bit-reversal tables: the mel front end and the resampler use them. */
/** In-place iterative radix-2 complex FFT. */
export declare class Fft {
    readonly n: number;
    private readonly rev;
    private readonly cos;
    private readonly sin;
    constructor(n: number);
    /** Bit-reversal permutation: position i of the input goes to `reversed[i]` before `transformReordered`. */
    get reversed(): Uint32Array;
    /** Forward transform X[k] = Σ x[n] e^{-2πikn/N}, in place on (re, im). */
    transform(re: Float64Array, im: Float64Array): void;
    /**
     * `transform` of an input already stored in bit-reversed order (x[i] at `reversed[i]`): callers that fill
     * the buffers themselves save the permutation pass. The same values, except that the unit twiddles are not
     * multiplied, so an exact zero may come out as −0 where `transform` gives +0 (or the reverse): no non-zero
     * value and no |X[k]| changes. (`transform` keeps every sign: resampled samples stay bit-identical.)
     */
    transformReordered(re: Float64Array, im: Float64Array): void;
    private butterflies;
}
/**
 * Forward FFT of a real sequence of length n through one complex FFT of length n/2: the even samples
 * are the real parts, the odd samples the imaginary parts, and a split step separates the two spectra.
 * Bins 0..n/2 (the rest are their conjugates); exact zeros may carry either sign (`Fft.transformReordered`).
 * Owns its work buffers: not re-entrant, one per thread.
 */
export declare class RealFft {
    readonly n: number;
    private readonly half;
    private readonly zr;
    private readonly zi;
    private readonly wr;
    private readonly wi;
    constructor(n: number);
    /** X[k] = Σ x[t] e^{-2πikt/n} for k = 0..n/2 into (re, im) (length ≥ n/2 + 1); `x` has length ≥ n. */
    transform(x: Float64Array, re: Float64Array, im: Float64Array): void;
    /**
     * `transform` of the windowed frame x[t] = signal[offset + t] · window[t] (t < n; `window` has length n, zero
     * outside the window's span), read straight from the signal: the STFT needs no frame copy. Out-of-span
     * samples may enter as −0 instead of 0, which changes no non-zero value and no |X[k]|.
     */
    transformWindowed(signal: Float64Array, offset: number, window: Float64Array, re: Float64Array, im: Float64Array): void;
    /**
     * float32(|X[k]|²) for k = 0..n/2 of the windowed frame (as `transformWindowed`) into `power`: the split step
     * writes the power straight away instead of the spectrum (the same values as squaring `transformWindowed`'s).
     * The split loop is `split`'s, repeated on purpose: the mel front end's hot loop then writes no spectrum arrays.
     */
    powerWindowed(signal: Float64Array, offset: number, window: Float64Array, power: Float64Array): void;
    private split;
}
