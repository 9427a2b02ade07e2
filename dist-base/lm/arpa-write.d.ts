import type { EstimatedModel } from './estimate.js';
/**
 * Shortest decimal that reads back as the same float32, in ECMAScript number formatting (lmplz prints
 * with double-conversion's shortest-single mode). Candidates with 1..9 significant digits are formed
 * numerically (one rounding each), so no strings are built until the answer.
 */
export declare function formatFloat32(x: number): string;
/**
 * Write the shortest float32 decimal of `x` as ASCII at `out[pos]`, exactly the characters formatFloat32(x)
 * returns, without building a string; returns the position after it. For 1e-13 ≤ |x| < 10 (every
 * probability and backoff in practice) the candidate search is formatFloat32's (same roundings, same
 * order, there always with 0 ≤ s ≤ 22); the accepted candidate m·10^−s (m < 2^31, one correctly rounded
 * double) is the only decimal of ≤ 15 significant digits that reads as that double, so ECMAScript's
 * Number-to-String prints m's digits (trailing zeros dropped) in fixed notation, which is what is written
 * here. Everything else (other magnitudes, exponent notation, non-finite) goes through formatFloat32.
 * (The search loop only handles s ≥ 0: with the s < 0 branch in the same loop V8's code was 2× slower.)
 */
export declare function putFloat32(x: number, out: Uint8Array, pos: number): number;
/**
 * Direct-mapped cache of printed float32 values keyed by their bits, for the backoffs: they repeat (en
 * order 4: 3.3 k distinct among 250 k), so copying ≤ 24 bytes replaces most digit searches. (Probabilities
 * are mostly distinct, 290 k among 420 k; a cache for them measured no faster than putFloat32.)
 */
export declare class FloatTextCache {
    private static readonly WIDTH;
    private readonly keys;
    private readonly lens;
    private readonly text;
    private readonly mask;
    constructor(bits?: number);
    /** Write float32 `x` (whose bit pattern is `bits`) at out[pos] as putFloat32 does; returns the end. */
    put(x: number, bits: number, out: Uint8Array, pos: number): number;
}
/**
 * Write the model as an ARPA file (atomically: temp file in the same folder, then rename). Lines are
 * assembled as bytes (words UTF-8-encoded once, numbers by putFloat32, backoffs through a cache) and written in
 * chunks of about 4 MiB.
 */
export declare function writeArpa(m: EstimatedModel, file: string): Promise<void>;
/**
 * ARPA text written line by line from streamed n-grams (the bounded-memory estimator's output), with the
 * same bytes as ArpaFormatter: words UTF-8-encoded once, numbers by putFloat32, backoffs through a cache.
 */
export declare class ArpaLineWriter {
    private readonly wordStart;
    private readonly wordBytes;
    private readonly cache;
    private buf;
    private pos;
    private fh;
    constructor(words: readonly string[]);
    open(file: string): Promise<void>;
    /** True when the buffer should be written out (flush()) before more lines. */
    get full(): boolean;
    flush(): Promise<void>;
    text(s: string): void;
    private ensure;
    /**
     * One n-gram line: log10 p, the words (ids reversed: rev[k − 1] is the first word), and the backoff
     * (with its float32 bits) unless `hasBackoff` is false.
     */
    line(logProb: number, rev: ArrayLike<number>, k: number, hasBackoff: boolean, backoff: number, backoffBits: number): void;
    close(): Promise<void>;
}
