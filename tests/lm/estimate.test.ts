import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedAvailable, sharedPath } from '../helpers/shared.js';
import { buildFromCorpus, estimate, log10f, parsePruneThresholds } from '../../src/lm/estimate.js';
import { NgramCounter } from '../../src/lm/count.js';
import { formatFloat32, putFloat32, writeArpa } from '../../src/lm/arpa-write.js';
import { loadLanguageModel } from '../../src/lm/index.js';
import { UserError } from '../../src/util/errors.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'lm-est-'));

function readArpaEntries(text: string): Map<string, [number, number | undefined]> {
  const m = new Map<string, [number, number | undefined]>();
  for (const l of text.split('\n')) {
    const parts = l.split('\t');
    if (parts.length < 2) continue;
    m.set(parts[1], [Number(parts[0]), parts[2] === undefined ? undefined : Number(parts[2])]);
  }
  return m;
}

describe('modified Kneser-Ney estimation (lmplz rules) on a hand-checked toy corpus', () => {
  /*
   * Corpus "a b" / "a b" / "b", order 2. Padded: <s> a b </s> ×2, <s> b </s>.
   * Bigrams (highest order: adjusted = raw): <s> a:2, a b:2, b </s>:3, <s> b:1
   *   counts of counts n1=1 (<s> b), n2=2, n3=1, n4=0 → Y = 1/(1+2·2) = 0.2
   *   D1 = 1 − 2·0.2·2/1 = 0.2;  D2 = 2 − 3·0.2·1/2 = 1.7;  D3+ = 3 − 4·0.2·0/1 = 3
   * Unigrams (continuation counts = distinct left words): a:{<s>}=1, b:{<s>,a}=2, </s>:{b}=1, <s>:0, <unk>:0
   *   n1=2, n2=1, n3=0 → lmplz fails ("didn't observe any 1-grams with adjusted count 3"); with
   *   --discount-fallback the order-1 discounts are 0.5 1 1.5.
   *   Σa = 4, γ(∅) = (0.5·2 + 1·1)/4 = 0.5, |V| = 4 (<unk> </s> a b; not <s>)
   *   p(a) = (1−0.5)/4 + 0.5/4 = 0.25;  p(b) = (2−1)/4 + 0.125 = 0.375;  p(</s>) = 0.25;  p(<unk>) = 0.125
   * Bigrams: context <s>: Σa = 3, N1=1, N2=1 → γ(<s>) = (0.2 + 1.7)/3 = 0.6333…
   *   p(a|<s>) = (2−1.7)/3 + γ·0.25 = 0.2583333;  p(b|<s>) = (1−0.2)/3 + γ·0.375 = 0.5041667
   *   context a: Σa = 2, N2=1 → γ(a) = 1.7/2 = 0.85;  p(b|a) = (2−1.7)/2 + 0.85·0.375 = 0.46875
   *   context b: Σa = 3, N3+=1 → γ(b) = 3/3 = 1;  p(</s>|b) = (3−3)/3 + 1·0.25 = 0.25
   */
  const counter = () => {
    const c = new NgramCounter(2);
    for (const s of ['a b', 'a b', 'b']) c.addSentence(s);
    return c;
  };

  it('gives word ids <unk> <s> </s> then in order of first appearance (words and the vocab map)', () => {
    const c = counter();
    expect(c.words).toEqual(['<unk>', '<s>', '</s>', 'a', 'b']);
    expect([...c.vocab]).toEqual(c.words.map((w, i) => [w, i]));
  });

  it('fails without a discount fallback, like lmplz', () => {
    expect(() => estimate(counter(), { order: 2 })).toThrow(UserError);
    expect(() => estimate(counter(), { order: 2 })).toThrow(/1-grams with adjusted count 3.*--discount-fallback/s);
  });

  it('counts, discounts and probabilities match the hand computation', async () => {
    const warnings: string[] = [];
    const r = estimate(counter(), { order: 2, discountFallback: [0.5, 1, 1.5], onWarning: (m) => warnings.push(m) });
    expect(r.vocabulary).toEqual(['<unk>', '<s>', '</s>', 'a', 'b']);
    expect(r.counts).toEqual([5, 4]);
    expect(r.discounts[0]).toMatchObject({ d: [0.5, 1, 1.5], n: [2, 1, 0, 0], fallback: true });
    expect(r.discounts[1].n).toEqual([1, 2, 1, 0]);
    expect(r.discounts[1].fallback).toBe(false);
    r.discounts[1].d.forEach((d, i) => expect(d).toBeCloseTo([0.2, 1.7, 3][i], 6));
    expect(warnings.length).toBe(1);
    const dir = tmp();
    await writeArpa(r.model, path.join(dir, 'toy.arpa'));
    const text = readFileSync(path.join(dir, 'toy.arpa'), 'utf8');
    const e = readArpaEntries(text);
    const lg = Math.log10;
    const expected: Array<[string, number, number | undefined]> = [
      ['<unk>', lg(0.125), 0],
      ['<s>', 0, lg(1.9 / 3)],
      ['</s>', lg(0.25), 0],
      ['a', lg(0.25), lg(0.85)],
      ['b', lg(0.375), lg(1)],
      ['<s> a', lg(0.2583333), undefined],
      ['<s> b', lg(0.5041667), undefined],
      ['a b', lg(0.46875), undefined],
      ['b </s>', lg(0.25), undefined],
    ];
    expect(e.size).toBe(expected.length);
    for (const [ngram, p, b] of expected) {
      expect(e.get(ngram)![0]).toBeCloseTo(p, 5);
      if (b === undefined) expect(e.get(ngram)![1]).toBeUndefined();
      else expect(e.get(ngram)![1]).toBeCloseTo(b, 5);
    }
    // and the written file loads under KenLM's rules
    const m = await loadLanguageModel(path.join(dir, 'toy.arpa'));
    expect(m.scoreSentence(['a', 'b']).total).toBeCloseTo(lg(0.2583333) + lg(0.46875) + lg(0.25), 5);
  });

  it('splits words and lines as lmplz: NUL, tab, CR and space delimit words, only LF ends a line (\\v, \\f are word characters)', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'ws.txt'), 'a\vb c\rd e\na b\0c d\n\fa b\r\nc d e');
    const r = await buildFromCorpus(path.join(dir, 'ws.txt'), { order: 2, discountFallback: [0.5, 1, 1.5] });
    expect(r.counter.sentences).toBe(4);
    expect(r.vocabulary).toEqual(['<unk>', '<s>', '</s>', 'a\vb', 'c', 'd', 'e', 'a', 'b', '\fa']);
  });

  it('rejects <s> in the corpus and bad orders', async () => {
    expect(() => new NgramCounter(3).addSentence('a <s> b')).toThrow(/special word <s>/);
    const dir = tmp();
    writeFileSync(path.join(dir, 'c.txt'), 'a b\n');
    await expect(buildFromCorpus(path.join(dir, 'c.txt'), { order: 7 })).rejects.toThrow(/--order/);
  });

  it('prints floats as lmplz (shortest float32) and computes log10 as glibc log10f', () => {
    expect(formatFloat32(Math.fround(-0.30103))).toBe('-0.30103');
    expect(formatFloat32(Math.fround(-1.1484567))).toBe('-1.1484567');
    expect(formatFloat32(0)).toBe('0');
    for (const x of [0.5, 0.25, 1e-5, 0.2905575]) expect(Math.abs(log10f(Math.fround(x)) - Math.log10(x))).toBeLessThan(1e-6);
  });

  it('putFloat32 (the ARPA writer\'s byte formatter) writes exactly formatFloat32\'s characters', () => {
    const values: number[] = [0, -0, Infinity, -Infinity, NaN, -99, -100, 10, 9.999999, -1e-13, -1e-14, 1e-6, 1e-7, 123456789, 1.5e21, 3e38, 1e-45, -0.30103, -1.1484567];
    for (let i = -45; i <= 38; i++) values.push(Math.fround(10 ** i), Math.fround(-(10 ** i)), Math.fround(2 ** (i / 2)));
    for (let i = 1; i <= 20000; i++) values.push(Math.fround(-i / 1000), Math.fround(-i / 7));
    // random bit patterns over every exponent, and random log-probability-like values
    const bits = new Uint32Array(1);
    const f32 = new Float32Array(bits.buffer);
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 100000; i++) {
      bits[0] = rnd() ^ (rnd() << 16);
      values.push(f32[0]);
      values.push(Math.fround(-(rnd() / 2 ** 32) * 8));
    }
    const out = new Uint8Array(64);
    const bad: string[] = [];
    for (const x of values) {
      const n = putFloat32(x, out, 3);
      const got = Buffer.from(out.subarray(3, n)).toString('latin1');
      if (got !== formatFloat32(x) && bad.length < 5) bad.push(`${x}: ${got} vs ${formatFloat32(x)}`);
    }
    expect(bad).toEqual([]);
  });

  it('writeArpa: a word longer than the write buffer and multi-byte words come out intact', async () => {
    // the same corpus with a short placeholder gives the same model, so the ARPA texts differ only by the word
    const long = 'ü'.repeat(3_000_000); // 6 MB of UTF-8, more than one write chunk
    const corpus = (w: string) => ['a b c', `a ${w} c`, `b ${w}`, 'ngữ b c', 'c a', `${w} ngữ a`].map((l) => l.split(' '));
    const arpa = async (w: string) => {
      const c = new NgramCounter(3);
      for (const l of corpus(w)) c.addSentence(l.join(' '));
      const file = path.join(tmp(), 'x.arpa');
      await writeArpa(estimate(c, { order: 3, discountFallback: [0.5, 1, 1.5] }).model, file);
      return readFileSync(file, 'utf8');
    };
    const withLong = await arpa(long);
    const expected = (await arpa('PLACEHOLDER')).split('PLACEHOLDER').join(long);
    expect(withLong.length).toBe(expected.length);
    expect(withLong === expected).toBe(true);
  });
});

