import { describe, expect, it } from 'vitest';
import { buildAlphabet, greedyTranscript, tokensToText } from '../../src/decoding/alphabet.js';
import { CtcBeamSearchDecoder, decodeWithLm, prefixBeamSearch } from '../../src/decoding/prefix-beam-search.js';
import { readFileSync } from 'node:fs';
import { parseArpa } from '../../src/lm/index.js';
import { CAT_ARPA, TableLm, posteriors, spell } from '../helpers/decoding.js';
import { sharedAvailable, sharedPath } from '../helpers/shared.js';

const LN10 = Math.LN10;
const CHARS = ['-', ' ', 'a', 'c', 'd', 'e', 'h', 'k', 's', 't'];
const charAlphabet = buildAlphabet(CHARS, 0);

/** A bigram LM over the/cat/sat/sad/mat with <s> and </s>. */
function catLm(): TableLm {
  return new TableLm(
    {
      '<unk>': -3,
      '<s>': [0, -0.5],
      '</s>': -1.2,
      the: [-1, -0.3],
      cat: [-2, -0.3],
      sat: [-2, -0.2],
      sad: [-2, -0.2],
      at: -2.5,
    },
    { '<s> the': -0.3, 'the cat': -0.5, 'cat sat': -0.5, 'cat sad': -0.5, 'sat </s>': -0.1, 'sad </s>': -2.5 },
  );
}

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function randomPosteriors(frames: number, V: number, next: () => number, sharpness = 1): Float32Array {
  const out = new Float32Array(frames * V);
  for (let t = 0; t < frames; t++) {
    let z = 0;
    const row = new Float64Array(V);
    for (let k = 0; k < V; k++) {
      row[k] = Math.exp(sharpness * 4 * next());
      z += row[k];
    }
    for (let k = 0; k < V; k++) out[t * V + k] = Math.log(row[k] / z);
  }
  return out;
}

/** Each frame: one random token with probability 0.9–0.99, the rest spread evenly. */
function peakyPosteriors(frames: number, V: number, next: () => number): Float32Array {
  const out = new Float32Array(frames * V);
  for (let t = 0; t < frames; t++) {
    const k = Math.floor(next() * V);
    const p = 0.9 + 0.09 * next();
    for (let j = 0; j < V; j++) out[t * V + j] = Math.log(j === k ? p : (1 - p) / (V - 1));
  }
  return out;
}

const noPruning = { beamPruneLogp: -Infinity, tokenMinLogp: -Infinity };

