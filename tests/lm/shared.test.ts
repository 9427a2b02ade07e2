import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadLanguageModel, loadSharedLmBuffer, modelFromSharedBuffer } from '../../src/lm/index.js';
import { ensureBuilt } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lm-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARPA = `\\data\\
ngram 1=5
ngram 2=3

\\1-grams:
-1.2\t<unk>\t0
0\t<s>\t-0.3
-0.6\t</s>\t0
-0.5\ta\t-0.2
-0.7\tb\t-0.1

\\2-grams:
-0.25\t<s> a
-0.35\ta b
-0.15\tb </s>

\\end\\
`;

describe('one LM in memory for every worker thread', () => {
  const file = path.join(dir, 'toy.arpa');
  writeFileSync(file, ARPA);
  beforeAll(async () => {
    await ensureBuilt();
  }, 300_000);

  it('a model over the shared buffer scores as the file does, with its tables as views of that buffer', async () => {
    const shared = await loadSharedLmBuffer(file);
    const m = modelFromSharedBuffer(shared, file);
    const plain = await loadLanguageModel(file);
    expect(m.scoreSentence(['a', 'b']).total).toBeCloseTo(plain.scoreSentence(['a', 'b']).total, 6);
    const t = m.getTables();
    for (const a of [t.uniProb, t.uniBackoff, t.vocab.bytes, t.vocab.offsets, t.vocab.table, ...t.entries]) expect(a.buffer).toBe(shared);
  });

  it('two worker threads see the same LM memory (one allocation): a change made through it reaches both', async () => {
    const shared = await loadSharedLmBuffer(file);
    const moduleUrl = pathToFileURL(path.join(repoRoot, 'dist', 'lm', 'shared.js')).href;
    // each worker builds its model over the buffer, then scores "a" (unigram, null context) on request
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(${JSON.stringify(moduleUrl)}).then(({ modelFromSharedBuffer }) => {
        const m = modelFromSharedBuffer(workerData.shared);
        const t = m.getTables();
        parentPort.postMessage({ shared: t.uniProb.buffer instanceof SharedArrayBuffer, bytes: t.uniProb.buffer.byteLength });
        parentPort.on('message', () => {
          const r = m.scoreWord(m.nullContextState(), 'a');
          parentPort.postMessage({ log10: r.log10 });
        });
      });`;
    const workers = [0, 1].map(() => new Worker(code, { eval: true, workerData: { shared } }));
    try {
      const next = (w: Worker) => new Promise<Record<string, unknown>>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
      const ready = await Promise.all(workers.map(next));
      for (const r of ready) expect(r).toEqual({ shared: true, bytes: shared.byteLength });
      const ask = () => Promise.all(workers.map((w) => {
        const p = next(w);
        w.postMessage('score');
        return p;
      }));
      for (const r of await ask()) expect(r.log10).toBeCloseTo(-0.5, 6);
      // overwrite p(a) in the main thread's view of the same memory: both workers now read the new value
      const mine = modelFromSharedBuffer(shared);
      const aId = mine.wordId('a');
      mine.getTables().uniProb[aId] = -0.125;
      for (const r of await ask()) expect(r.log10).toBeCloseTo(-0.125, 6);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });
});
