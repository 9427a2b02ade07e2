import type { LanguageModelScorer } from '../lm/types.js';
import { type Alphabet } from './alphabet.js';
export declare const LN10: number;
/** pyctcdecode MIN_TOKEN_CLIP_P: log-probabilities are clipped at ln(1e-15). */
export declare const MIN_LOGP: number;
export interface BeamSearchOptions {
    /** Word LM; null/undefined: no LM (acoustic + hotwords only). */
    lm?: LanguageModelScorer | null;
    /** LM weight. Default 0.5 (pyctcdecode). */
    alpha?: number;
    /** Word insertion bonus (natural log, per completed word). Default 1.5 (pyctcdecode). */
    beta?: number;
    /** Default 100. */
    beamWidth?: number;
    /** Drop beams scoring below best + this. Default −10. */
    beamPruneLogp?: number;
    /** Do not extend beams with tokens below this log-probability (the frame's argmax always is). Default −5. */
    tokenMinLogp?: number;
    /** Added (log10) to words that are not LM unigrams. Default −10. */
    unkScoreOffset?: number;
    /** Natural-log score of a partial word that is not a prefix of any LM unigram. Default −10. */
    partialOovPenalty?: number;
    /** Start the LM history at <s> and add </s> at the end. Default true. */
    scoreBoundary?: boolean;
    /** Words (or phrases, split into words) to favour. */
    hotwords?: readonly string[];
    /** Default 10 (pyctcdecode). */
    hotwordWeight?: number;
    /** Number of beams to return. Default 10. */
    topN?: number;
    /**
     * With an LM: of the beams kept at a frame that share the LM state (the last n−1 words), the partial word and the
     * last token, keep only the best (pyctcdecode's `prune_history`; they can differ only in words the LM no longer
     * sees, so the best one is the only one that can win). Default: on when `topN` is 1.
     */
    pruneHistory?: boolean;
}
export interface DecodedBeam {
    /** Words separated by one space. */
    text: string;
    /** CTC log probability of the beam's token prefix (natural log; all alignments). */
    acousticScore: number;
    /** LM part of the score: alpha·ln10·(log10 P + OOV offsets) + beta per word, </s>, hotword bonuses (natural log). */
    lmScore: number;
    /** acousticScore + lmScore: what beams are ranked by. */
    score: number;
    /** Raw LM log10 probability of the words (and </s> when scoreBoundary); 0 without LM. */
    lmLog10: number;
    /** Number of words scored. */
    words: number;
    /** The beam's token ids (blank-free), for word timestamps. */
    tokens?: number[];
    /** Frame at which each token of `tokens` entered the beam (its first frame in the prefix tree). */
    tokenFrames?: number[];
}
/**
 * A reusable decoder for one alphabet and one LM (or none). Holds its work arrays between calls; `decode` is
 * synchronous, so one instance can serve many utterances (not concurrently from worker threads).
 */
export declare class CtcBeamSearchDecoder {
    readonly alphabet: Alphabet;
    readonly lm: LanguageModelScorer | null;
    private readonly cache;
    private readonly lmSteps;
    private cap;
    private nParent;
    private nToken;
    private nFirstChild;
    private nNextSib;
    private nLmState;
    private nLmNode;
    private nHotNode;
    private nPartLen;
    private nWords;
    private nLmScore;
    private nLmLog10;
    private nStamp;
    private nSlot;
    /** Frame at which the node's token was first emitted (word timestamps). */
    private nFrame;
    private nodeCount;
    private ecap;
    private eNode;
    private eParent;
    private eToken;
    private eLmState;
    private eLmNode;
    private eHotNode;
    private ePartLen;
    private eWords;
    private eLmScore;
    private eLmLog10;
    private ePB;
    private ePNB;
    private eScore;
    private scratch;
    private entryCount;
    /** pruneHistory: (LM state, partial word, hotword node, last token) -> entry, per frame. */
    private readonly history;
    /** Node compaction threshold (nodes); tests lower it to exercise compaction. */
    maxNodes: number;
    constructor(alphabet: Alphabet, lm?: LanguageModelScorer | null);
    private growNodes;
    private growEntries;
    private newEntry;
    /** Entry of existing node `n` in the frame being built (stamp `t`). */
    private entryOfNode;
    private findChild;
    /**
     * Decodes row-major [frames][vocabSize] natural-log posteriors. Returns the best beams, best first.
     */
    decode(logprobs: ArrayLike<number>, frames: number, options?: BeamSearchOptions): DecodedBeam[];
    /** Drops prefix-tree nodes no beam descends from (ids are renumbered in creation order, parents first). */
    private compact;
    private finish;
}
/** A cached decoder for (alphabet, lm). */
export declare function decoderFor(alphabet: Alphabet, lm: LanguageModelScorer | null | undefined): CtcBeamSearchDecoder;
/**
 * CTC prefix beam search with optional word-LM fusion over row-major [frames][vocabSize] natural-log posteriors.
 * Returns the best beams (best first; at most `options.topN`).
 */
export declare function prefixBeamSearch(logprobs: ArrayLike<number>, frames: number, vocabSize: number, alphabet: Alphabet, options?: BeamSearchOptions): DecodedBeam[];
/** Alphabet of `vocabulary`, cached per vocabulary array. */
export declare function alphabetFor(vocabulary: readonly string[], blankId: number, lowerCase?: boolean): Alphabet;
export interface DecodeWithLmOptions extends Omit<BeamSearchOptions, 'lm' | 'topN'> {
    /** Lower-case token text before LM lookup and output. */
    lowerCase?: boolean;
}
/**
 * Best transcript of one utterance: beam search with `lm` (or without, when null) — the ensemble layer's entry point.
 * `lp` is row-major [frames][vocabSize] natural-log posteriors.
 */
export declare function decodeWithLm(lp: {
    data: ArrayLike<number>;
    frames: number;
    vocabSize: number;
}, vocabulary: readonly string[], blankId: number, lm: LanguageModelScorer | null, options?: DecodeWithLmOptions): string;
/** As `decodeWithLm`, but the best beam itself (tokens and their frames for timestamps); null when none. */
export declare function decodeBeamWithLm(lp: {
    data: ArrayLike<number>;
    frames: number;
    vocabSize: number;
}, vocabulary: readonly string[], blankId: number, lm: LanguageModelScorer | null, options?: DecodeWithLmOptions): DecodedBeam | null;
