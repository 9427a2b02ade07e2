import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedAvailable, sharedPath } from '../helpers/shared.js';
import { ArpaModel, deserializeModel, emptyTextScoreTotals, loadLanguageModel, parseArpa, readArpaFile, serializeModel, writeBinaryModel } from '../../src/lm/index.js';
import { ngramsOf, parseArpaWithStrings } from '../helpers/arpa-string-reader.js';
import { UserError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';

/** A small model in KenLM/lmplz form (lmplz's tiny.3.arpa layout) to test reader rules on. */
const TOY = `\\data\\
ngram 1=6
ngram 2=5
ngram 3=2

\\1-grams:
-1.5\t<unk>\t0
0\t<s>\t-0.5
-1.2\t</s>\t0
-0.8\ta\t-0.3
-0.9\tb\t-0.2
-1.1\tc

\\2-grams:
-0.4\t<s> a\t-0.1
-0.6\ta b\t0
-0.5\tb c\t-0.05
-0.7\tb </s>
-0.3\tc </s>

\\3-grams:
-0.2\t<s> a b
-0.25\ta b c

\\end\\
`;

const toy = () => parseArpa(TOY, { fileName: 'toy.arpa' });
const L = (s: string) => s.split(' ');

describe('ARPA reader and KenLM scoring rules', () => {
  it('scores with backoff exactly as KenLM FullScore', () => {
    const m = toy();
    // p(a | <s>) = 2-gram
    let r = m.scoreSentence(L('a b c'));
    const f = Math.fround;
    expect(r.words.map((w) => w.ngramLength)).toEqual([2, 3, 3, 2]);
    expect(r.words[0].log10).toBeCloseTo(-0.4, 6);
    expect(r.words[1].log10).toBeCloseTo(-0.2, 6);
    expect(r.words[2].log10).toBeCloseTo(-0.25, 6);
    // </s> after [c, b]: "c </s>" matched (length 2), plus the backoff of the unmatched context "b c"
    expect(r.words[3].log10).toBeCloseTo(f(f(-0.3) + f(-0.05)), 6);
    // c after <s> c: no bigram "<s> c": p(c) + bo(<s>) = -1.1 - 0.5
    r = m.scoreSentence(L('c'));
    expect(r.words[0].log10).toBeCloseTo(f(-1.1 + f(-0.5)), 6);
    expect(r.words[0].ngramLength).toBe(1);
    // "a a": p(a | <s> a) → no "<s> a a", no "a a" → p(a) + bo(a) + bo(<s> a)
    r = m.scoreSentence(L('a a'), { eos: false });
    expect(r.words[1].log10).toBeCloseTo(-0.8 - 0.3 - 0.1, 5);
    // OOV maps to <unk>
    r = m.scoreSentence(L('zzz'), { bos: false, eos: false });
    expect(r.words[0]).toEqual({ log10: -1.5, ngramLength: 1, oov: true });
  });

  it('scores text bytes as KenLM query reads them, with the same sums as scoreSentence', () => {
    const m = toy();
    // CRLF, tabs and runs of spaces, an empty line, an OOV, <unk> itself, a word with invalid UTF-8, no final newline
    const text = Buffer.concat([Buffer.from('a b c\r\n\t a  b\tzzz \n\n<unk> c\nb '), Buffer.from([0xff, 0x61]), Buffer.from(' c')]);
    const lines = ['a b c', 'a b zzz', '', '<unk> c', 'b \ufffda c'];
    for (const opts of [{}, { bos: false }, { eos: false }]) {
      const totals = emptyTextScoreTotals();
      const seen: Array<[string, number]> = [];
      m.scoreTextLines(text, 0, text.length, totals, opts, (a, b, t) => seen.push([text.subarray(a, b).toString('latin1'), t]));
      let total = 0;
      let oovTotal = 0;
      let tokens = 0;
      let oovs = 0;
      const expected: number[] = [];
      for (const line of lines) {
        const r = m.scoreSentence(line.split(' ').filter(Boolean), opts);
        expected.push(r.total);
        total += r.total;
        tokens += r.words.length;
        oovs += r.oovs;
        for (const w of r.words) if (w.oov) oovTotal += w.log10;
      }
      expect(seen.map(([, t]) => t)).toEqual(expected);
      expect(seen.map(([l]) => l)).toEqual(['a b c\r', '\t a  b\tzzz ', '', '<unk> c', 'b \xffa c']);
      expect(totals).toEqual({ total, oovTotal, tokens, oovs, lines: 5 });
    }
    // a piece of text that ends with its newline has no empty last line; empty text has no lines
    const totals = emptyTextScoreTotals();
    m.scoreTextLines(Buffer.from('a\n'), 0, 2, totals);
    m.scoreTextLines(Buffer.from(''), 0, 0, totals);
    expect(totals.lines).toBe(1);
  });

  it('`lm score` prints what scoreSentence gives, reading its input in chunks', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lm-score-'));
    const arpa = path.join(dir, 'toy.arpa');
    writeFileSync(arpa, TOY);
    const m = toy();
    const lines = Array.from({ length: 30000 }, (_, i) => ['a b c', 'c a', '', 'b zzz a', 'a\tb '][i % 5]);
    const r = await runCli(['lm', 'score', '--lm', arpa], { input: lines.join('\r\n') });
    rmSync(dir, { recursive: true, force: true });
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.split('\n');
    let total = 0;
    let tokens = 0;
    for (let i = 0; i < lines.length; i++) {
      const s = m.scoreSentence(lines[i].split(/[ \t]+/).filter(Boolean));
      total += s.total;
      tokens += s.words.length;
      expect(out[i]).toBe(`${s.total.toFixed(6)}\t${lines[i]}`);
    }
    expect(out[lines.length]).toBe(`Perplexity including OOVs:\t${Math.pow(10, -total / tokens)}`);
    expect(out[lines.length + 3]).toBe(`Tokens:\t${tokens}`);
  });

  it('keeps only extendable context in the state (−0.0 vs +0.0 backoff)', () => {
    const m = toy();
    // "a b" has written backoff 0 → −0.0, but it is the context of "a b c" → +0.0: kept in the state.
    let s = m.scoreWord(m.beginSentenceState(), 'a').state;
    s = m.scoreWord(s, 'b').state;
    expect(m.stateWords(s)).toEqual(['b', 'a']);
    // "c" has no backoff and is no context of a trigram; "b c" has a backoff (-0.05) → state [c, b]
    s = m.scoreWord(s, 'c').state;
    expect(m.stateWords(s)).toEqual(['c', 'b']);
    // </s> (backoff 0, never a context) gives the empty state
    expect(m.scoreWord(s, '</s>').state).toBe(m.nullContextState());
    expect(m.stateWords(m.beginSentenceState())).toEqual(['<s>']);
    // state handles are stable small integers
    expect(m.scoreWord(m.beginSentenceState(), 'a').state).toBe(m.scoreWord(m.beginSentenceState(), 'a').state);
    expect(m.scoreEndOfSentence(m.scoreWord(0, 'c').state)).toBeCloseTo(-0.3, 6);
    expect(m.hasWord('a')).toBe(true);
    expect(m.hasWord('<unk>')).toBe(false);
    expect([...m.words()]).toEqual(['<s>', '</s>', 'a', 'b', 'c']);
  });

  it('tolerates comments, blank lines, CRLF, tabs between words, inf/-inf tokens', () => {
    const text = `# made by hand\n\n${TOY}`.replace('-1.1\tc', '-inf\tc').replace('-0.7\tb </s>', '-0.7\tb\t</s>').replace(/\n/g, '\r\n');
    const m = parseArpa(text);
    expect(m.counts).toEqual([6, 5, 2]);
    expect(m.scoreSentence(L('c'), { bos: false, eos: false }).total).toBe(-Infinity);
    expect(m.scoreSentence(L('b'), { eos: true }).words[1].log10).toBeCloseTo(-0.7, 6);
  });

  it('warns and uses −100 when <unk> is missing', () => {
    const text = TOY.replace('ngram 1=6', 'ngram 1=5').replace('-1.5\t<unk>\t0\n', '');
    const m = parseArpa(text, { fileName: 'x.arpa' });
    expect(m.warnings.join()).toMatch(/missing <unk>.*-100/);
    expect(m.scoreSentence(L('zzz'), { bos: false, eos: false }).total).toBe(-100);
  });

  it('hallucinates a missing suffix (SRI pruning) with its backoff probability, as KenLM', () => {
    // "x a b" exists but its suffix "a b" is missing: KenLM inserts "a b" with p(b) + bo(a).
    const text = `\\data\\\nngram 1=5\nngram 2=2\nngram 3=1\n\n\\1-grams:\n-1\t<unk>\t0\n0\t<s>\t-0.5\n-1\t</s>\t0\n-0.8\ta\t-0.3\n-0.9\tb\t-0.2\n\n\\2-grams:\n-0.4\t<s> a\t-0.1\n-0.6\tb a\n\n\\3-grams:\n-0.2\t<s> a b\n\n\\end\\\n`;
    const m = parseArpa(text);
    const f = Math.fround;
    const r = m.scoreSentence(L('a b'), { eos: false });
    expect(r.words[1].log10).toBeCloseTo(-0.2, 6);
    // a b after null context: the hallucinated bigram is found (length 2), prob = p(b) + bo(a)
    const r2 = m.scoreSentence(L('a b'), { bos: false, eos: false });
    expect(r2.words[1].ngramLength).toBe(2);
    expect(r2.words[1].log10).toBeCloseTo(f(f(-0.9) + f(-0.3)), 6);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['no \\data\\', 'hello\n', /toy\.arpa:1: expected "\\data\\"/],
    ['empty file', '', /no content/],
    ['bad count line', TOY.replace('ngram 2=5', 'ngrams 2=5'), /toy\.arpa:3: expected a count line/],
    ['non-consecutive counts', TOY.replace('ngram 2=5', 'ngram 3=5'), /toy\.arpa:3: n-gram count lines must be consecutive/],
    ['order 1', '\\data\\\nngram 1=1\n\n\\1-grams:\n-1\t<unk>\n\n\\end\\\n', /at least a bigram/],
    ['order 7', `\\data\\\n${[1, 2, 3, 4, 5, 6, 7].map((i) => `ngram ${i}=1`).join('\n')}\n\n`, /above the maximum 6/],
    ['wrong section header', TOY.replace('\\2-grams:', '\\3-grams:'), /toy\.arpa:14: expected the n-gram header \\2-grams:/],
    ['count larger than section', TOY.replace('ngram 2=5', 'ngram 2=6'), /toy\.arpa:21: the header declares 6 2-grams but the \\2-grams: section has only 5/],
    ['count smaller than section', TOY.replace('ngram 2=5', 'ngram 2=4'), /toy\.arpa:19: expected the n-gram header \\3-grams:/],
    ['space instead of tab after unigram prob', TOY.replace('-0.8\ta', '-0.8 a'), /toy\.arpa:10: expected a tab after the probability/],
    ['bad probability', TOY.replace('-0.8\ta', '-0.8x\ta'), /toy\.arpa:10: expected a log10 probability.*-0\.8x/],
    ['positive probability', TOY.replace('-0.8\ta', '0.8\ta'), /toy\.arpa:10: positive log10 probability 0\.8/],
    ['infinite backoff', TOY.replace('-0.8\ta\t-0.3', '-0.8\ta\t-inf'), /toy\.arpa:10: bad backoff -inf/],
    ['NaN backoff', TOY.replace('-0.8\ta\t-0.3', '-0.8\ta\tnan'), /toy\.arpa:10: bad backoff nan/],
    ['junk after backoff', TOY.replace('-0.8\ta\t-0.3', '-0.8\ta\t-0.3 x'), /toy\.arpa:10: expected the end of the line after the backoff/],
    ['space before backoff', TOY.replace('-0.4\t<s> a\t-0.1', '-0.4\t<s> a -0.1'), /toy\.arpa:15: expected a tab and a backoff, or the end of the line/],
    ['too few words', TOY.replace('-0.6\ta b\t0', '-0.6\ta'), /toy\.arpa:16: expected 2 words in the 2-gram but found 1/],
    ['unknown word', TOY.replace('-0.6\ta b\t0', '-0.6\ta q\t0'), /toy\.arpa:16: the word "q" of this 2-gram is not among the unigrams/],
    ['backoff on highest order', TOY.replace('-0.2\t<s> a b', '-0.2\t<s> a b\t-0.1'), /toy\.arpa:22: non-zero backoff -0\.1 on a 3-gram of the highest order/],
    ['missing context', TOY.replace('-0.25\ta b c', '-0.25\tc b c'), /toy\.arpa:23: the context of every 3-gram must appear as a 2-gram/],
    ['duplicate unigram', TOY.replace('-1.1\tc', '-1.1\ta'), /toy\.arpa:12: duplicate unigram "a"/],
    ['duplicate n-gram', TOY.replace('-0.3\tc </s>', '-0.3\tb </s>'), /toy\.arpa:19: duplicate 2-gram/],
    ['missing <s>', TOY.replace('0\t<s>\t-0.5', '0\tz\t-0.5'), /no <s>/],
    ['missing </s>', TOY.replace('-1.2\t</s>\t0', '-1.2\tz\t0'), /no <\/s>/],
    ['nonzero <unk> backoff', TOY.replace('-1.5\t<unk>\t0', '-1.5\t<unk>\t-0.2'), /backoff of <unk> should be zero/],
    ['missing \\end\\', TOY.replace('\\end\\\n', ''), /unexpected end of file: expected \\end\\/],
    ['trailing content', `${TOY}junk\n`, /toy\.arpa:26: only blank lines may follow \\end\\/],
    ['truncated section', TOY.slice(0, TOY.indexOf('-0.25')), /unexpected end of file: the header declares 2 3-grams but only 1 were read/],
    ['compiled binary given as text', 'CTCENSLM....', /compiled binary/],
  ];
  it.each(bad)('rejects malformed ARPA: %s', (_name, text, re) => {
    let err: unknown;
    try {
      parseArpa(text, { fileName: 'toy.arpa' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(re);
  });

  it('round-trips through the binary format', async () => {
    const m = toy();
    const bin = serializeModel(m);
    expect(new TextDecoder().decode(bin.subarray(0, 8))).toBe('CTCENSLM');
    const b = deserializeModel(bin);
    for (const s of ['a b c', 'c b a zzz', 'b c']) {
      expect(b.scoreSentence(L(s))).toEqual(m.scoreSentence(L(s)));
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lm-'));
    await writeBinaryModel(m, path.join(dir, 'x.bin'));
    writeFileSync(path.join(dir, 'x.arpa'), TOY);
    const viaBin = await loadLanguageModel(path.join(dir, 'x.bin'));
    const viaArpa = await loadLanguageModel(path.join(dir, 'x.arpa'));
    expect(viaBin.scoreSentence(L('a b c')).total).toBe(viaArpa.scoreSentence(L('a b c')).total);
    const broken = bin.slice(0, 100);
    expect(() => deserializeModel(broken)).toThrow(/truncated/);
  });
});

interface GoldenSentence {
  sentence: string;
  full_scores: Array<[number, number, boolean]>;
}

describe.skipIf(!sharedAvailable)('KenLM golden outputs', () => {
  const ppl: Record<string, [number, number, number, number]> = {
    en: [105.282, 97.263, 295, 28964],
    vi: [41.737, 38.043, 264, 24002],
  };
  const models = new Map<string, ArpaModel>();
  const model = async (lang: string) => {
    if (!models.has(lang)) models.set(lang, await loadLanguageModel(sharedPath('golden', 'kenlm', `${lang}.3.arpa`)));
    return models.get(lang)!;
  };

  it.each(['en', 'vi'])('%s: per-word scores, n-gram lengths and OOV flags match KenLM', async (lang) => {
    const m = await model(lang);
    const golden = JSON.parse(readFileSync(sharedPath('golden', 'kenlm', `${lang}.3.test.word_scores.json`), 'utf8')) as GoldenSentence[];
    let n = 0;
    for (const g of golden) {
      const r = m.scoreSentence(g.sentence.split(' ').filter(Boolean));
      expect(r.words.length).toBe(g.full_scores.length);
      g.full_scores.forEach(([p, len, oov], i) => {
        const w = r.words[i];
        expect(Math.abs(w.log10 - p)).toBeLessThan(1e-4);
        expect(w.ngramLength).toBe(len);
        expect(w.oov).toBe(oov);
        n++;
      });
    }
    expect(n).toBeGreaterThan(1000);
  });

  it.each(['en', 'vi'])('%s: sentence totals and perplexities match KenLM query', async (lang) => {
    const m = await model(lang);
    const lines = readFileSync(sharedPath('golden', 'kenlm', `${lang}.3.test.sentence_log10.tsv`), 'utf8').split('\n').filter(Boolean);
    let total = 0;
    let oovTotal = 0;
    let tokens = 0;
    let oovs = 0;
    for (const line of lines) {
      const [score, text] = line.split('\t') as [string, string];
      const r = m.scoreSentence(text.split(/\s+/).filter(Boolean));
      expect(Math.abs(r.total - Number(score))).toBeLessThan(1e-4);
      total += r.total;
      tokens += r.words.length;
      oovs += r.oovs;
      for (const w of r.words) if (w.oov) oovTotal += w.log10;
    }
    const [inc, exc, goldOov, goldTokens] = ppl[lang];
    expect(oovs).toBe(goldOov);
    expect(tokens).toBe(goldTokens);
    expect(Math.abs(10 ** (-total / tokens) / inc - 1)).toBeLessThan(1e-4);
    expect(Math.abs(10 ** (-(total - oovTotal) / (tokens - oovs)) / exc - 1)).toBeLessThan(1e-4);
  });

  it('en: the binary form scores identically', async () => {
    const m = await model('en');
    const b = deserializeModel(serializeModel(m));
    const golden = JSON.parse(readFileSync(sharedPath('golden', 'kenlm', 'en.3.test.word_scores.json'), 'utf8')) as GoldenSentence[];
    for (const g of golden.slice(0, 50)) {
      const words = g.sentence.split(' ');
      expect(b.scoreSentence(words)).toEqual(m.scoreSentence(words));
    }
  });
});

/** Every table of the byte reader's model, bit for bit, in the string reader's form. */
function tablesOf(m: ArpaModel) {
  const t = m.getTables();
  const words: string[] = [];
  for (let i = 0; i < t.vocab.size; i++) words.push(t.vocab.word(i));
  const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
  return {
    order: t.order,
    words,
    uniProb: bits(t.uniProb),
    uniBackoff: bits(t.uniBackoff),
    ngrams: ngramsOf(t.order, t.entries),
    counts: t.counts,
    stored: t.stored,
    warnings: m.warnings,
  };
}
function referenceTables(text: string, fileName?: string) {
  const t = parseArpaWithStrings(text, { fileName });
  const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
  const { entries, ...rest } = t;
  return { ...rest, uniProb: bits(t.uniProb), uniBackoff: bits(t.uniBackoff), ngrams: ngramsOf(t.order, entries) };
}

describe('byte-scanning reader = the former string reader', () => {
  const edge: Array<[string, string]> = [
    ['toy', TOY],
    ['comments, CRLF, tabs, inf', `# made by hand\n\n${TOY}`.replace('-1.1\tc', '-inf\tc').replace('-0.7\tb </s>', '-0.7\tb\t</s>').replace(/\n/g, '\r\n')],
    ['missing <unk>', TOY.replace('ngram 1=6', 'ngram 1=5').replace('-1.5\t<unk>\t0\n', '')],
    ['<unk> not first', TOY.replace('-1.5\t<unk>\t0\n', '').replace('-1.1\tc\n', '-1.1\tc\n-1.5\t<unk>\t0\n')],
    [
      'SRI-pruned suffix',
      `\\data\\\nngram 1=5\nngram 2=2\nngram 3=1\n\n\\1-grams:\n-1\t<unk>\t0\n0\t<s>\t-0.5\n-1\t</s>\t0\n-0.8\ta\t-0.3\n-0.9\tb\t-0.2\n\n\\2-grams:\n-0.4\t<s> a\t-0.1\n-0.6\tb a\n\n\\3-grams:\n-0.2\t<s> a b\n\n\\end\\\n`,
    ],
    ['number forms', TOY.replace('-0.8\ta\t-0.3', '-8e-1\ta\t-.3').replace('-0.9\tb\t-0.2', '-0.90000000000000000001\tb\t-2E-1').replace('-1.1\tc', '-1.1e-30\tc').replace('-0.4\t<s> a', '-4.0E-00001\t<s> a')],
    ['non-ASCII words', TOY.replace(/\ba\b/g, 'thuộc').replace(/\bb\b/g, 'ß😀').replace(/\bc\b/g, '中文')],
    ['no final newline, trailing blanks', `${TOY}\n \n\t`],
  ];
  it.each(edge)('%s', (_name, text) => {
    expect(tablesOf(parseArpa(text, { fileName: 'x.arpa' }))).toEqual(referenceTables(text, 'x.arpa'));
  });

  it('reads a file in chunks smaller than a line (lines across chunk boundaries, the buffer grown)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lm-'));
    const text = TOY.replace(/\ba\b/g, 'a'.repeat(300));
    writeFileSync(path.join(dir, 'x.arpa'), text);
    for (const chunkBytes of [1, 7, 64, 1 << 20]) {
      expect(tablesOf(await readArpaFile(path.join(dir, 'x.arpa'), { chunkBytes }))).toEqual(referenceTables(text, path.join(dir, 'x.arpa')));
    }
    writeFileSync(path.join(dir, 'bad.arpa'), TOY.replace('-0.6\ta b\t0', '-0.6\ta q\t0'));
    await expect(readArpaFile(path.join(dir, 'bad.arpa'), { chunkBytes: 5 })).rejects.toThrow(/bad\.arpa:16: the word "q" of this 2-gram is not among the unigrams/);
  });

  it('reports the first bad n-gram line of a batch, whichever step finds it (lines are placed in batches)', () => {
    // line 16: an unknown word (found when the batch is placed); line 18: a malformed line (found when it is scanned)
    const bad = TOY.replace('-0.6\ta b\t0', '-0.6\ta q\t0').replace('-0.7\tb </s>', '0.7\tb </s>');
    expect(() => parseArpa(bad, { fileName: 'x.arpa' })).toThrow(/x\.arpa:16: the word "q" of this 2-gram is not among the unigrams/);
    // a missing context (line 22), before a malformed line (23: a 3-gram of two words)
    const noCtx = TOY.replace('-0.2\t<s> a b', '-0.2\t<s> c b').replace('-0.25\ta b c', '-0.25\ta b');
    expect(() => parseArpa(noCtx, { fileName: 'x.arpa' })).toThrow(/x\.arpa:22: the context of every 3-gram must appear as a 2-gram, but "-0\.2\\t<s> c b" has none/);
    // many lines, so that the error falls in a later batch, with CR LF line ends
    const words = Array.from({ length: 100 }, (_, i) => `w${i}`);
    const big = `\\data\\\nngram 1=${words.length + 3}\nngram 2=${words.length}\n\n\\1-grams:\n-1\t<unk>\t0\n0\t<s>\t-0.5\n-1\t</s>\t0\n${words
      .map((w) => `-2\t${w}\t0\n`)
      .join('')}\n\\2-grams:\n${words.map((w, i) => `-0.5\t<s> ${i === 70 ? 'zz' : w}\n`).join('')}\n\\end\\\n`;
    expect(() => parseArpa(big.replace(/\n/g, '\r\n'), { fileName: 'x.arpa' })).toThrow(new RegExp(`x\\.arpa:${words.length + 11 + 70}: the word "zz"`));
    const good = big.replace('<s> zz', '<s> w70');
    expect(tablesOf(parseArpa(good.replace(/\n/g, '\r\n')))).toEqual(referenceTables(good));
  });

  it('keeps byte-distinct words distinct (invalid UTF-8, as KenLM compares bytes)', () => {
    const text = TOY.replace('ngram 1=6', 'ngram 1=8').replace('-1.1\tc\n', '-1.1\tc\n-1.0\t\u0001\n-1.0\t\u0002\n');
    // two words, the bytes 0xff and 0xfe, that both decode to U+FFFD
    const raw = new TextEncoder().encode(text).map((c) => (c === 1 ? 0xff : c === 2 ? 0xfe : c));
    expect(() => parseArpa(new TextDecoder().decode(raw), { fileName: 'x.arpa' })).toThrow(/x\.arpa:14: duplicate unigram "\uFFFD"/); // as text
    const m = parseArpa(raw);
    expect(m.vocabularySize).toBe(8);
    expect(m.wordOf(6)).toBe('\uFFFD');
  });

  describe.skipIf(!sharedAvailable)('golden KenLM ARPA files', () => {
    it.each(['tiny.3.arpa', 'en.3.arpa', 'vi.3.arpa'])('%s: identical tables', async (name) => {
      const file = sharedPath('golden', 'kenlm', name);
      const viaBytes = tablesOf(await readArpaFile(file));
      const ref = referenceTables(readFileSync(file, 'utf8'), file);
      expect(viaBytes.words).toEqual(ref.words);
      expect(viaBytes.uniProb).toEqual(ref.uniProb);
      expect(viaBytes.uniBackoff).toEqual(ref.uniBackoff);
      expect(viaBytes.counts).toEqual(ref.counts);
      expect(viaBytes.stored).toEqual(ref.stored);
      expect(viaBytes.ngrams.size).toBe(ref.ngrams.size);
      let same = 0;
      for (const [key, v] of ref.ngrams) {
        const w = viaBytes.ngrams.get(key);
        if (w !== undefined && w[0] === v[0] && w[1] === v[1]) same++;
      }
      expect(same).toBe(ref.ngrams.size);
    });
  });
});

describe('compiled format versions', () => {
  /** A version-1 file (the word list joined by '\n' instead of the vocabulary hash table). */
  function serializeV1(m: ArpaModel): Uint8Array {
    const t = m.getTables();
    const words: string[] = [];
    for (let i = 0; i < t.vocab.size; i++) words.push(t.vocab.word(i));
    const blob = new TextEncoder().encode(words.join('\n'));
    const a8 = (n: number) => (n + 7) & ~7;
    const sections = [new Uint8Array(t.uniProb.buffer.slice(0)), new Uint8Array(t.uniBackoff.buffer.slice(0)), blob, new Uint8Array(0), ...t.entries.map((e) => new Uint8Array(e.buffer.slice(0)))];
    const headerLen = a8(32 + 12 * t.order);
    const out = new Uint8Array(headerLen + sections.reduce((a, s) => a + a8(s.byteLength), 0));
    const dv = new DataView(out.buffer);
    out.set(new TextEncoder().encode('CTCENSLM'));
    dv.setUint32(8, 1, true);
    dv.setUint32(12, t.order, true);
    dv.setUint32(16, t.vocab.size, true);
    dv.setUint32(20, blob.byteLength, true);
    for (let k = 1; k <= t.order; k++) {
      dv.setUint32(32 + 12 * (k - 1), t.counts[k - 1], true);
      dv.setUint32(36 + 12 * (k - 1), t.stored[k - 1], true);
      dv.setUint32(40 + 12 * (k - 1), k === 1 ? t.vocab.size : t.entries[k - 2].length / (k < t.order ? 4 : 3), true);
    }
    let off = headerLen;
    for (const s of sections) {
      out.set(s, off);
      off += a8(s.byteLength);
    }
    return out;
  }

  it('the vocabulary of a loaded binary is views of the file bytes (no word strings built)', () => {
    const bin = serializeModel(toy());
    const b = deserializeModel(bin);
    const v = b.getTables().vocab;
    for (const a of [v.bytes, v.offsets, v.table]) expect(a.buffer).toBe(bin.buffer);
    expect(b.wordId('b')).toBe(toy().wordId('b'));
    expect(b.wordId('nope')).toBe(0);
  });

  it('refuses version 1 and unknown versions with a recompile hint', () => {
    const m = toy();
    expect(() => deserializeModel(serializeV1(m), 'old.bin')).toThrow(/old\.bin: not a valid compiled LM: format version 1, this program reads version 2: recompile it from the ARPA file with `ensemble lm compile`/);
    const v9 = serializeModel(m);
    new DataView(v9.buffer).setUint32(8, 9, true);
    expect(() => deserializeModel(v9, 'x.bin')).toThrow(/format version 9.*ensemble lm compile/);
  });
});
