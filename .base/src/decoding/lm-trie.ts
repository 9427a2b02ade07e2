/**
 * Character tries for the beam search: the LM's unigram vocabulary (is a partial word a prefix of some LM word?)
 * and hotwords (bonus for partial and complete hotwords). Children are found through one Map keyed by
 * `node * 65536 + UTF-16 code unit`; node ids are dense integers, the root is 0.
 */
import type { LanguageModelScorer } from '../lm/types.js';

const LM_SPECIALS = new Set(['<s>', '</s>', '<unk>']);

export class CharTrie {
  /** `node * 65536 + code unit` -> child node. */
  private readonly children = new Map<number, number>();
  /** The word ending at each node, or null. */
  readonly wordAt: Array<string | null> = [null];
  /** Length of the shortest word below each node (inclusive), used for hotword partial bonuses. */
  minWordLen: number[] = [Infinity];
  size = 1;

  insert(word: string): void {
    let node = 0;
    for (let i = 0; i < word.length; i++) {
      const key = node * 65536 + word.charCodeAt(i);
      let next = this.children.get(key);
      if (next === undefined) {
        next = this.size++;
        this.children.set(key, next);
        this.wordAt.push(null);
        this.minWordLen.push(Infinity);
      }
      if (word.length < this.minWordLen[node]) this.minWordLen[node] = word.length;
      node = next;
    }
    if (word.length < this.minWordLen[node]) this.minWordLen[node] = word.length;
    this.wordAt[node] = word;
  }

  /** Node reached from `node` by reading `text`, or -1 when it leaves the trie (or `node` is -1). */
  step(node: number, text: string): number {
    for (let i = 0; i < text.length && node >= 0; i++) {
      const next = this.children.get(node * 65536 + text.charCodeAt(i));
      node = next === undefined ? -1 : next;
    }
    return node;
  }
}

const lmTries = new WeakMap<LanguageModelScorer, CharTrie>();

/** Trie of the LM's unigrams (without `<s>`, `</s>`, `<unk>`), built once per LM object. */
export function lmVocabularyTrie(lm: LanguageModelScorer): CharTrie {
  let trie = lmTries.get(lm);
  if (trie === undefined) {
    trie = new CharTrie();
    for (const w of lm.words()) if (w.length > 0 && !LM_SPECIALS.has(w)) trie.insert(w);
    lmTries.set(lm, trie);
  }
  return trie;
}

/** Hotword trie: every word of every hotword phrase (phrases are split on whitespace). */
export function hotwordTrie(hotwords: readonly string[]): CharTrie {
  const trie = new CharTrie();
  for (const phrase of hotwords) for (const w of phrase.trim().split(/\s+/u)) if (w.length > 0) trie.insert(w);
  return trie;
}