describe('prefixBeamSearch without LM', () => {
  it('beam 1 is exactly the greedy transcript (random, non-peaky posteriors)', () => {
    const next = rng(7);
    for (let trial = 0; trial < 50; trial++) {
      const frames = 5 + Math.floor(next() * 30);
      const lp = randomPosteriors(frames, CHARS.length, next);
      const greedy = greedyTranscript(lp, frames, charAlphabet).text;
      const [best] = prefixBeamSearch(lp, frames, CHARS.length, charAlphabet, { beamWidth: 1 });
      expect(best.text).toBe(greedy);
    }
  });

  it('a large beam on peaky posteriors gives the greedy transcript', () => {
    const next = rng(11);
    for (let trial = 0; trial < 30; trial++) {
      const frames = 20 + Math.floor(next() * 40);
      const lp = peakyPosteriors(frames, CHARS.length, next);
      const greedy = greedyTranscript(lp, frames, charAlphabet).text;
      const [best] = prefixBeamSearch(lp, frames, CHARS.length, charAlphabet, { beamWidth: 64 });
      expect(best.text).toBe(greedy);
    }
  });

  it('acoustic scores are exact CTC prefix probabilities (brute force over all alignments)', () => {
    const vocab = ['-', 'a', 'b', ' '];
    const alphabet = buildAlphabet(vocab, 0);
    const V = vocab.length;
    const T = 5;
    const lp = randomPosteriors(T, V, rng(3));
    // Sum over all V^T paths, grouped by collapsed token sequence -> text.
    const byText = new Map<string, number>();
    const path = new Array<number>(T).fill(0);
    for (let code = 0; code < V ** T; code++) {
      let c = code;
      let logp = 0;
      for (let t = 0; t < T; t++) {
        path[t] = c % V;
        c = Math.floor(c / V);
        logp += lp[t * V + path[t]];
      }
      const ids: number[] = [];
      let prev = -1;
      for (const k of path) {
        if (k !== 0 && k !== prev) ids.push(k);
        prev = k;
      }
      const text = tokensToText(alphabet, ids);
      byText.set(text, (byText.get(text) ?? 0) + Math.exp(logp));
    }
    const beams = prefixBeamSearch(lp, T, V, alphabet, { beamWidth: 10_000, topN: 10_000, ...noPruning });
    expect(beams.length).toBe(byText.size);
    for (const b of beams) expect(b.acousticScore).toBeCloseTo(Math.log(byText.get(b.text) as number), 9);
    const total = beams.reduce((s, b) => s + Math.exp(b.acousticScore), 0);
    expect(total).toBeCloseTo(1, 6); // float32 posteriors
  });

  it('blank / repeat handling: "aa" needs a blank between the a frames', () => {
    const collapse = posteriors(CHARS, ['a', 'a', 'a']);
    expect(prefixBeamSearch(collapse, 3, CHARS.length, charAlphabet)[0].text).toBe('a');
    const twice = posteriors(CHARS, ['a', '-', 'a']);
    expect(prefixBeamSearch(twice, 3, CHARS.length, charAlphabet)[0].text).toBe('aa');
    // Three frames: "a" (a a a, a - a... no: a - - etc.) and "aa" (only a - a) both have mass.
    const lp3 = posteriors(CHARS, ['a', { '-': 0.3, a: 0.65 }, 'a']);
    const beams = prefixBeamSearch(lp3, 3, CHARS.length, charAlphabet, { topN: 100, ...noPruning });
    const a = beams.find((b) => b.text === 'a');
    const aa = beams.find((b) => b.text === 'aa');
    expect(a).toBeDefined();
    expect(aa).toBeDefined();
    // P(aa) = P(a)·P(-)·P(a) on frames 0..2 exactly; P(a) = the 'a a a' path plus paths with the other tokens.
    const V = CHARS.length;
    const p = (t: number, k: number): number => Math.exp(lp3[t * V + k]);
    expect(Math.exp(aa!.acousticScore)).toBeCloseTo(p(0, 2) * p(1, 0) * p(2, 2), 6);
    expect(Math.exp(a!.acousticScore)).toBeGreaterThan(p(0, 2) * p(1, 2) * p(2, 2));
  });

  it('repeated and leading/trailing delimiters give single spaces', () => {
    const frames = [' ', '-', ' ', 'a', ' ', '-', ' ', '-', 't', ' ', ' '];
    const lp = posteriors(CHARS, frames);
    expect(prefixBeamSearch(lp, frames.length, CHARS.length, charAlphabet)[0].text).toBe('a t');
  });

  it('token pruning: tokens below tokenMinLogp are not extended, the argmax always is', () => {
    const frames = [{ c: 0.6, k: 0.3 }, '-', 'a', '-', 't'];
    const lp = posteriors(CHARS, frames);
    const all = prefixBeamSearch(lp, frames.length, CHARS.length, charAlphabet, { topN: 50 });
    expect(all.map((b) => b.text)).toContain('kat');
    const pruned = prefixBeamSearch(lp, frames.length, CHARS.length, charAlphabet, { topN: 50, tokenMinLogp: -1 });
    expect(pruned.map((b) => b.text)).not.toContain('kat');
    expect(pruned[0].text).toBe('cat');
    // Even a threshold above every token keeps the argmax path.
    const argmaxOnly = prefixBeamSearch(lp, frames.length, CHARS.length, charAlphabet, { tokenMinLogp: 0 });
    expect(argmaxOnly[0].text).toBe('cat');
  });

  it('beam pruning: beamWidth bounds the beams, beamPruneLogp drops weak ones', () => {
    const lp = peakyPosteriors(30, CHARS.length, rng(5));
    const wide = prefixBeamSearch(lp, 30, CHARS.length, charAlphabet, { beamWidth: 16, topN: 100, beamPruneLogp: -1000 });
    expect(wide.length).toBeLessThanOrEqual(16);
    expect(wide.length).toBeGreaterThan(8);
    const narrow = prefixBeamSearch(lp, 30, CHARS.length, charAlphabet, { beamWidth: 16, topN: 100, beamPruneLogp: -3 });
    expect(narrow.length).toBeLessThan(wide.length);
    for (const b of narrow) expect(b.score).toBeGreaterThanOrEqual(narrow[0].score - 3);
    for (let i = 1; i < wide.length; i++) expect(wide[i].score).toBeLessThanOrEqual(wide[i - 1].score);
  });

  it('node compaction on long inputs does not change the result', () => {
    const lp = randomPosteriors(400, CHARS.length, rng(9), 2);
    const d1 = new CtcBeamSearchDecoder(charAlphabet, null);
    const d2 = new CtcBeamSearchDecoder(charAlphabet, null);
    d2.maxNodes = 500;
    const r1 = d1.decode(lp, 400, { beamWidth: 20, topN: 5 });
    const r2 = d2.decode(lp, 400, { beamWidth: 20, topN: 5 });
    expect(r2).toEqual(r1);
  });

  it('zero frames gives the empty transcript', () => {
    const r = prefixBeamSearch(new Float32Array(0), 0, CHARS.length, charAlphabet, { lm: catLm() });
    expect(r[0].text).toBe('');
    expect(r[0].lmLog10).toBeCloseTo(-1.2 - 0.5, 9); // </s> after <s>: unigram -1.2 + backoff(<s>) -0.5
  });

  it('rejects mismatched sizes and bad options', () => {
    const lp = posteriors(CHARS, ['a']);
    expect(() => prefixBeamSearch(lp, 1, 5, charAlphabet)).toThrow(/vocabSize/);
    expect(() => prefixBeamSearch(lp, 2, CHARS.length, charAlphabet)).toThrow(/expected 2/);
    expect(() => prefixBeamSearch(lp, 1, CHARS.length, charAlphabet, { beamWidth: 0 })).toThrow(/beamWidth/);
  });
});

