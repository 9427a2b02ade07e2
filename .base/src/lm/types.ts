/**
 * What the beam-search decoder needs from a word n-gram LM. Scores are log10, as in KenLM.
 * A state is an opaque small integer handle owned by the LM (so that decoders can key caches on it).
 */
export interface LanguageModelScorer {
  readonly order: number;
  /** State after `<s>` (KenLM BeginSentenceWrite). */
  beginSentenceState(): number;
  /** Empty context (KenLM NullContextWrite). */
  nullContextState(): number;
  /** log10 p(word | state) and the state after it; OOV words score as `<unk>`. */
  scoreWord(state: number, word: string): { log10: number; state: number; oov: boolean };
  /** log10 p(</s> | state). */
  scoreEndOfSentence(state: number): number;
  /** True when `word` is in the unigram vocabulary (not `<unk>`). */
  hasWord(word: string): boolean;
  /** Unigram vocabulary, used for the partial-word prefix trie. */
  words(): Iterable<string>;
  /**
   * Optional allocation-free path (ArpaModel has it; decoders use it when present): `wordId` maps a word to
   * an id once (0 = `<unk>`, also for OOV words), `scoreId` scores it and leaves the next state in `outState`.
   */
  wordId?(word: string): number;
  scoreId?(state: number, id: number): number;
  readonly outState?: number;
}
