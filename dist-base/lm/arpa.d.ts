import { ArpaModel } from './model.js';
/**
 * ARPA reader following KenLM's rules (lm/read_arpa.cc, search_hashed.cc, model.cc, vocab.cc):
 * - before `\data\` only blank lines or lines starting with `#`; then `ngram N=count` lines (N consecutive
 *   from 1) up to a blank line; then `\N-grams:` sections (blank lines allowed around them); `\end\`; only
 *   blank lines after it. Order 2..6.
 * - line = prob TAB w1 ' ' w2 ... [TAB backoff]; word delimiters are only '\t' '\n' '\r' ' '; `\r\n` accepted.
 *   prob accepts `inf`/`-inf`/`nan`; backoff must be finite; positive prob is an error (IRSTLM bug).
 * - missing or zero backoff is stored as −0.0 (no extension) and turned into +0.0 when the n-gram is the
 *   context of a longer one; the highest order may not carry a non-zero backoff.
 * - every word of a higher-order n-gram must be a unigram; the context (first n−1 words) of every n-gram
 *   must itself be an (n−1)-gram; a missing suffix (SRI-style pruning) is hallucinated with the
 *   probability the model would give it through backoff, as KenLM does.
 * - `<s>` and `</s>` required; `<unk>` absent → warning and log10 p = −100, backoff 0.
 *
 * Like KenLM it works on bytes: the file is read in chunks and scanned in place; numbers are parsed from their
 * bytes and words are hashed and interned from their bytes (vocab.ts), so no JS string is made per line or per
 * token (only for error messages and for the rare number forms of the slow path).
 */
export declare const KENLM_MAX_ORDER = 6;
/** KenLM Config::unknown_missing_prob. */
export declare const UNKNOWN_MISSING_LOG10 = -100;
export interface ArpaReadOptions {
    /** Name used in error messages. */
    fileName?: string;
    /** Receives warnings (default: collected on the model's `warnings`; the CLI prints them to stderr). */
    onWarning?: (message: string) => void;
}
export declare const POW10: number[];
/** KenLM ReadFloat (double-conversion): decimal numbers plus inf / -inf / nan tokens. */
export declare function parseFloatToken(tok: string): number | undefined;
/** Parse an ARPA model from its text or its bytes (UTF-8). */
export declare function parseArpa(text: string | Uint8Array, options?: ArpaReadOptions): ArpaModel;
/** First bytes of a compiled binary LM (see binary.ts). */
export declare const BINARY_MAGIC_TEXT = "CTCENSLM";
/** Read and parse an ARPA file in chunks (the file is never held whole in memory, nor as a string). */
export declare function readArpaFile(path: string, options?: Omit<ArpaReadOptions, 'fileName'> & {
    chunkBytes?: number;
}): Promise<ArpaModel>;