describe('prefixBeamSearch with a word LM', () => {
  const ambiguous = [...spell('the '), { c: 0.4, k: 0.55 }, '-', ...spell('at sat')];
  const lp = posteriors(CHARS, ambiguous);

  it('the LM flips an acoustically ambiguous word: "the kat sat" -> "the cat sat"', () => {
    expect(prefixBeamSearch(lp, ambiguous.length, CHARS.length, charAlphabet)[0].text).toBe('the kat sat');
    const lm = catLm();
    const beams = prefixBeamSearch(lp, ambiguous.length, CHARS.length, charAlphabet, { lm, topN: 5 });
    expect(beams[0].text).toBe('the cat sat');
    // Scores: the(-0.3) cat(-0.5) sat(-0.5) </s>(-0.1) = -1.4 log10; 3 words × beta 1.5.
    expect(beams[0].lmLog10).toBeCloseTo(-1.4, 6);
    expect(beams[0].lmScore).toBeCloseTo(0.5 * LN10 * -1.4 + 3 * 1.5, 6);
    expect(beams[0].score).toBeCloseTo(beams[0].acousticScore + beams[0].lmScore, 9);
    // alpha = beta = 0: the LM has no say.
    expect(prefixBeamSearch(lp, ambiguous.length, CHARS.length, charAlphabet, { lm, alpha: 0, beta: 0 })[0].text).toBe('the kat sat');
  });

  it('OOV words get unkScoreOffset (log10) on top of the <unk> probability', () => {
    const lm = catLm();
    const frames = spell('kat');
    const r = prefixBeamSearch(posteriors(CHARS, frames), frames.length, CHARS.length, charAlphabet, { lm, beamWidth: 4 });
    const kat = r.find((b) => b.text === 'kat')!;
    // <s> kat: p(<unk>) = backoff(<s>) -0.5 + unigram -3; then </s> after <unk>: unigram -1.2.
    expect(kat.lmLog10).toBeCloseTo(-0.5 - 3 - 1.2, 6);
    expect(kat.lmScore).toBeCloseTo(0.5 * LN10 * (-3.5 - 10 - 1.2) + 1.5, 6);
    const milder = prefixBeamSearch(posteriors(CHARS, frames), frames.length, CHARS.length, charAlphabet, { lm, beamWidth: 4, unkScoreOffset: -1 });
    expect(milder.find((b) => b.text === 'kat')!.lmScore).toBeCloseTo(0.5 * LN10 * (-3.5 - 1 - 1.2) + 1.5, 6);
  });

  it('partial words that are not a prefix of any LM word are penalised', () => {
    // "ca" (prefix of cat) vs "ka" (no LM word starts with k), no word completes: only the partial score differs.
    const frames = [{ c: 0.45, k: 0.5 }, '-', 'a'];
    const lm = catLm();
    const dec = new CtcBeamSearchDecoder(charAlphabet, lm);
    // Beam 1: at the first frame "k" (OOV partial, −10) loses to "c" (prefix of "cat").
    const r = dec.decode(posteriors(CHARS, [...frames, '-', 't']), frames.length + 2, { alpha: 0, beta: 0, beamWidth: 1 });
    expect(r[0].text).toBe('cat');
    const withoutLm = prefixBeamSearch(posteriors(CHARS, [...frames, '-', 't']), frames.length + 2, CHARS.length, charAlphabet, { beamWidth: 1 });
    expect(withoutLm[0].text).toBe('kat');
  });

  it('OOV partial words are penalised, × len/6 beyond 6 characters (pruned at the last frame)', () => {
    // alpha = beta = 0: completed words score alike, only the per-frame partial-word score matters. The x-path
    // (acoustically better by ln 2) is pruned at the last frame when its partial penalty exceeds 10 − ln 2.
    const lm = new TableLm({ '<unk>': -3, '<s>': 0, '</s>': -1, ah: -1, abcdefgh: -1 });
    const vocab = ['-', ' ', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'x'];
    const alphabet = buildAlphabet(vocab, 0);
    const run = (word: string, partialOovPenalty: number): string => {
      const frames = [...spell(word), { h: 0.3, x: 0.6 }];
      const lp = posteriors(vocab, frames);
      return prefixBeamSearch(lp, frames.length, vocab.length, alphabet, { lm, alpha: 0, beta: 0, partialOovPenalty })[0].text;
    };
    expect(run('a', -9)).toBe('ax'); // "ax": −9 + ln 2 > −10 → kept, wins on acoustics at the end
    expect(run('abcdefg', -9)).toBe('abcdefgh'); // "abcdefgx": −9 × 8/6 = −12 → pruned
    expect(run('abcdefg', 0)).toBe('abcdefgx');
    expect(run('a', -11)).toBe('ah');
  });

  it('end-of-sentence scoring decides between "sat" and "sad"', () => {
    const frames = [...spell('the cat sa'), { d: 0.55, t: 0.4 }];
    const lpx = posteriors(CHARS, frames);
    const lm = catLm();
    const withEos = prefixBeamSearch(lpx, frames.length, CHARS.length, charAlphabet, { lm, topN: 5 });
    expect(withEos[0].text).toBe('the cat sat');
    const noEos = prefixBeamSearch(lpx, frames.length, CHARS.length, charAlphabet, { lm, topN: 5, scoreBoundary: false });
    expect(noEos[0].text).toBe('the cat sad');
  });

  it('hotwords boost a word (with and without LM)', () => {
    const frames = [...spell('the '), { c: 0.55, k: 0.4 }, '-', ...spell('at')];
    const lpx = posteriors(CHARS, frames);
    expect(prefixBeamSearch(lpx, frames.length, CHARS.length, charAlphabet)[0].text).toBe('the cat');
    expect(prefixBeamSearch(lpx, frames.length, CHARS.length, charAlphabet, { hotwords: ['kat'] })[0].text).toBe('the kat');
    const lm = catLm();
    expect(prefixBeamSearch(lpx, frames.length, CHARS.length, charAlphabet, { lm })[0].text).toBe('the cat');
    const hot = prefixBeamSearch(lpx, frames.length, CHARS.length, charAlphabet, { lm, hotwords: ['kat'], hotwordWeight: 20 });
    expect(hot[0].text).toBe('the kat');
    // Phrases are split into words, each a hotword.
    expect(prefixBeamSearch(lpx, frames.length, CHARS.length, charAlphabet, { hotwords: ['the kat'] })[0].text).toBe('the kat');
    // Weight 0 is no boost.
    expect(prefixBeamSearch(lpx, frames.length, CHARS.length, charAlphabet, { hotwords: ['kat'], hotwordWeight: 0 })[0].text).toBe('the cat');
  });

  it('caches LM scores across frames and calls', () => {
    const lm = catLm();
    prefixBeamSearch(lp, ambiguous.length, CHARS.length, charAlphabet, { lm });
    const first = lm.calls;
    expect(first).toBeGreaterThan(0);
    prefixBeamSearch(lp, ambiguous.length, CHARS.length, charAlphabet, { lm, alpha: 0.8 });
    expect(lm.calls).toBe(first);
  });
});

