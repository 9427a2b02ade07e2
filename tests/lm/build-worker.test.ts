/**
 * `lm build` on two threads (build-worker.ts; the compiled dist/ build: the worker script is JavaScript)
 * gives the same bytes as on one: counting with the higher orders on the worker (in many small batches,
 * so that the reader waits for the worker), the in-memory ARPA writer with every order split into many
 * small blocks claimed by both threads, with pruning and a vocabulary limit (pruned lines' words still
 * feed the order above), the sort done by the worker while the main thread estimates (buildArpa) and by
 * the main thread (writeArpa), and a build that spills after counting on two threads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt } from '../helpers/cli.js';
import { zipfCorpus } from '../helpers/random.js';
import { repoRoot } from '../helpers/shared.js';

type BuildModule = typeof import('../../src/lm/build.js');
type WriteModule = typeof import('../../src/lm/arpa-write.js');
type EstimateModule = typeof import('../../src/lm/estimate.js');
let build: BuildModule;
let write: WriteModule;
let est: EstimateModule;
const dir = mkdtempSync(path.join(os.tmpdir(), 'lm-arpa-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await ensureBuilt();
  const load = async (f: string): Promise<unknown> => import(pathToFileURL(path.join(repoRoot, 'dist', 'lm', f)).href);
  build = (await load('build.js')) as BuildModule;
  write = (await load('arpa-write.js')) as WriteModule;
  est = (await load('estimate.js')) as EstimateModule;
}, 300_000);

const FALLBACK = [0.5, 1, 1.5] as const;
const ONE_THREAD = { secondThread: 'never' } as const;
// every build takes the two-thread paths: counted in batches of ~1,000 numbers, printed in blocks of a few lines (odd sizes)
const TWO_THREADS = { secondThread: 'always', parallelMinNgrams: 0, blockLines: 37, countMinCorpusBytes: 0, countBatchNumbers: 1000 } as const;

describe('lm build on two threads', () => {
  it('the worker script is there in dist/ (the two-thread path runs)', () => {
    const w = write.startBuildWorker();
    expect(w).toBeDefined();
    void w!.terminate();
  });

  it.each([2, 3, 4, 5, 6])('order %i: byte-identical to one thread, also pruned and with a vocabulary limit', async (order) => {
    const corpus = path.join(dir, `zipf-${order}.txt`);
    writeFileSync(corpus, zipfCorpus(6000, 3000, order));
    const limitVocab = new Set(Array.from({ length: 1500 }, (_, i) => `w${2 * i + 1}`));
    for (const opts of [{}, { prune: Array.from({ length: order }, (_, i) => (i < 2 ? 0 : 1)) }, { limitVocab }]) {
      const one = path.join(dir, `one-${order}.arpa`);
      const two = path.join(dir, `two-${order}.arpa`);
      const base = { order, discountFallback: FALLBACK, memoryBytes: 2 ** 30, ...opts };
      const a = await build.buildArpa(corpus, one, { ...base, parallel: ONE_THREAD });
      const b = await build.buildArpa(corpus, two, { ...base, parallel: TWO_THREADS });
      expect([a.spilled, b.spilled]).toEqual([false, false]);
      const x = readFileSync(one);
      expect(x.length).toBeGreaterThan(10_000);
      expect(readFileSync(two).equals(x)).toBe(true);
    }
  }, 120_000);

  it('counted on two threads, then spilled (the tables of the worker come back at the first spill): the same bytes as in memory', async () => {
    const corpus = path.join(dir, 'zipf-spill.txt');
    writeFileSync(corpus, zipfCorpus(8000, 5000, 11));
    const tmpDir = mkdtempSync(path.join(dir, 'T-'));
    const base = { order: 5, discountFallback: FALLBACK };
    const a = await build.buildArpa(corpus, path.join(dir, 'sm.arpa'), { ...base, memoryBytes: 2 ** 30, parallel: ONE_THREAD });
    const b = await build.buildArpa(corpus, path.join(dir, 'sd.arpa'), { ...base, memoryBytes: 64 * 1024, tempDir: tmpDir, parallel: TWO_THREADS });
    expect([a.spilled, b.spilled]).toEqual([false, true]);
    expect(readFileSync(path.join(dir, 'sd.arpa')).equals(readFileSync(path.join(dir, 'sm.arpa')))).toBe(true);
  }, 60_000);

  it('a corpus error while counting on two threads: a clear error, no temp files left', async () => {
    const corpus = path.join(dir, 'zipf-bad.txt');
    writeFileSync(corpus, zipfCorpus(3000, 2000, 12) + 'a <s> b\n');
    const out = path.join(dir, 'bad', 'x.arpa');
    await expect(build.buildArpa(corpus, out, { order: 4, discountFallback: FALLBACK, parallel: TWO_THREADS })).rejects.toThrow(/special word <s>/);
    expect(readdirSync(path.dirname(out))).toEqual([]);
  }, 60_000);

  it('writeArpa sorting on the main thread, the worker printing: the same bytes', async () => {
    const corpus = path.join(dir, 'zipf-w.txt');
    writeFileSync(corpus, zipfCorpus(3000, 2000, 9));
    const r = await est.buildFromCorpus(corpus, { order: 4, discountFallback: FALLBACK });
    await write.writeArpa(r.model, path.join(dir, 'w1.arpa'), { parallelMinNgrams: Number.MAX_SAFE_INTEGER });
    await write.writeArpa(r.model, path.join(dir, 'w2.arpa'), { parallelMinNgrams: 0, blockLines: 5 });
    expect(readFileSync(path.join(dir, 'w2.arpa')).equals(readFileSync(path.join(dir, 'w1.arpa')))).toBe(true);
  }, 60_000);
});
