/**
 * The LM vocabulary as bytes, not as JS strings: the UTF-8 words concatenated in id order (`bytes`, word `id` is
 * bytes[offsets[id], offsets[id + 1])), and an open-addressing hash table (linear probing, load ≤ 2/3) of
 * [32-bit hash, id] pairs over the UTF-8 bytes. The ARPA reader interns words straight from the file's bytes,
 * the compiled format stores these three arrays as they are (so a loaded model uses them in place), and a word
 * given as a JS string is looked up by hashing its UTF-8 encoding on the fly (no encoder call, no allocation).
 *
 * Choice: a 32-bit hash plus a byte-by-byte comparison with the stored word, rather than KenLM's 64-bit hash
 * alone, so that lookups are exact (two words can never be confused) at the cost of one comparison per hit.
 * Words are byte strings as in KenLM: an ARPA file with invalid UTF-8 keeps its words distinct; such a word is
 * unreachable from a JS string (whose encoding never produces those bytes) and decodes with U+FFFD.
 */
export declare const NO_WORD = 4294967295;
/** FNV-1a step over one byte (the words' hash is this over their UTF-8 bytes, then `finishHash`). */
export declare const hashByte: (h: number, b: number) => number;
export declare const HASH_START = 2166136261;
/** Final avalanche (murmur3 fmix32) so that the top bits used for the slot depend on every byte. */
export declare function finishHash(h: number): number;
/** Hash of bytes[start, end). */
export declare function hashBytes(bytes: Uint8Array, start: number, end: number): number;
/** Hash of the UTF-8 encoding of `s` (lone surrogates encode as U+FFFD, as TextEncoder does). */
export declare function hashString(s: string): number;
/** Hash-table capacity (in slots) for `count` words: load ≤ 2/3. */
export declare function vocabCapacityFor(count: number): number;
export declare class Vocabulary {
    /** UTF-8 words concatenated in id order. */
    readonly bytes: Uint8Array;
    /** size + 1 offsets into `bytes`. */
    readonly offsets: Uint32Array;
    /** Slots of [hash, id]; id NO_WORD = free. */
    readonly table: Uint32Array;
    /** Number of words (ids 0 .. size-1). */
    readonly size: number;
    private readonly cap;
    constructor(
    /** UTF-8 words concatenated in id order. */
    bytes: Uint8Array, 
    /** size + 1 offsets into `bytes`. */
    offsets: Uint32Array, 
    /** Slots of [hash, id]; id NO_WORD = free. */
    table: Uint32Array);
    /** Id of `word`, or −1 when it is not in the vocabulary. */
    id(word: string): number;
    /** Id of the word bytes[start, end) whose hash is `hash` (from hashBytes), or −1. */
    idOfBytes(bytes: Uint8Array, start: number, end: number, hash: number): number;
    /** The word with this id, decoded from UTF-8 (a new string per call). */
    word(id: number): string;
}
/** Interns words from byte ranges (ids in order of `add`) into a table sized for `expected` words. */
export declare class VocabularyBuilder {
    readonly expected: number;
    private bytes;
    private used;
    private offsets;
    private n;
    private readonly table;
    private readonly cap;
    constructor(expected: number);
    get size(): number;
    idOfBytes(bytes: Uint8Array, start: number, end: number, hash: number): number;
    /** The table word at the first slot for `hash` (read ahead of idOfBytes so that its cache miss overlaps others). */
    touch(hash: number): number;
    /** Add a word known to be absent; returns its id, or −1 when the table is full (more words than expected). */
    add(bytes: Uint8Array, start: number, end: number, hash: number): number;
    finish(): Vocabulary;
}