describe('BPE vocabularies', () => {
  const vocab = ['<unk>', '▁the', '▁c', '▁k', 'at', '▁s', '▁', 'a', 't', '<blank>'];
  const alphabet = buildAlphabet(vocab, 9);
  const frames = ['▁the', '<blank>', { '▁c': 0.4, '▁k': 0.55 }, 'at', '<blank>', '▁s', 'at', '<blank>'];
  const lp = posteriors(vocab, frames);

  it('word starts come from ▁; the LM flips the ambiguous word', () => {
    expect(prefixBeamSearch(lp, frames.length, vocab.length, alphabet)[0].text).toBe('the kat sat');
    const beams = prefixBeamSearch(lp, frames.length, vocab.length, alphabet, { lm: catLm() });
    expect(beams[0].text).toBe('the cat sat');
    expect(beams[0].words).toBe(3);
    expect(beams[0].lmLog10).toBeCloseTo(-1.4, 6);
  });

  it('beam 1 is greedy; a lone ▁ is a boundary', () => {
    const f2 = ['▁', '▁the', '▁', '<blank>', '▁', '▁c', 'at'];
    const lp2 = posteriors(vocab, f2);
    expect(prefixBeamSearch(lp2, f2.length, vocab.length, alphabet, { beamWidth: 1 })[0].text).toBe('the cat');
    expect(prefixBeamSearch(lp2, f2.length, vocab.length, alphabet, { lm: catLm() })[0].text).toBe('the cat');
  });

  it('beams with the same text from different tokenisations are merged at the end', () => {
    // "▁c at" vs "▁c a t": both spell "cat".
    const f3 = ['▁c', { at: 0.5, a: 0.45 }, { '<blank>': 0.5, t: 0.45 }];
    const lp3 = posteriors(vocab, f3);
    const beams = prefixBeamSearch(lp3, f3.length, vocab.length, alphabet, { topN: 50, ...noPruning, beamWidth: 1000 });
    const texts = beams.map((b) => b.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts[0]).toBe('cat');
  });
});

