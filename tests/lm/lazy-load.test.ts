import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArpaModel, emptyTextScoreTotals, loadLanguageModel, readArpaFile, readBinaryModel, writeBinaryModel, type WordScore } from '../../src/lm/index.js';
import { buildFromCorpus } from '../../src/lm/estimate.js';
import { writeArpa } from '../../src/lm/arpa-write.js';
import { isUserError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lm-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const arpaFile = path.join(dir, 'lm.arpa');
const binFile = path.join(dir, 'lm.bin');
/** Small chunks, so that this small model has thousands of them and lookups meet many that are not read yet. */
const TINY = { chunkBytes: 256, readBytes: 1024 };
let ngrams: string[][] = [];
let sentences: string[][] = [];

/** Deterministic text over a Zipf-like vocabulary of 400 words. */
function corpus(lines: number): string[][] {
  let x = 12345;
  const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296);
  const out: string[][] = [];
  for (let i = 0; i < lines; i++) {
    const n = 3 + Math.floor(rand() * 12);
    const s: string[] = [];
    for (let j = 0; j < n; j++) s.push(`w${Math.floor(400 * rand() ** 2.5)}`);
    out.push(s);
  }
  return out;
}

/** Per-word scores of every n-gram of the ARPA file (its words scored in order; `<s>` as sentence start). */
function scoreNgrams(m: ArpaModel): WordScore[][] {
  return ngrams.map((g) => (g[0] === '<s>' ? m.scoreSentence(g.slice(1), { bos: true, eos: false }) : m.scoreSentence(g, { bos: false, eos: false })).words);
}

beforeAll(async () => {
  const text = corpus(4000);
  writeFileSync(path.join(dir, 'corpus.txt'), text.map((s) => s.join(' ')).join('\n') + '\n');
  const r = await buildFromCorpus(path.join(dir, 'corpus.txt'), { order: 4, discountFallback: [0.5, 1, 1.5] });
  await writeArpa(r.model, arpaFile);
  await writeBinaryModel(await readArpaFile(arpaFile), binFile);
  ngrams = readFileSync(arpaFile, 'utf8')
    .split('\n')
    .filter((l) => /^-?[0-9.]+\t/.test(l))
    .map((l) => l.split('\t')[1].split(' '));
  sentences = corpus(300).map((s, i) => (i % 7 === 0 ? [...s, 'never-seen'] : s));
}, 120_000);

