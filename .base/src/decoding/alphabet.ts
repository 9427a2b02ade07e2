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

import { byteFallbackValue } from '../models/tokens.js';

export type VocabularyKind = 'char' | 'bpe';

/** Token roles, stored per id in `Alphabet.role`. */
export const TokenRole = {
  /** The CTC blank, or a silent special token folded into it. */
  Blank: 0,
  /** Appends `text` to the current word. */
  Piece: 1,
  /** Ends the current word (if any), then starts a new one with `text` (possibly empty: a pure boundary). */
  WordStart: 2,
} as const;
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

const utf8 = new TextDecoder('utf-8');
const PAD = /^(<pad>|\[pad\])$/i;
const UNK = /^(<unk>|\[unk\])$/i;
const SILENT = new Set(['<s>', '</s>', '<blank>', '<eps>', '']);
/** pyctcdecode's UNK_TOKEN. */
export const UNK_TEXT = '⁇';
const BPE_MARK = '▁';

function isSilent(tok: string): boolean {
  return PAD.test(tok) || SILENT.has(tok) || SILENT.has(tok.toLowerCase());
}

export interface AlphabetOptions {
  /** Lower-case token text. Default false. */
  lowerCase?: boolean;
}

/** Builds the alphabet of `vocabulary` (token strings indexed by id) whose blank is `blankId`. */
export function buildAlphabet(vocabulary: readonly string[], blankId: number, options: AlphabetOptions = {}): Alphabet {
  const V = vocabulary.length;
  if (V === 0) throw new RangeError('alphabet: empty vocabulary');
  if (!Number.isInteger(blankId) || blankId < 0 || blankId >= V) {
    throw new RangeError(`alphabet: blank index ${blankId} is outside the vocabulary (size ${V})`);
  }
  const lower = options.lowerCase === true;
  const isBpe = vocabulary.some((t, i) => i !== blankId && (t.startsWith(BPE_MARK) || t.startsWith('##')));
  const wordPiece = isBpe && vocabulary.some((t, i) => i !== blankId && t.startsWith('##'));
  const role = new Uint8Array(V);
  const endsWord = new Uint8Array(V);
  const text: string[] = new Array<string>(V).fill('');
  const blanks: number[] = [blankId];
  const byteValue = new Int16Array(V).fill(-1);
  let delimiter: string | undefined;
  if (!isBpe) {
    if (vocabulary.includes(' ')) delimiter = ' ';
    else if (vocabulary.includes('|')) delimiter = '|';
  }
  for (let i = 0; i < V; i++) {
    const tok = vocabulary[i];
    if (typeof tok !== 'string') throw new TypeError(`alphabet: token ${i} is not a string`);
    if (i === blankId) {
      role[i] = TokenRole.Blank;
      continue;
    }
    if (isSilent(tok)) {
      role[i] = TokenRole.Blank;
      blanks.push(i);
      continue;
    }
    const byte = byteFallbackValue(tok);
    if (byte !== undefined) {
      role[i] = TokenRole.Piece;
      byteValue[i] = byte;
      continue;
    }
    if (UNK.test(tok)) {
      // A word of its own in BPE (pyctcdecode "▁⁇▁"); a character inside the current word otherwise.
      role[i] = isBpe ? TokenRole.WordStart : TokenRole.Piece;
      if (isBpe) endsWord[i] = 1;
      text[i] = UNK_TEXT;
      continue;
    }
    const norm = (s: string): string => (lower ? s.toLowerCase() : s);
    if (!isBpe) {
      if (tok === delimiter) {
        role[i] = TokenRole.WordStart;
        text[i] = '';
      } else {
        role[i] = TokenRole.Piece;
        text[i] = norm(tok);
      }
      continue;
    }
    if (wordPiece) {
      if (tok.startsWith('##')) {
        role[i] = TokenRole.Piece;
        text[i] = norm(tok.slice(2));
      } else {
        role[i] = TokenRole.WordStart;
        text[i] = norm(tok.startsWith(BPE_MARK) ? tok.slice(1) : tok);
      }
      continue;
    }
    let body = tok;
    if (body.startsWith(BPE_MARK)) {
      role[i] = TokenRole.WordStart;
      body = body.slice(1);
    } else {
      role[i] = TokenRole.Piece;
    }
    if (body.length > 0 && body.endsWith(BPE_MARK)) {
      endsWord[i] = 1;
      body = body.slice(0, -1);
    }
    text[i] = norm(body);
  }
  return {
    kind: isBpe ? 'bpe' : 'char',
    vocabSize: V,
    blankId,
    role,
    endsWord,
    text,
    blankIds: Int32Array.from(blanks),
    wordDelimiter: delimiter,
    byteValue,
  };
}

/**
 * Text of a token-id sequence (already CTC-collapsed: no blanks, no repeats) under `alphabet`: words joined by one
 * space, no leading/trailing space.
 */
export function tokensToText(alphabet: Alphabet, ids: ArrayLike<number>): string {
  let out = '';
  let wordOpen = false;
  let bytes: number[] = [];
  for (let k = 0; k <= ids.length; k++) {
    const id = k < ids.length ? ids[k] : -1;
    if (id >= 0 && alphabet.byteValue[id] >= 0) {
      bytes.push(alphabet.byteValue[id]);
      continue;
    }
    if (bytes.length > 0) {
      const t = utf8.decode(Uint8Array.from(bytes));
      bytes = [];
      if (!wordOpen && out.length > 0) out += ' ';
      out += t;
      wordOpen = true;
    }
    if (id < 0) break;
    const r = alphabet.role[id];
    if (r === TokenRole.Blank) continue;
    const t = alphabet.text[id];
    if (r === TokenRole.WordStart) wordOpen = false;
    if (t.length > 0) {
      if (!wordOpen && out.length > 0) out += ' ';
      out += t;
      wordOpen = true;
    }
    if (alphabet.endsWord[id]) wordOpen = false;
  }
  return out;
}

/**
 * Greedy (best-path) transcript: argmax per frame, collapse repeats, drop blanks (silent tokens count as blank).
 * `logprobs` is row-major [frames][vocabSize].
 */
export function greedyTranscript(logprobs: ArrayLike<number>, frames: number, alphabet: Alphabet): { text: string; ids: number[]; logp: number } {
  const V = alphabet.vocabSize;
  const ids: number[] = [];
  let prev = -1;
  let logp = 0;
  for (let t = 0; t < frames; t++) {
    const o = t * V;
    let best = 0;
    let bv = -Infinity;
    for (let k = 0; k < V; k++) {
      const v = logprobs[o + k];
      if (v > bv) {
        bv = v;
        best = k;
      }
    }
    logp += bv;
    if (alphabet.role[best] === TokenRole.Blank) {
      prev = -1;
      continue;
    }
    if (best !== prev) ids.push(best);
    prev = best;
  }
  return { text: tokensToText(alphabet, ids), ids, logp };
}