describe('BPE: the LM chooses between segmentations of the same acoustics', () => {
  // One stretch of audio that is "▁the" then a piece that is "▁re" (a new word) or "re" (continuing "the") with equal
  // probability: "the re…" vs "there…". Only the LM can decide.
  const vocab = ['<unk>', '▁the', '▁re', 're', '▁there', '▁is', '▁ad', 'ad', '<blk>'];
  const alphabet = buildAlphabet(vocab, 8);
  const frames = ['▁the', '▁the', '<blk>', { '▁re': 0.47, re: 0.47 }, '<blk>', '▁is', '<blk>'];
  const lp = posteriors(vocab, frames);
  const F = frames.length;

  it('"there is" when the LM knows "there is"', () => {
    const lm = new TableLm(
      { '<unk>': -4, '<s>': [0, -0.5], '</s>': -1, the: [-1.2, -0.3], re: [-4, -0.3], there: [-2, -0.3], is: [-1.5, -0.3] },
      { '<s> there': -0.8, 'there is': -0.2, 'is </s>': -0.3 },
    );
    for (const beamWidth of [2, 16, 100]) {
      const [best] = prefixBeamSearch(lp, F, vocab.length, alphabet, { lm, beamWidth });
      expect(best.text).toBe('there is');
      expect(best.words).toBe(2);
    }
  });

  it('"the re is" when the LM prefers it, with the same posteriors', () => {
    const lm = new TableLm(
      { '<unk>': -4, '<s>': [0, -0.5], '</s>': -1, the: [-1.2, -0.3], re: [-2, -0.3], there: [-4, -0.3], is: [-1.5, -0.3] },
      { '<s> the': -0.2, 'the re': -0.2, 're is': -0.2, 'is </s>': -0.3 },
    );
    for (const beamWidth of [2, 16, 100]) {
      const [best] = prefixBeamSearch(lp, F, vocab.length, alphabet, { lm, beamWidth });
      expect(best.text).toBe('the re is');
      expect(best.words).toBe(3);
    }
  });

  it('the whole-word piece ▁there and ▁the+re spell the same word, scored once, their probabilities summed', () => {
    const f2 = [{ '▁the': 0.5, '▁there': 0.45 }, { re: 0.5, '<blk>': 0.45 }, '<blk>'];
    const lp2 = posteriors(vocab, f2);
    const lm = new TableLm({ '<unk>': -4, '<s>': [0, -0.5], '</s>': -1, the: -1, there: -1 });
    const beams = prefixBeamSearch(lp2, f2.length, vocab.length, alphabet, { lm, topN: 10, ...noPruning });
    const there = beams.find((b) => b.text === 'there');
    expect(there).toBeDefined();
    expect(there?.words).toBe(1);
    expect(there?.lmLog10).toBeCloseTo(-0.5 + -1 + -1, 9); // backoff(<s>) + there, then </s>: once each
    // CTC probability of "there": every path over the three frames whose collapsed tokens spell it (▁the re, ▁there).
    const V = vocab.length;
    let sum = 0;
    for (let code = 0; code < V ** 3; code++) {
      const path = [code % V, Math.floor(code / V) % V, Math.floor(code / V ** 2)];
      const ids = path.filter((k, t) => k !== 8 && (t === 0 || k !== path[t - 1]));
      if (tokensToText(alphabet, ids) === 'there') sum += Math.exp(path.reduce((acc, k, t) => acc + lp2[t * V + k], 0));
    }
    expect(there?.acousticScore).toBeCloseTo(Math.log(sum), 6);
  });

  it('pruneHistory (default for topN 1) keeps the best of beams the LM can no longer tell apart', () => {
    // "the re is ad" and "there is ad": once "is" is complete, a bigram LM sees the same state for both.
    const f2 = [...frames, '▁ad', '<blk>'];
    const lp2 = posteriors(vocab, f2);
    const lm = new TableLm({ '<unk>': -4, '<s>': [0, -0.5], '</s>': -1, the: [-1.2, -0.3], re: [-2, -0.3], there: [-2, -0.3], is: [-1.5, -0.3], ad: -2 });
    const endInIsAd = (beams: Array<{ text: string }>): string[] => beams.map((b) => b.text).filter((x) => x.endsWith(' is ad'));
    const all = prefixBeamSearch(lp2, f2.length, vocab.length, alphabet, { lm, topN: 10, pruneHistory: false });
    expect(endInIsAd(all)).toEqual(expect.arrayContaining(['the re is ad', 'there is ad']));
    const pruned = prefixBeamSearch(lp2, f2.length, vocab.length, alphabet, { lm, topN: 10, pruneHistory: true });
    expect(endInIsAd(pruned)).toEqual([all[0].text]);
    expect(prefixBeamSearch(lp2, f2.length, vocab.length, alphabet, { lm, topN: 1 })[0].text).toBe(all[0].text);
  });
});

