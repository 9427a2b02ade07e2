/** Shared helpers for the decoder tests: constructed posteriors and a tiny table LM. */
import type { LanguageModelScorer } from '../../src/lm/types.js';

/**
 * Row-major natural-log posteriors from a frame script: each frame is a token (probability `peak`, the rest spread
 * evenly) or a {token: probability} map (the remainder spread over the other tokens). `blank` names the blank token.
 */
export function posteriors(vocab: readonly string[], frames: ReadonlyArray<string | Record<string, number>>, peak = 0.95): Float32Array {
  const V = vocab.length;
  const out = new Float32Array(frames.length * V);
  frames.forEach((f, t) => {
    const probs = new Float64Array(V);
    const spec: Record<string, number> = typeof f === 'string' ? { [f]: peak } : f;
    let used = 0;
    const set = new Set<number>();
    for (const [tok, p] of Object.entries(spec)) {
      const k = vocab.indexOf(tok);
      if (k < 0) throw new Error(`token ${JSON.stringify(tok)} not in vocabulary`);
      probs[k] = p;
      used += p;
      set.add(k);
    }
    const rest = Math.max(1e-9, 1 - used) / Math.max(1, V - set.size);
    for (let k = 0; k < V; k++) if (!set.has(k)) probs[k] = rest;
    for (let k = 0; k < V; k++) out[t * V + k] = Math.log(probs[k]);
  });
  return out;
}

/** Frames spelling `text` (char vocabulary), a blank between every two characters. */
export function spell(text: string, delimiter = ' ', blank = '-'): string[] {
  const frames: string[] = [];
  for (const ch of text) frames.push(ch === ' ' ? delimiter : ch, blank);
  return frames;
}

/**
 * A bigram LM from explicit log10 tables: unigrams (with backoffs) and bigrams; `<s>`, `</s>`, `<unk>` must be in
 * the unigrams. States are word ids (the last word). OOV words score as `<unk>`.
 */
export class TableLm implements LanguageModelScorer {
  readonly order = 2;
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly uni: number[] = [];
  private readonly bo: number[] = [];
  private readonly bi = new Map<string, number>();
  calls = 0;
  constructor(unigrams: Record<string, number | [number, number]>, bigrams: Record<string, number> = {}) {
    for (const [w, v] of Object.entries(unigrams)) {
      this.ids.set(w, this.names.length);
      this.names.push(w);
      this.uni.push(Array.isArray(v) ? v[0] : v);
      this.bo.push(Array.isArray(v) ? v[1] : 0);
    }
    for (const [k, v] of Object.entries(bigrams)) this.bi.set(k, v);
  }
  beginSentenceState(): number {
    return this.ids.get('<s>') as number;
  }
  nullContextState(): number {
    return -1;
  }
  private score(state: number, w: number): number {
    if (state >= 0) {
      const b = this.bi.get(`${this.names[state]} ${this.names[w]}`);
      if (b !== undefined) return b;
      return this.bo[state] + this.uni[w];
    }
    return this.uni[w];
  }
  scoreWord(state: number, word: string): { log10: number; state: number; oov: boolean } {
    this.calls++;
    const id = this.ids.get(word);
    const oov = id === undefined || word === '<unk>';
    const w = id ?? (this.ids.get('<unk>') as number);
    return { log10: this.score(state, w), state: w, oov };
  }
  scoreEndOfSentence(state: number): number {
    return this.score(state, this.ids.get('</s>') as number);
  }
  hasWord(word: string): boolean {
    return this.ids.has(word) && word !== '<unk>';
  }
  *words(): Iterable<string> {
    yield* this.names;
  }
}

/** A small hand-written bigram ARPA (log10) over the/cat/sat. */
export const CAT_ARPA = `\\data\\
ngram 1=7
ngram 2=5

\\1-grams:
-3\t<unk>\t0
0\t<s>\t-0.5
-1.2\t</s>\t0
-1\tthe\t-0.3
-2\tcat\t-0.3
-2\tsat\t-0.2
-2.5\tat\t0

\\2-grams:
-0.3\t<s> the
-0.5\tthe cat
-0.5\tcat sat
-0.1\tsat </s>
-0.9\tthe sat

\\end\\
`;
