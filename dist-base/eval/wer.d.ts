/**
 * Word and character error rates by Levenshtein alignment.
 *
 * Normalisation (`normalizeText`), applied identically to the reference and the hypothesis:
 *   1. Unicode NFC (Vietnamese diacritics compare equal whatever their composition in the input);
 *   2. lower-case (`String.prototype.toLowerCase`, locale independent);
 *   3. apostrophes (' ’ ʼ ` ´) are deleted, so "don't" and "dont" are the same word;
 *   4. every other punctuation character (Unicode category P) and the symbols (category S, which includes
 *      the BPE word marker `▁`) becomes a space;
 *   5. whitespace runs collapse to one space; leading and trailing whitespace is removed.
 * Digits, letters and combining marks are kept as they are.
 *
 * WER counts words (the normalised text split on spaces). CER counts characters of the normalised text,
 * spaces between words included (as NeMo's `word_error_rate(use_cer=True)` and jiwer's `cer` do); code
 * points, not UTF-16 units, so astral characters count once.
 */
export interface ErrorCounts {
    /** Substitutions + deletions + insertions. */
    errors: number;
    substitutions: number;
    deletions: number;
    insertions: number;
    /** Reference units matched exactly. */
    hits: number;
    /** Number of reference units (words or characters): the rate's denominator. */
    refLength: number;
}
export type AlignOp = 'hit' | 'sub' | 'del' | 'ins';
export interface Alignment extends ErrorCounts {
    /** Edit script from the start: `ref`/`hyp` are undefined for insertions/deletions respectively. */
    ops: Array<{
        op: AlignOp;
        ref?: string;
        hyp?: string;
    }>;
}
/** The normalisation described at the top of this module. */
export declare function normalizeText(text: string): string;
/** Words of the normalised text. */
export declare function words(text: string): string[];
/** Characters (code points) of the normalised text, spaces included. */
export declare function chars(text: string): string[];
/**
 * Minimum-edit-distance alignment of two token sequences (unit costs). Among equally short edit
 * scripts, the backtrace prefers hit/substitution, then deletion, then insertion, so counts are
 * deterministic.
 */
export declare function align(ref: readonly string[], hyp: readonly string[]): Alignment;
/** Word-level error counts of one utterance (normalised). */
export declare function wordErrors(reference: string, hypothesis: string): ErrorCounts;
/** Character-level error counts of one utterance (normalised, spaces included). */
export declare function charErrors(reference: string, hypothesis: string): ErrorCounts;
export declare function zeroCounts(): ErrorCounts;
/** Sum of counts (corpus-level totals). */
export declare function addCounts(total: ErrorCounts, c: ErrorCounts): ErrorCounts;
/**
 * Corpus error rate: total errors / total reference units (the standard definition, not a mean of
 * per-utterance rates). With an empty reference: 0 when there are no errors, otherwise Infinity is
 * avoided by returning `errors` (each inserted unit counts as 100 %).
 */
export declare function errorRate(c: ErrorCounts): number;
/** Corpus WER over pairs of (reference, hypothesis). */
export declare function wer(pairs: ReadonlyArray<readonly [string, string]>): number;
/** Corpus CER over pairs of (reference, hypothesis). */
export declare function cer(pairs: ReadonlyArray<readonly [string, string]>): number;
