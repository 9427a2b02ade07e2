import type { LanguageModelScorer } from './types.js';
import type { Vocabulary } from './vocab.js';
/**
 * Backoff n-gram LM held in typed arrays, scored with KenLM's probing-model semantics
 * (lm/model.cc FullScore / ScoreExceptBackoff / ResumeScore).
 *
 * Storage: unigrams are indexed by word id (`<unk>` = 0). Each order k >= 2 is an open-addressing
 * hash table (linear probing) whose key is the pair (slot of the (k-1)-word suffix in the order k-1
 * table, first word id) — the n-gram w1..wk is reached from wk by prepending w(k-1), w(k-2), ... one
 * table per step, exactly the walk KenLM does with its combined word hashes, but with exact keys
 * (no 64-bit hash collisions are possible); the slot a key starts probing at is a hash of the words
 * alone (ngramHashExtend), so that the probes of one word's orders do not wait for each other. A slot
 * is interleaved in one Uint32Array so that a probe touches one cache line: [suffix slot, first word,
 * prob bits, backoff bits] (stride 4), the highest order without backoff (stride 3); prob/backoff are
 * float32 (as KenLM stores them), read through a Float32Array view of the same buffer.
 *
 * Backoff sign: −0.0 means "no longer n-gram has this one as context" (KenLM kNoExtensionBackoff), so a
 * state ending here may be shortened; +0.0 or non-zero means it can be extended. States are small
 * integer handles: 0 is the empty context; otherwise a handle names the table entry of the longest
 * extendable n-gram ending at the last word (its words and backoffs are recovered by walking the
 * suffix chain), so the number of distinct states is bounded by the model and never grows.
 */
export interface LmTables {
    order: number;
    /** Words as UTF-8 bytes with their hash table (vocab.ts); id 0 is `<unk>`. */
    vocab: Vocabulary;
    uniProb: Float32Array;
    uniBackoff: Float32Array;
    /**
     * Per order k = 2..order at index k-2: slots of [suffixSlot, firstWord, prob, backoff] (stride 4; the
     * highest order has stride 3, no backoff); firstWord EMPTY = free slot.
     */
    entries: Uint32Array[];
    /** n-gram counts as declared by the ARPA header (index k-1). */
    counts: number[];
    /** Entries per table including hallucinated (SRI-pruned) suffixes, index k-1. */
    stored: number[];
}
export declare const EMPTY = 4294967295;
/** Chain hash of a one-word suffix. */
export declare function ngramHashStart(word: number): number;
/** Chain hash after prepending the older word `word` to the suffix hashed as `h`. */
export declare function ngramHashExtend(h: number, word: number): number;
/** Fast range reduction of a 32-bit hash onto [0, cap). */
export declare const slotOfHash: (h: number, cap: number) => number;
export declare const strideOf: (k: number, order: number) => number;
/** Find (suffix, word), whose chain hash is `hash`, in an entry table of the given stride; −1 when absent. */
export declare function findSlot(entries: Uint32Array, stride: number, hash: number, suffix: number, word: number): number;
/** Table capacity for `count` entries (load ≤ 2/3, as KenLM's default probing multiplier 1.5). */
export declare function capacityFor(count: number): number;
export interface WordScore {
    log10: number;
    /** Length of the longest matched n-gram (KenLM FullScoreReturn.ngram_length). */
    ngramLength: number;
    oov: boolean;
}
export interface SentenceScore {
    total: number;
    words: WordScore[];
    oovs: number;
}
export declare class ArpaModel implements LanguageModelScorer {
    readonly order: number;
    readonly counts: readonly number[];
    /** Messages about the model (e.g. `<unk>` missing), as KenLM prints on load. */
    readonly warnings: string[];
    readonly beginSentenceId: number;
    readonly endSentenceId: number;
    private readonly vocab;
    private readonly uniProb;
    private readonly uniBackoff;
    private readonly uniBackoffBits;
    private readonly entries;
    private readonly entryFloats;
    /** First handle of each order's states: base[k] for k = 1..order-1; handle = base[k] + slot. */
    private readonly base;
    private readonly beginState;
    private readonly tables;
    /** Slots per table, index k (k = 2..order), and cap / 2^32 for slotOfHash's range reduction. */
    private readonly caps;
    private readonly slotScale;
    private readonly ctxWords;
    private readonly ctxBackoff;
    /** Scratch: first probe slot per order; `touched` keeps the prefetching loads from being optimized away. */
    private readonly probeStart;
    private touched;
    /** Set by `scoreId`: the state after the word and the matched n-gram length. */
    outState: number;
    outNgramLength: number;
    constructor(tables: LmTables, warnings?: string[]);
    /** The raw tables (for the binary writer and diagnostics). */
    getTables(): LmTables;
    get vocabularySize(): number;
    beginSentenceState(): number;
    nullContextState(): number;
    /** Word id (0 = `<unk>` for unknown words): the word's UTF-8 bytes hashed on the fly, no string table. */
    wordId(word: string): number;
    /** The word with this id (decoded from the vocabulary bytes: a new string per call). */
    wordOf(id: number): string;
    hasWord(word: string): boolean;
    words(): Iterable<string>;
    scoreWord(state: number, word: string): {
        log10: number;
        state: number;
        oov: boolean;
    };
    scoreEndOfSentence(state: number): number;
    /** Words of a state, most recent first (for debugging and tests). */
    stateWords(state: number): string[];
    /** Fill ctxWords/ctxBackoff for a state; returns its length. */
    private decodeState;
    /**
     * log10 p(word id | state), KenLM FullScore. Sets `outState` and `outNgramLength`. No allocation: the
     * state is decoded into scratch arrays and the tables are probed inline (the scoring loop of decoding).
     */
    scoreId(state: number, id: number): number;
    /**
     * Score a whole sentence as KenLM's `query`: optional `<s>` context, each word, optional `</s>`.
     * Per-word results are [log10 p, matched n-gram length, is OOV] like golden word_scores.
     */
    scoreSentence(words: readonly string[], options?: {
        bos?: boolean;
        eos?: boolean;
    }): SentenceScore;
    /** Total log10 of a sentence of word ids without per-word detail (fast path). */
    scoreTokens(ids: ArrayLike<number>, bos?: boolean, eos?: boolean): number;
    /** Bytes held by the n-gram tables, unigram arrays and the vocabulary. */
    tableBytes(): number;
}
