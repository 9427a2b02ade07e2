import { NgramCounter, type NgramTable } from './count.js';
import { type Discount } from './discount.js';
/**
 * Interpolated modified Kneser-Ney estimation, following KenLM's lmplz (lm/builder: corpus_count,
 * adjust_counts, initial_probabilities, interpolate) step for step:
 *
 * - vocabulary ids: <unk>=0, <s>=1, </s>=2, then words in order of first appearance;
 *   each line is one sentence, padded `<s> … </s>`.
 * - adjusted counts: highest order = raw counts; lower orders = number of distinct left extensions,
 *   except n-grams starting with <s>, which keep their raw counts. <unk> and <s> unigrams have 0.
 * - discounts per order from counts of adjusted counts n1..n4 (Chen & Goodman eq. 26), in float:
 *   Y = n1/(n1+2 n2), D_j = j − (j+1)·Y·n_{j+1}/n_j; an error when some n_j (j ≤ 3) is 0 or D_j ∉ [0, j],
 *   unless a fallback is given (lmplz --discount_fallback, default 0.5 1 1.5), used for that order only.
 * - u(w|h) = (a(hw) − D(a)) / Σ_w a(hw); γ(h) = (D1·N1(h) + D2·N2(h) + D3·N3+(h)) / Σ_w a(hw).
 * - p(w|h) = u(w|h) + γ(h)·p(w|h'), unigrams interpolate with 1/|V| (|V| counts <unk>, not <s>), so
 *   p(<unk>) = γ(∅)/|V|; <s> gets log10 p = 0. Backoff written = log10 γ(h) for n-grams that are contexts.
 *
 * Storage is typed arrays: each order is a table of records (suffix entry, first word, count, prefix
 * entry) interleaved in one Uint32Array, reached while counting through an open-addressing index keyed
 * on (suffix entry, first word). The suffix entry is the (n−1)-gram w2..wn, so the lower-order
 * probability an n-gram interpolates with is one array read; the prefix (context) entry w1..w(n−1) is
 * recorded when the n-gram is first counted, so estimation needs no hash lookups and drops the index.
 * Interleaved because counting and the ARPA writer visit entries in random order: one cache line per
 * entry. 24 bytes per slot of capacity while counting (16-byte record + 2 Int32 index slots; capacity
 * doubles), then ~20 bytes per n-gram of estimation columns, with log10 p and the backoff written back
 * into the record; no JS object per n-gram. Measured peak RSS (node included, ~40 MB
 * of it the runtime): en 232 k words → 122 / 136 / 143 MB for orders 3 / 4 / 5.
 *
 * Pruning (lmplz --prune, --limit_vocab_file; adjust_counts.cc, initial_probabilities.cc): an n-gram of
 * order k ≥ 2 whose raw count is ≤ threshold_k, or any n-gram with a word outside the allowed vocabulary
 * (never <unk> <s> </s>), is left out of the output. It still counts everywhere else: as a left
 * extension for the lower orders' adjusted counts, in the counts of counts (discounts) and in Σ_w a(hw),
 * but not in |V| for the uniform term (lmplz passes the pruned unigram count); its context's γ(h)
 * takes its adjusted count instead of D(a): γ(h) = (D1·N1 + D2·N2 + D3·N3+ over kept children + Σ a over pruned children) / Σ_w a(hw), so the
 * model still sums to one. Thresholds are non-decreasing, so a kept n-gram's suffix and context are kept.
 * Unigrams are never pruned by count (lmplz ignores the first threshold).
 *
 * Beyond the memory budget the same arithmetic runs on sorted runs on disk: estimate-disk.ts.
 */
export interface EstimateOptions {
    order: number;
    /** lmplz --discount_fallback: discounts for orders whose computed ones are invalid. */
    discountFallback?: readonly [number, number, number];
    onWarning?: (message: string) => void;
    /** lmplz --prune: raw-count thresholds per order (index k − 1; unigrams' ignored), as parsePruneThresholds returns. */
    prune?: readonly number[];
    /** lmplz --limit_vocab_file: the allowed words; n-grams with any other word are pruned. */
    limitVocab?: ReadonlySet<string>;
}
/**
 * lmplz's --prune values: integers, non-decreasing, at most one per order; the last one repeats for the
 * remaining orders. All zero (no pruning) gives undefined.
 */
export declare function parsePruneThresholds(values: readonly string[], order: number): number[] | undefined;
/** Per word id: 1 when the word is outside `allowed` (<unk> <s> </s> never are), or undefined when there is no limit. */
export declare function prunedWords(words: readonly string[], allowed: ReadonlySet<string> | undefined): Uint8Array | undefined;
export interface EstimateResult {
    order: number;
    vocabulary: string[];
    counts: number[];
    discounts: Discount[];
    /** ARPA text is written by writeArpa(). */
    model: EstimatedModel;
}
export interface EstimatedModel {
    order: number;
    words: string[];
    /**
     * per order k (index k): table for k >= 2, whose records hold, after estimation, the float32 bits of
     * log10 p in COUNT and of the log10 backoff (0 when not a context; unused at the highest order) in AUX
     */
    tables: NgramTable[];
    /** log10 probabilities of the unigrams, by word id */
    unigramLogProb: Float32Array;
    /** log10 backoffs of the unigrams, by word id (0 when not a context) */
    unigramLogBackoff: Float32Array;
    /** n-grams written per order (after pruning) */
    counts: number[];
    /** per order k: 1 = written, 0 = pruned; undefined when nothing is pruned */
    keep?: Uint8Array[];
}
/**
 * Estimate the model from counted n-grams. The counter's tables become the model's: their raw counts
 * are replaced by log10 probabilities (the counter cannot be estimated twice).
 */
export declare function estimate(counter: NgramCounter, options: EstimateOptions): EstimateResult;
/**
 * log10 of a float as glibc's log10f (sysdeps/ieee754/flt-32/e_log10f.c, which lmplz calls through
 * std::log10(float)): split off the binary exponent, log10 = k·log10(2) + log(m)/ln(10) in float
 * arithmetic. Plain Math.log10 differs from it in the last bit for a few values.
 */
export declare function log10f(x: number): number;
/** Count a corpus file (one sentence per line) and estimate. */
export declare function buildFromCorpus(corpus: string, options: EstimateOptions): Promise<EstimateResult & {
    counter: NgramCounter;
}>;
