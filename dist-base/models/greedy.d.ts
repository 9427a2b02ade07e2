import type { Logprobs } from './types.js';
/** Argmax per frame (first maximum wins, like torch/numpy argmax). */
export declare function argmaxPerFrame(lp: Logprobs): Int32Array;
/** CTC collapse: merge repeats, then drop blanks. */
export declare function ctcCollapse(ids: ArrayLike<number>, blankId: number): number[];
