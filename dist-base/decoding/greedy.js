import { greedyTranscript } from './alphabet.js';
import { alphabetFor } from './prefix-beam-search.js';
export function greedyDecode(lp, vocabulary, blankId, tokenizer) {
    if (vocabulary.length !== lp.vocabSize) {
        throw new RangeError(`greedyDecode: vocabulary has ${vocabulary.length} tokens, posteriors have ${lp.vocabSize}`);
    }
    return greedyTranscript(lp.data, lp.frames, alphabetFor(vocabulary, blankId, tokenizer.lowerCase)).text;
}
//# sourceMappingURL=greedy.js.map