describe('pruning (lmplz --prune, --limit_vocab_file) on the hand-checked toy corpus', () => {
  const counter = () => {
    const c = new NgramCounter(2);
    for (const s of ['a b', 'a b', 'b']) c.addSentence(s);
    return c;
  };
  const arpaOf = async (opts: { prune?: number[]; limitVocab?: Set<string> }) => {
    const r = estimate(counter(), { order: 2, discountFallback: [0.5, 1, 1.5], ...opts });
    const file = path.join(tmp(), 'p.arpa');
    await writeArpa(r.model, file);
    return { r, text: readFileSync(file, 'utf8') };
  };
  const lg = Math.log10;
  const check = (text: string, expected: Array<[string, number, number | undefined]>) => {
    const e = readArpaEntries(text);
    expect([...e.keys()].sort()).toEqual(expected.map((x) => x[0]).sort());
    for (const [ngram, p, b] of expected) {
      expect(e.get(ngram)![0], ngram).toBeCloseTo(p, 5);
      if (b === undefined) expect(e.get(ngram)![1]).toBeUndefined();
      else expect(e.get(ngram)![1], ngram).toBeCloseTo(b, 5);
    }
  };

  it('parses thresholds as lmplz: non-decreasing, at most one per order, the last repeats', () => {
    expect(parsePruneThresholds(['0', '1'], 4)).toEqual([0, 1, 1, 1]);
    expect(parsePruneThresholds(['0', '0', '1'], 3)).toEqual([0, 0, 1]);
    expect(parsePruneThresholds(['0'], 3)).toBeUndefined();
    expect(parsePruneThresholds(['5'], 3)).toEqual([5, 5, 5]); // unigram threshold ignored, higher orders pruned
    expect(() => parsePruneThresholds(['0', '2', '1'], 3)).toThrow(/non-decreasing/);
    expect(() => parsePruneThresholds(['0', '0', '0', '0'], 3)).toThrow(/orders 1 through 4 but the model has order 3/);
    expect(() => parsePruneThresholds(['x'], 3)).toThrow(/bad threshold "x"/);
  });

  it('--prune 0 1: <s> b (raw count 1) is left out; its adjusted count goes to γ(<s>), discounts unchanged', async () => {
    /*
     * Discounts still come from all n-grams: order 2 D = 0.2 1.7 3 (see above). Unigrams unchanged.
     * Context <s>: Σa = 3; kept <s> a (a=2) → D2·1 = 1.7; pruned <s> b → +1; γ(<s>) = 2.7/3 = 0.9
     *   p(a|<s>) = (2 − 1.7)/3 + 0.9·0.25 = 0.325   (and 0.325 + 0.9·(0.375 + 0.25 + 0.125) = 1)
     * Contexts a and b unchanged.
     */
    const { r, text } = await arpaOf({ prune: [0, 1] });
    expect(r.counts).toEqual([5, 3]);
    expect(text).toContain('ngram 1=5\nngram 2=3\n');
    check(text, [
      ['<unk>', lg(0.125), 0],
      ['<s>', 0, lg(0.9)],
      ['</s>', lg(0.25), 0],
      ['a', lg(0.25), lg(0.85)],
      ['b', lg(0.375), lg(1)],
      ['<s> a', lg(0.325), undefined],
      ['a b', lg(0.46875), undefined],
      ['b </s>', lg(0.25), undefined],
    ]);
  });

  it('--limit-vocab-file {a}: every n-gram with b is left out; b\'s mass goes to γ', async () => {
    /*
     * Unigram adjusted counts a 1, b 2, </s> 1 (Σ = 4); b is pruned: γ(∅) = (0.5·2 + 2)/4 = 0.75,
     * |V| = 3 (the unigrams written, less <s>: lmplz passes the pruned count), p(a) = (1 − 0.5)/4 + 0.75/3
     * = 0.375 = p(</s>), p(<unk>) = 0.25 (the written unigrams sum to one).
     * Context <s>: Σa = 3, kept <s> a (a=2), pruned <s> b (1): γ = (1.7 + 1)/3 = 0.9;
     *   p(a|<s>) = 0.3/3 + 0.9·0.375 = 0.4375. Context a: only a b (pruned): γ(a) = 2/2 = 1.
     * (Byte-identical to lmplz --limit_vocab_file built from kpu/kenlm 4cb443e.)
     */
    const { r, text } = await arpaOf({ limitVocab: new Set(['a']) });
    expect(r.counts).toEqual([4, 1]);
    check(text, [
      ['<unk>', lg(0.25), 0],
      ['<s>', 0, lg(0.9)],
      ['</s>', lg(0.375), 0],
      ['a', lg(0.375), 0],
      ['<s> a', lg(0.4375), undefined],
    ]);
  });
});