describe('BPE: greedy == beam 1 without LM (demo en vocabulary)', () => {
  const vocabulary = (JSON.parse(readFileSync(new URL('../../models/en/model_config.json', import.meta.url), 'utf8')) as { vocabulary: string[] }).vocabulary;
  const blank = vocabulary.length - 1;
  const alphabet = buildAlphabet(vocabulary, blank);
  const V = vocabulary.length;

  it('random posteriors: beam 1 is the greedy transcript', () => {
    const next = rng(19);
    for (let trial = 0; trial < 50; trial++) {
      const frames = 5 + Math.floor(next() * 60);
      const lp = randomPosteriors(frames, V, next, 1.5);
      const [best] = prefixBeamSearch(lp, frames, V, alphabet, { beamWidth: 1 });
      expect(best.text).toBe(greedyTranscript(lp, frames, alphabet).text);
    }
  });

  it('random piece sequences on peaky posteriors: the search (beam 1 and 16) spells exactly the greedy text', () => {
    const next = rng(23);
    for (let trial = 0; trial < 40; trial++) {
      const frames: string[] = [];
      let prev = -1;
      for (let i = 0; i < 4 + Math.floor(next() * 20); i++) {
        const k = Math.floor(next() * (V - 1));
        if (k === prev || next() < 0.4) frames.push(vocabulary[blank]);
        frames.push(vocabulary[k]);
        prev = k;
      }
      const lp = posteriors(vocabulary, frames, 0.9);
      const greedy = greedyTranscript(lp, frames.length, alphabet).text;
      // A hotword whose characters no token has: the full search runs, with no bonus anywhere.
      for (const beamWidth of [1, 16]) {
        const [best] = prefixBeamSearch(lp, frames.length, V, alphabet, { beamWidth, hotwords: ['ñ'] });
        expect(best.text).toBe(greedy);
      }
    }
  });
});

