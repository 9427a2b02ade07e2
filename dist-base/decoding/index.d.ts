export { buildAlphabet, tokensToText, greedyTranscript, TokenRole, UNK_TEXT } from './alphabet.js';
export type { Alphabet, AlphabetOptions, VocabularyKind } from './alphabet.js';
export { greedyDecode } from './greedy.js';
export { prefixBeamSearch, decodeWithLm, CtcBeamSearchDecoder, decoderFor, alphabetFor } from './prefix-beam-search.js';
export type { BeamSearchOptions, DecodedBeam, DecodeWithLmOptions } from './prefix-beam-search.js';
export { DECODING_DEFAULTS } from '../defaults.js';
