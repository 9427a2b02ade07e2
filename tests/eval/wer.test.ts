import { describe, expect, it } from 'vitest';
import { addCounts, align, cer, charErrors, chars, errorRate, normalizeText, wer, wordErrors, words, zeroCounts } from '../../src/eval/wer.js';

describe('normalizeText', () => {
  it('lower-cases, strips punctuation, collapses whitespace', () => {
    expect(normalizeText('  Hello,   World!  ')).toBe('hello world');
    expect(normalizeText('"Quoted" (text); semi: colon? yes.')).toBe('quoted text semi colon yes');
    expect(normalizeText('well-known\tthings\n\nhere')).toBe('well known things here');
  });
  it('deletes apostrophes so contractions compare as one word', () => {
    expect(normalizeText("Don't")).toBe('dont');
    expect(normalizeText('it’s')).toBe('its');
  });
  it('turns symbols (including the BPE marker ▁) into spaces and keeps digits', () => {
    expect(normalizeText('▁the▁cat')).toBe('the cat');
    expect(normalizeText('pay $25 + tax')).toBe('pay 25 tax');
  });
  it('applies NFC so composed and decomposed Vietnamese compare equal', () => {
    const decomposed = 'Vie\u0302\u0323t Nam'; // e + circumflex + dot below
    expect(normalizeText(decomposed)).toBe('việt nam');
    expect(normalizeText(decomposed)).toBe(normalizeText('VIỆT NAM'));
    expect(wordErrors('việt nam', decomposed).errors).toBe(0);
  });
  it('empty and punctuation-only text have no words', () => {
    expect(words('')).toEqual([]);
    expect(words(' ... !!! ')).toEqual([]);
    expect(chars('A b')).toEqual(['a', ' ', 'b']);
  });
});

describe('align (Levenshtein)', () => {
  it('counts a substitution and a deletion', () => {
    const a = align('the cat sat on the mat'.split(' '), 'the cat sit on mat'.split(' '));
    expect(a).toMatchObject({ substitutions: 1, deletions: 1, insertions: 0, hits: 4, errors: 2, refLength: 6 });
    expect(a.ops.map((o) => o.op)).toEqual(['hit', 'hit', 'sub', 'hit', 'del', 'hit']);
    expect(a.ops[2]).toEqual({ op: 'sub', ref: 'sat', hyp: 'sit' });
    expect(a.ops[4]).toEqual({ op: 'del', ref: 'the' });
  });
  it('counts an insertion', () => {
    expect(align(['a', 'b'], ['a', 'x', 'b'])).toMatchObject({ substitutions: 0, deletions: 0, insertions: 1, errors: 1 });
  });
  it('kitten → sitting is 2 substitutions + 1 insertion', () => {
    expect(align([...'kitten'], [...'sitting'])).toMatchObject({ substitutions: 2, deletions: 0, insertions: 1, errors: 3, refLength: 6 });
  });
  it('empty sides', () => {
    expect(align(['a', 'b', 'c'], [])).toMatchObject({ deletions: 3, errors: 3 });
    expect(align([], ['a'])).toMatchObject({ insertions: 1, errors: 1, refLength: 0 });
    expect(align([], [])).toMatchObject({ errors: 0, refLength: 0, ops: [] });
  });
  it('agrees with a plain edit-distance recursion on random sequences, and its script replays', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const dist = (a: string[], b: string[]): number => {
      const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      return d[a.length][b.length];
    };
    for (let t = 0; t < 200; t++) {
      const a = Array.from({ length: rnd(8) }, () => 'xyz'[rnd(3)]);
      const b = Array.from({ length: rnd(8) }, () => 'xyz'[rnd(3)]);
      const r = align(a, b);
      expect(r.errors).toBe(dist(a, b));
      expect(r.hits + r.substitutions + r.deletions).toBe(a.length);
      expect(r.hits + r.substitutions + r.insertions).toBe(b.length);
      // Replaying the edit script reproduces both sequences.
      expect(r.ops.filter((o) => o.op !== 'ins').map((o) => o.ref)).toEqual(a);
      expect(r.ops.filter((o) => o.op !== 'del').map((o) => o.hyp)).toEqual(b);
    }
  });
});

describe('WER and CER', () => {
  it('word errors after normalisation', () => {
    expect(wordErrors('The cat, sat.', 'the CAT sat')).toMatchObject({ errors: 0, refLength: 3 });
    expect(wordErrors('one two three four', 'one too three')).toMatchObject({ substitutions: 1, deletions: 1, errors: 2, refLength: 4 });
  });
  it('character errors count spaces of the normalised text', () => {
    // "ab cd" (5 characters) vs "abcd": one deleted space
    expect(charErrors('ab cd', 'abcd')).toMatchObject({ deletions: 1, errors: 1, refLength: 5 });
    expect(charErrors('abc', 'abd')).toMatchObject({ substitutions: 1, errors: 1, refLength: 3 });
    // punctuation is not a character error
    expect(charErrors('ab, cd!', 'ab cd').errors).toBe(0);
  });
  it('corpus rates are total errors / total reference units, not a mean of utterance rates', () => {
    const pairs: Array<[string, string]> = [
      ['a b c d', 'a b c d'],
      ['a b', 'a c'],
    ];
    expect(wer(pairs)).toBeCloseTo(1 / 6, 12); // a mean of rates would be 0.25
    // characters: "a b c d" 7, "a b" 3 → 1 substitution in 10
    expect(cer(pairs)).toBeCloseTo(1 / 10, 12);
  });
  it('an empty reference: 0 when the hypothesis is empty too, else one per inserted unit', () => {
    expect(errorRate(wordErrors('', ''))).toBe(0);
    expect(errorRate(wordErrors('', 'hello there'))).toBe(2);
  });
  it('addCounts sums every field', () => {
    const t = addCounts(addCounts(zeroCounts(), wordErrors('a b c', 'a x c d')), wordErrors('p q', 'q'));
    expect(t).toEqual({ errors: 3, substitutions: 1, deletions: 1, insertions: 1, hits: 3, refLength: 5 });
  });
});