describe('decodeWithLm', () => {
  it('decodes a Logprobs-like object with and without an LM', () => {
    const frames = [...spell('the '), { c: 0.4, k: 0.55 }, '-', ...spell('at sat')];
    const data = posteriors(CHARS, frames);
    const lp = { data, frames: frames.length, vocabSize: CHARS.length };
    expect(decodeWithLm(lp, CHARS, 0, null)).toBe('the kat sat');
    expect(decodeWithLm(lp, CHARS, 0, catLm(), { beamWidth: 32 })).toBe('the cat sat');
    expect(() => decodeWithLm({ ...lp, vocabSize: 3 }, CHARS, 0, null)).toThrow(/vocabulary/);
  });

  it('lowerCase maps an upper-case vocabulary onto a lower-case LM', () => {
    const upper = ['<pad>', '|', 'A', 'C', 'E', 'H', 'K', 'S', 'T'];
    const frames = [...spell('THE ', '|', '<pad>'), { C: 0.4, K: 0.55 }, '<pad>', ...spell('AT SAT', '|', '<pad>')];
    const data = posteriors(upper, frames);
    const lp = { data, frames: frames.length, vocabSize: upper.length };
    expect(decodeWithLm(lp, upper, 0, null)).toBe('THE KAT SAT');
    expect(decodeWithLm(lp, upper, 0, catLm(), { lowerCase: true })).toBe('the cat sat');
  });
});

