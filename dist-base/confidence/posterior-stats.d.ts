/**
 * Counts from one member's CTC posteriors that the selector may use beyond NeMo's one confidence
 * (`selector.features: [blank_share, token_rate]`): the tokens of the member's greedy path and, between its
 * first and last token (so leading and trailing silence, which a VAD cut or a recording adds or removes, does
 * not count), how many frames there are and how many of them the argmax spends on blank. Plain counts, so
 * segments of one file add up.
 */
import type { Logprobs } from '../models/types.js';
export interface PosteriorCounts {
    frames: number;
    /** Tokens of the greedy path (argmax, repeats merged, blanks removed). */
    tokens: number;
    /** Frames from the first to the last non-blank argmax frame, inclusive (0 without tokens). */
    spanFrames: number;
    /** Blank argmax frames within that span. */
    spanBlankFrames: number;
}
export declare function posteriorCounts(lp: Logprobs, blankId: number): PosteriorCounts;
