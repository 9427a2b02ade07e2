/**
 * How the tokens of a CTC vocabulary form words, for the beam-search decoder (`prefixBeamSearch`).
 *
 * Follows pyctcdecode's `Alphabet` (alphabet.py) where it can, with these rules:
 *
 * - The vocabulary is BPE when any token starts with `▁` (SentencePiece) or `##` (WordPiece); otherwise it is a
 *   character vocabulary.
 * - Character vocabularies: the token `" "` is the word delimiter; `"|"` is the delimiter when there is no `" "`
 *   token (wav2vec2), otherwise `"|"` is an ordinary character (as pyctcdecode).
 * - SentencePiece: a token starting with `▁` starts a word (the rest of it is the first piece of the word); the token
 *   `"▁"` alone is a pure word boundary; a token ending in `▁` (rare) ends its word (pyctcdecode's
 *   `force_next_break`, but per beam rather than pyctcdecode's one flag shared by all beams).
 * - WordPiece: `##x` continues the current word with `x`; every other non-special token starts a word (as
 *   pyctcdecode, which rewrites them to `▁tok`).
 * - The blank is the token at `blankId` (pyctcdecode: the label `""`, appended when absent; here the caller says
 *   which index it is).
 * - `<pad>` / `[pad]` (case-insensitive, any index other than the blank), `<s>`, `</s>`, `<blank>`, `<eps>` and the
 *   empty string are *silent*: the decoder treats their probability as extra blank probability (they print
 *   nothing and separate repeats). Difference: pyctcdecode maps pad to its blank but keeps `<s>`/`</s>` as literal
 *   text that ends up inside words.
 * - `<unk>` / `[unk]` (case-insensitive) prints as `⁇` (pyctcdecode's UNK_TOKEN); in BPE vocabularies it is a word of
 *   its own (pyctcdecode: `▁⁇▁`). A word containing it is never in the LM, so it gets the OOV penalty.
 * - SentencePiece byte-fallback tokens `<0xNN>` continue the current word; a run of them is printed as its UTF-8
 *   text (invalid sequences as U+FFFD), as sherpa-onnx does. The LM sees them as nothing (their words are OOV).
 * - Duplicate tokens are allowed (pyctcdecode rejects them): their ids decode identically.
 * - `lowerCase` lower-cases every token's text (wav2vec2 models with upper-case vocabularies and lower-case LMs).
 */
export type VocabularyKind = 'char' | 'bpe';
/** Token roles, stored per id in `Alphabet.role`. */
export declare const TokenRole: {
    /** The CTC blank, or a silent special token folded into it. */
    readonly Blank: 0;
    /** Appends `text` to the current word. */
    readonly Piece: 1;
    /** Ends the current word (if any), then starts a new one with `text` (possibly empty: a pure boundary). */
    readonly WordStart: 2;
};
export type TokenRole = (typeof TokenRole)[keyof typeof TokenRole];
export interface Alphabet {
    readonly kind: VocabularyKind;
    readonly vocabSize: number;
    readonly blankId: number;
    /** Role of each token id (a `TokenRole`). */
    readonly role: Uint8Array;
    /** 1 where the token also ends its word after its text (SentencePiece piece ending in `▁`, or BPE `<unk>`). */
    readonly endsWord: Uint8Array;
    /** Text each token adds to the current word (no `▁`, no `##`, no delimiter). */
    readonly text: readonly string[];
    /** Ids whose probability counts as blank: `blankId` first, then the silent special tokens. */
    readonly blankIds: Int32Array;
    /** The word delimiter token of a character vocabulary (`" "` or `"|"`), if any. */
    readonly wordDelimiter: string | undefined;
    /** The byte of each byte-fallback token `<0xNN>`, −1 for other tokens. */
    readonly byteValue: Int16Array;
}
/** pyctcdecode's UNK_TOKEN. */
export declare const UNK_TEXT = "\u2047";
export interface AlphabetOptions {
    /** Lower-case token text. Default false. */
    lowerCase?: boolean;
}
/** Builds the alphabet of `vocabulary` (token strings indexed by id) whose blank is `blankId`. */
export declare function buildAlphabet(vocabulary: readonly string[], blankId: number, options?: AlphabetOptions): Alphabet;
/**
 * Text of a token-id sequence (already CTC-collapsed: no blanks, no repeats) under `alphabet`: words joined by one
 * space, no leading/trailing space.
 */
export declare function tokensToText(alphabet: Alphabet, ids: ArrayLike<number>): string;
/**
 * Greedy (best-path) transcript: argmax per frame, collapse repeats, drop blanks (silent tokens count as blank).
 * `logprobs` is row-major [frames][vocabSize].
 */
export declare function greedyTranscript(logprobs: ArrayLike<number>, frames: number, alphabet: Alphabet): {
    text: string;
    ids: number[];
    logp: number;
};
