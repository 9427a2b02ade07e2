import type { Logprobs, TokenizerInfo } from './types.js';

/** Argmax per frame (first maximum wins, like torch/numpy argmax). */
export function argmaxPerFrame(lp: Logprobs): Int32Array {
  const { data, frames, vocabSize: V } = lp;
  const out = new Int32Array(frames);
  for (let t = 0; t < frames; t++) {
    const base = t * V;
    let best = 0;
    let bestV = data[base]!;
    for (let v = 1; v < V; v++) {
      const x = data[base + v]!;
      if (x > bestV) {
        bestV = x;
        best = v;
      }
    }
    out[t] = best;
  }
  return out;
}

/** CTC collapse: merge repeats, then drop blanks. */
export function ctcCollapse(ids: ArrayLike<number>, blankId: number): number[] {
  const out: number[] = [];
  let prev = -1;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id !== prev && id !== blankId) out.push(id);
    prev = id;
  }
  return out;
}

/** The byte of a SentencePiece byte-fallback token `<0xNN>`, else undefined. */
export function byteFallbackValue(token: string): number | undefined {
  const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
  return m ? parseInt(m[1]!, 16) : undefined;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Token ids (already collapsed, blank removed) to text. BPE: pieces joined, `▁` starts a word. WordPiece:
 * tokens joined by spaces, `##` pieces glued to the previous one. Char: the word delimiter (' ' or '|')
 * becomes a space. Runs of byte-fallback tokens `<0xNN>` become their UTF-8 text (invalid sequences U+FFFD).
 * Special ids never print; runs of spaces are squeezed and the ends trimmed; lower-cased when the tokenizer
 * says so.
 */
export function tokensToText(ids: readonly number[], vocabulary: readonly string[], tokenizer: TokenizerInfo): string {
  const special = new Set(tokenizer.specialIds);
  let s = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length === 0) return;
    const text = utf8.decode(Uint8Array.from(bytes));
    s += tokenizer.kind === 'bpe' ? text.replace(/▁/g, ' ') : text;
    bytes = [];
  };
  for (const id of ids) {
    if (special.has(id)) continue;
    const tok = vocabulary[id] ?? '';
    const byte = byteFallbackValue(tok);
    if (byte !== undefined) {
      bytes.push(byte);
      continue;
    }
    flush();
    if (tokenizer.kind === 'bpe') s += tok.replace(/▁/g, ' ');
    else if (tokenizer.kind === 'wpe') s += tok.startsWith('##') ? tok.slice(2) : ` ${tok}`;
    else if (tok === (tokenizer.wordDelimiter ?? ' ')) s += ' ';
    else s += tok;
  }
  flush();
  s = s.replace(/\s+/g, ' ').trim();
  return tokenizer.lowerCase ? s.toLowerCase() : s;
}

/** Greedy CTC decoding: argmax per frame, collapse repeats, drop blank, detokenise. */
export function greedyDecode(lp: Logprobs, vocabulary: readonly string[], blankId: number, tokenizer: TokenizerInfo): string {
  return tokensToText(ctcCollapse(argmaxPerFrame(lp), blankId), vocabulary, tokenizer);
}