describe.skipIf(!sharedAvailable)('lmplz golden models', () => {
  const G = (...p: string[]) => sharedPath('golden', 'kenlm', ...p);

  it('tiny corpus: fails without --discount-fallback, byte-identical to lmplz with it', async () => {
    await expect(buildFromCorpus(G('corpus', 'tiny.txt'), { order: 3 })).rejects.toThrow(/Could not calculate Kneser-Ney discounts/);
    const r = await buildFromCorpus(G('corpus', 'tiny.txt'), { order: 3, discountFallback: [0.5, 1, 1.5] });
    const out = path.join(tmp(), 'tiny.3.arpa');
    await writeArpa(r.model, out);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(G('tiny.3.arpa'), 'utf8'));
  });

  it.each(['en', 'vi'])('%s order 3: every n-gram matches lmplz, and perplexity matches', async (lang) => {
    const r = await buildFromCorpus(G('corpus', `${lang}.train.txt`), { order: 3 });
    if (lang === 'en') {
      const golden = [
        [0.578245, 0.922297, 1.63818],
        [0.731968, 1.16695, 1.46812],
        [0.795427, 1.27544, 1.64159],
      ];
      r.discounts.forEach((d, i) => d.d.forEach((x, j) => expect(Math.abs(x - golden[i][j])).toBeLessThan(1e-5)));
    }
    const out = path.join(tmp(), `${lang}.3.arpa`);
    await writeArpa(r.model, out);
    const ours = readArpaEntries(readFileSync(out, 'utf8'));
    const gold = readArpaEntries(readFileSync(G(`${lang}.3.arpa`), 'utf8'));
    expect(ours.size).toBe(gold.size);
    let maxDiff = 0;
    for (const [ngram, [p, b]] of gold) {
      const o = ours.get(ngram);
      expect(o, ngram).toBeDefined();
      maxDiff = Math.max(maxDiff, Math.abs(o![0] - p), Math.abs((o![1] ?? 0) - (b ?? 0)));
    }
    expect(maxDiff).toBeLessThan(1e-5);
    // perplexity on the test text within 0.1 % of lmplz's model as scored by KenLM
    const m = await loadLanguageModel(out);
    const goldPpl = { en: 105.282, vi: 41.737 }[lang];
    let total = 0;
    let tokens = 0;
    for (const line of readFileSync(G('corpus', `${lang}.test.txt`), 'utf8').split('\n')) {
      if (!line) continue;
      const s = m.scoreSentence(line.split(/\s+/).filter(Boolean));
      total += s.total;
      tokens += s.words.length;
    }
    expect(Math.abs(10 ** (-total / tokens) / goldPpl - 1)).toBeLessThan(1e-3);
  });
});
