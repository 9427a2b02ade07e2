/**
 * Character tries for the beam search: the LM's unigram vocabulary (is a partial word a prefix of some LM word?)
 * and hotwords (bonus for partial and complete hotwords). Children are found through one Map keyed by
 * `node * 65536 + UTF-16 code unit`; node ids are dense integers, the root is 0.
 */
import type { LanguageModelScorer } from '../lm/types.js';
export declare class CharTrie {
    /** `node * 65536 + code unit` -> child node. */
    private readonly children;
    /** The word ending at each node, or null. */
    readonly wordAt: Array<string | null>;
    /** Length of the shortest word below each node (inclusive), used for hotword partial bonuses. */
    minWordLen: number[];
    size: number;
    insert(word: string): void;
    /** Node reached from `node` by reading `text`, or -1 when it leaves the trie (or `node` is -1). */
    step(node: number, text: string): number;
}
/** Trie of the LM's unigrams (without `<s>`, `</s>`, `<unk>`), built once per LM object. */
export declare function lmVocabularyTrie(lm: LanguageModelScorer): CharTrie;
/** Hotword trie: every word of every hotword phrase (phrases are split on whitespace). */
export declare function hotwordTrie(hotwords: readonly string[]): CharTrie;
