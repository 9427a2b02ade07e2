/** lmplz's word delimiters in the corpus and the --limit_vocab_file (corpus_count.cc): NUL, tab, CR, space; lines end at LF. */
export declare const CORPUS_DELIMITERS: RegExp;
/**
 * Call `fn` with each line of a text stream, in order. Lines end at '\n' only: as in lmplz, a '\r' is
 * whitespace inside a line (readline would also end a line at a lone '\r').
 */
export declare function forEachLine(stream: NodeJS.ReadableStream, fn: (line: string) => void): Promise<void>;
/** Fields of an n-gram record in NgramTable.rec (REC numbers per entry). */
export declare const SUF = 0;
export declare const WORD = 1;
/** Raw count while counting; the estimator replaces it with the float32 bits of log10 p. */
export declare const COUNT = 2;
/**
 * While counting: the prefix entry (w1 … w(n−1), the n-gram's context, in the order below; for bigrams
 * a word id), known for free when the n-gram is first seen; the estimator puts the float32 bits of the
 * log10 backoff there.
 */
export declare const AUX = 3;
export declare const REC = 4;
/**
 * Growable n-gram table: entry = record (suffix entry, first word, count, aux) in one interleaved
 * Uint32Array, reached through an open-addressing index. Interleaved because the counting loop and the
 * ARPA writer touch the entries in random order: one cache line per entry instead of one per column.
 */
export declare class NgramTable {
    size: number;
    rec: Uint32Array;
    private index;
    private mask;
    constructor(initial?: number);
    private static hash;
    /** Entry of (s, w), created when new (with `prefix` in AUX); its raw count is incremented. */
    add(s: number, w: number, prefix: number): number;
    private grow;
    /** Remove every entry, keeping the capacity. */
    clear(): void;
    /** Drop the hash index (find/add no longer work): the estimator's last stages do not need it. */
    dropIndex(): void;
    bytes(): number;
    /** What the entries need at the densest the table gets: a record and two index slots each. */
    usedBytes(): number;
}
/** Counts n-grams of every order 1..N from sentences (lmplz corpus_count, with its <s> padding). */
export declare class NgramCounter {
    readonly order: number;
    readonly vocab: Map<string, number>;
    readonly words: string[];
    /** tables[k] for order k = 2..N (index 0, 1 unused). */
    readonly tables: NgramTable[];
    private ids;
    private ent;
    tokens: number;
    sentences: number;
    constructor(order: number);
    addSentence(line: string, where?: string): void;
    /** Memory the tables hold. */
    bytes(): number;
    /**
     * Memory the tables' entries need; the tables hold up to twice that (capacity doubles), and keep
     * their capacity when emptied after a spill, so spilling when 2 × usedBytes() reaches a budget keeps
     * bytes() within it.
     */
    usedBytes(): number;
    /** Empty the n-gram tables, keeping the vocabulary (after they were spilled to disk). */
    clearTables(): void;
    /**
     * Word ids of entry `e` of order k, last word first (rev[0] = last … rev[k − 1] = first word: the
     * suffix order the ARPA file is sorted in), written to out[offset …].
     */
    reversedIds(k: number, e: number, out: Uint32Array, offset: number): void;
}