describe('lazy load of a compiled LM', () => {
  it('the test model spans thousands of chunks and has n-grams of every order', () => {
    expect(statSync(binFile).size / TINY.chunkBytes).toBeGreaterThan(2000);
    for (let k = 1; k <= 4; k++) expect(ngrams.filter((g) => g.length === k).length).toBeGreaterThan(100);
  });

  it('returns before the tables are read; every n-gram scores as with a full read, before and after residency', async () => {
    const full = await readBinaryModel(binFile, 'read');
    const want = scoreNgrams(full);
    const lazy = await readBinaryModel(binFile, 'lazy', TINY);
    expect(lazy.loading).toBe(true);
    // synchronously, before any background read can count: every lookup reads the chunks it touches itself
    // (this touches them all, so the model is resident at the end of it, without an event-loop turn)
    const before = scoreNgrams(lazy);
    expect(before).toEqual(want);
    await lazy.whenResident();
    expect(lazy.loading).toBe(false);
    expect(scoreNgrams(lazy)).toEqual(want);
  });

  it('sentences score the same from text bytes and from strings while the tables fill in the background', async () => {
    const full = await readBinaryModel(binFile, 'read');
    const lazy = await readBinaryModel(binFile, 'lazy', TINY);
    const text = Buffer.from(sentences.map((s) => s.join(' ')).join('\n') + '\n');
    const want = emptyTextScoreTotals();
    full.scoreTextLines(text, 0, text.length, want);
    let turns = 0;
    // a line at a time with the event loop turning between them, so that background reads land in between
    while (lazy.loading) {
      const got = emptyTextScoreTotals();
      lazy.scoreTextLines(text, 0, text.length, got);
      expect(got).toEqual(want);
      const i = turns++ % sentences.length;
      expect(lazy.scoreSentence(sentences[i])).toEqual(full.scoreSentence(sentences[i]));
      await new Promise((r) => setImmediate(r));
    }
    expect(turns).toBeGreaterThan(0);
    const got = emptyTextScoreTotals();
    lazy.scoreTextLines(text, 0, text.length, got);
    expect(got).toEqual(want);
  });

  it('getTables reads the rest first: the tables equal a full read byte for byte; loadLanguageModel is lazy by default', async () => {
    const full = (await readBinaryModel(binFile, 'read')).getTables();
    const lazyModel = await loadLanguageModel(binFile);
    expect(lazyModel.loading).toBe(true);
    const lazy = lazyModel.getTables();
    expect(lazyModel.loading).toBe(false);
    expect(lazy.entries.length).toBe(full.entries.length);
    lazy.entries.forEach((e, i) => expect(Buffer.from(e.buffer, e.byteOffset, e.byteLength).equals(Buffer.from(full.entries[i].buffer, full.entries[i].byteOffset, full.entries[i].byteLength))).toBe(true));
    expect(Array.from(lazy.uniProb)).toEqual(Array.from(full.uniProb));
    expect((await loadLanguageModel(binFile, { load: 'read' })).loading).toBe(false);
    // chunks left scattered by a few lookups, then the rest read in runs
    const scattered = await readBinaryModel(binFile, 'lazy', TINY);
    for (const g of ngrams.slice(0, 200)) scattered.scoreSentence(g.filter((w) => w !== '<s>'), { bos: false, eos: false });
    expect(scattered.loading).toBe(true);
    const rest = scattered.getTables();
    rest.entries.forEach((e, i) => expect(Buffer.from(e.buffer, e.byteOffset, e.byteLength).equals(Buffer.from(full.entries[i].buffer, full.entries[i].byteOffset, full.entries[i].byteLength))).toBe(true));
  });

  it('a file cut short after the load returned: the lookup that needs the missing bytes throws a UserError naming the file', async () => {
    const cut = path.join(dir, 'cut.bin');
    copyFileSync(binFile, cut);
    const lazy = await readBinaryModel(cut, 'lazy', TINY);
    truncateSync(cut, Math.floor(statSync(cut).size / 2));
    let error: unknown;
    try {
      scoreNgrams(lazy);
    } catch (e) {
      error = e;
    }
    expect(isUserError(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/cannot read the compiled LM: the file ended at byte \d+/);
    expect((error as { source?: string }).source).toBe(cut);
    await expect(lazy.whenResident()).rejects.toThrow(/cannot read the compiled LM/);
  });

  it('a file cut short before loading is refused at load, as with a full read', async () => {
    const cut = path.join(dir, 'cut2.bin');
    copyFileSync(binFile, cut);
    truncateSync(cut, statSync(cut).size - 100);
    await expect(readBinaryModel(cut, 'lazy')).rejects.toThrow(/cut2\.bin.*truncated file|truncated file/);
    await expect(readBinaryModel(cut, 'read')).rejects.toThrow(/truncated file/);
  });

  it('CLI: `lm info` and `lm score` take --lm-load; lazy and read print the same scores', async () => {
    const lazyInfo = await runCli(['lm', 'info', '--lm-load', 'lazy', binFile]);
    const readInfo = await runCli(['lm', 'info', '--lm-load', 'read', binFile]);
    expect(lazyInfo.code).toBe(0);
    expect(readInfo.code).toBe(0);
    expect(lazyInfo.stdout).toMatch(/load_ms\t[\d.]+\nresident_ms\t[\d.]+\n$/);
    expect(readInfo.stdout).not.toMatch(/resident_ms/);
    const table = (out: string) => out.split('\n').filter((l) => !l.endsWith('_ms') && !/_ms\t/.test(l));
    expect(table(lazyInfo.stdout)).toEqual(table(readInfo.stdout));
    const input = sentences.map((s) => s.join(' ')).join('\n') + '\n';
    const lazyScore = await runCli(['lm', 'score', '--lm', binFile, '--lm-load', 'lazy'], { input });
    const readScore = await runCli(['lm', 'score', '--lm', binFile, '--lm-load', 'read'], { input });
    expect(lazyScore.code).toBe(0);
    expect(lazyScore.stdout).toBe(readScore.stdout);
    expect(lazyScore.stdout).toMatch(/Perplexity including OOVs/);
    const bad = await runCli(['lm', 'info', '--lm-load', 'mmap', binFile]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--lm-load must be lazy or read, got "mmap"/);
  }, 120_000);
});
