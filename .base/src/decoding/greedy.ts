/**
 * Greedy (best-path) CTC transcript of a model's posteriors. Text comes from the same `Alphabet` rule the beam
 * search uses (`decoding/alphabet.ts`), so greedy output and beam-1-without-LM output are the same string for every
 * vocabulary: `<unk>` prints as `⁇` (SentencePiece's and pyctcdecode's rendering) in both.
 */
import type { Logprobs, TokenizerInfo } from '../models/types.js';
import { greedyTranscript } from './alphabet.js';
import { alphabetFor } from './prefix-beam-search.js';

export function greedyDecode(lp: Logprobs, vocabulary: readonly string[], blankId: number, tokenizer: Pick<TokenizerInfo, 'lowerCase'>): string {
  if (vocabulary.length !== lp.vocabSize) {
    throw new RangeError(`greedyDecode: vocabulary has ${vocabulary.length} tokens, posteriors have ${lp.vocabSize}`);
  }
  return greedyTranscript(lp.data, lp.frames, alphabetFor(vocabulary, blankId, tokenizer.lowerCase)).text;
}