describe('with a real ARPA model (src/lm)', () => {
  it("hand-written ARPA: flips the ambiguous word; LM totals equal the model's sentence scores", () => {
    const lm = parseArpa(CAT_ARPA);
    const frames = [...spell('the '), { c: 0.4, k: 0.55 }, '-', ...spell('at sat')];
    const lp = posteriors(CHARS, frames);
    const beams = prefixBeamSearch(lp, frames.length, CHARS.length, charAlphabet, { lm, topN: 10 });
    expect(beams[0].text).toBe('the cat sat');
    for (const b of beams) {
      // lmLog10 is the plain KenLM sentence score (<s> … </s>, OOVs as <unk>), without the unk offset.
      expect(b.lmLog10).toBeCloseTo(lm.scoreSentence(b.text.split(' ')).total, 5);
      const oovs = b.text.split(' ').filter((w) => !lm.hasWord(w)).length;
      expect(b.lmScore).toBeCloseTo(0.5 * LN10 * (b.lmLog10 - 10 * oovs) + 1.5 * b.words, 4);
    }
  });

  it('scores through the allocation-free path (wordId + scoreId), never scoreWord', () => {
    const lm = parseArpa(CAT_ARPA);
    const strict = Object.create(lm) as typeof lm;
    strict.scoreWord = () => {
      throw new Error('scoreWord called');
    };
    const frames = [...spell('the '), { c: 0.4, k: 0.55 }, '-', ...spell('at sat')];
    const lp = posteriors(CHARS, frames);
    const viaFast = prefixBeamSearch(lp, frames.length, CHARS.length, charAlphabet, { lm: strict, topN: 10 });
    expect(viaFast[0].text).toBe('the cat sat');
    expect(viaFast.map((b) => b.lmLog10)).toEqual(prefixBeamSearch(lp, frames.length, CHARS.length, charAlphabet, { lm, topN: 10 }).map((b) => b.lmLog10));
  });

  describe.skipIf(!sharedAvailable)('golden en.3.arpa', () => {
    const lm = sharedAvailable ? parseArpa(readFileSync(sharedPath('golden', 'kenlm', 'en.3.arpa'), 'utf8')) : null;
    const golden = sharedAvailable
      ? readFileSync(sharedPath('golden', 'kenlm', 'en.3.test.sentence_log10.tsv'), 'utf8')
          .split('\n')
          .filter((l) => l.includes('\t'))
          .slice(0, 40)
          .map((l) => {
            const [score, text] = l.split('\t');
            return { score: Number(score), text };
          })
      : [];
    const vocab = ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];
    const alphabet = buildAlphabet(vocab, 0);

    it('repairs confused letters in golden test sentences; LM totals match KenLM within 1e-4', () => {
      const next = rng(2024);
      const letters = 'abcdefghijklmnopqrstuvwxyz';
      let greedyWrong = 0;
      let lmWrong = 0;
      for (const { score, text } of golden) {
        // Every 6th letter is acoustically confused with a random other letter (which wins greedy decoding).
        const frames: Array<string | Record<string, number>> = [];
        let i = 0;
        for (const ch of text) {
          const c = ch === ' ' ? ' ' : ch;
          if (c !== ' ' && /[a-z]/.test(c) && i++ % 6 === 5) {
            let other = c;
            while (other === c) other = letters[Math.floor(next() * 26)];
            frames.push({ [c]: 0.3, [other]: 0.65 });
          } else frames.push(c);
          frames.push('<blank>');
        }
        const lp = posteriors(vocab, frames);
        const greedy = greedyTranscript(lp, frames.length, alphabet).text;
        const [best] = prefixBeamSearch(lp, frames.length, vocab.length, alphabet, { lm: lm!, beamWidth: 64 });
        if (greedy !== text) greedyWrong++;
        if (best.text !== text) lmWrong++;
        // The decoder's LM accounting is KenLM's: for the reference text, its lmLog10 is the golden sentence score.
        if (best.text === text) expect(best.lmLog10).toBeCloseTo(score, 4);
      }
      expect(greedyWrong).toBeGreaterThan(golden.length * 0.8);
      expect(lmWrong).toBeLessThan(golden.length * 0.25);
    });
  });
});
