/**
 * Members on worker threads of their own (the compiled dist/ build: the worker script is JavaScript) give
 * the same results as members in this thread: transcription and `ensemble build`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnsemble } from '../../src/ensemble/build.js';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import { loadCtcModel } from '../../src/models/load.js';
import { RunSlots, sharingEndsSooner } from '../../src/runtime/member-workers.js';
import type { CtcModel } from '../../src/models/types.js';
import { ensureBuilt } from '../helpers/cli.js';
import { fixtureYaml, makeFixture } from '../helpers/ensemble-fixture.js';
import { repoRoot } from '../helpers/shared.js';
import { buildTinyEnsemble, toneWav, type TinyEnsemble } from '../helpers/tiny-ensemble.js';

type MemberModule = typeof import('../../src/runtime/member-workers.js');

let tiny: TinyEnsemble;
let mod: MemberModule;
const open: Array<{ dispose(): Promise<void> }> = [];

beforeAll(async () => {
  await ensureBuilt();
  tiny = await buildTinyEnsemble({ test: 6 });
  mod = (await import(pathToFileURL(path.join(repoRoot, 'dist', 'runtime', 'member-workers.js')).href)) as MemberModule;
  expect(mod.memberWorkersAvailable()).toBe(true);
}, 300_000);

afterAll(async () => {
  await Promise.all(open.map((o) => o.dispose()));
});

describe('members on worker threads', () => {
  it('transcribe gives exactly what the in-thread ensemble gives (text, confidences, probabilities)', async () => {
    const sequential = await Ensemble.load(tiny.dir);
    const parallel = await Ensemble.load(tiny.dir, { loadModel: (d) => mod.loadCtcModelInWorker(d) });
    open.push(sequential, parallel);
    const inputs = [...tiny.fx.domains.flatMap((d) => d.testFiles), toneWav(tiny.fx, 'abba'), toneWav(tiny.fx, 'cdc', 8000)];
    for (const input of inputs) {
      const [a, b] = await Promise.all([sequential.transcribe(input, { all: true }), parallel.transcribe(input, { all: true })]);
      expect(b.text).toBe(a.text);
      expect(b.model).toBe(a.model);
      expect(b.confidences).toEqual(a.confidences);
      expect(b.probabilities).toEqual(a.probabilities);
      expect(b.transcripts).toEqual(a.transcripts);
    }
    // Requests in flight at once share the member workers.
    const many = await Promise.all(inputs.map((x) => parallel.transcribe(x)));
    const one = await Promise.all(inputs.map((x) => sequential.transcribe(x)));
    expect(many.map((r) => [r.text, r.confidences])).toEqual(one.map((r) => [r.text, r.confidences]));
  }, 120_000);

  it('the posteriors are bit-identical to an in-thread session', async () => {
    const dir = tiny.fx.domains[0].modelDir;
    const local = await loadCtcModel(dir);
    const remote: CtcModel = await mod.loadCtcModelInWorker(dir);
    open.push(local, remote);
    expect([remote.vocabulary, remote.blankId, remote.frontEnd, remote.onnxFile]).toEqual([local.vocabulary, local.blankId, local.frontEnd, local.onnxFile]);
    const x = new Float32Array(8000).map((_, i) => 0.3 * Math.sin(i * 0.11));
    const a = await local.run(x, { temperature: 1.7 });
    const b = await remote.run(x, { temperature: 1.7 });
    expect(b.frames).toBe(a.frames);
    expect(b.data).toEqual(a.data);
    // `run` computes the front end in the worker; `runFeatures` takes this thread's: the same posteriors.
    expect(remote.frontEndOffThread).toBe(true);
    const c = await remote.runFeatures!(local.computeFeatures!(x), { temperature: 1.7 });
    expect(c.data).toEqual(a.data);
    // A view into a longer buffer (a segment, a prefix) gives the same posteriors.
    const longer = new Float32Array(20000);
    longer.set(x, 5000);
    expect((await remote.run(longer.subarray(5000, 13000), { temperature: 1.7 })).data).toEqual(a.data);
    await expect(remote.run(x, { temperature: 0 })).rejects.toThrow(/temperature must be a positive number/);
  }, 60_000);

  it('a worker thread that dies settles the call in flight and fails later ones with a clear error', async () => {
    const remote = await mod.loadCtcModelInWorker(tiny.fx.domains[1].modelDir);
    const x = new Float32Array(16000).map((_, i) => 0.3 * Math.sin(i * 0.2));
    await remote.run(x);
    // In flight when the thread dies: rejected (or answered, if the reply won the race), never left pending.
    const pending = remote.run(x).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await (remote as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(await pending).toMatch(/^answered$|worker thread of model .* died/);
    await expect(remote.run(x)).rejects.toThrow(/worker thread of model .* died/);
    await remote.dispose();
  }, 60_000);

  it('a folder that does not load is a clear error naming it', async () => {
    await expect(mod.loadCtcModelInWorker(path.join(tiny.fx.root, 'no-such-model'))).rejects.toThrow(/model folder not found/);
  }, 60_000);

  it('ensemble build with members on worker threads writes the same selector and accuracies', async () => {
    const fx = makeFixture(path.join(tiny.fx.root, 'b3'), { domains: 3, train: 8, dev: 2, test: 2, mel64: [2] });
    const yaml = path.join(fx.root, 'e.yaml');
    writeFileSync(yaml, fixtureYaml(fx));
    const quiet = { progress: false as const, log: () => undefined, cacheDir: false as const };
    const a = await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'seq') });
    const b = await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'par'), loadModel: (d) => mod.loadCtcModelInWorker(d) });
    const strip = (file: string) => {
      const j = JSON.parse(readFileSync(file, 'utf8'));
      delete j.createdAt;
      delete j.training.buildSeconds;
      return j;
    };
    expect(strip(b.file)).toEqual(strip(a.file));
    expect(b.stats.modelPasses).toBe(a.stats.modelPasses);
  }, 120_000);
});

describe('member runs scheduled on the cores', () => {
  it('sharing the cores by one run more only where it is predicted to end sooner', () => {
    // The demo's small members on 2 cores: digits 5.7 ms left, vi 3.9 running, en 3.6 asked for: 7.5 either way.
    expect(sharingEndsSooner([5.7, 3.9], 3.6, 2)).toBe(true);
    // Production-size members: digits 57 ms left, en 31 running, vi 30 asked for: sharing 72, waiting 61.
    expect(sharingEndsSooner([57, 31], 30, 2)).toBe(false);
    // Within 1.1 × waiting + 2 ms: 20 + 10/2 = 25 against max(20, 10 + 10) = 20 (→ 24): wait; 21.5: share.
    expect(sharingEndsSooner([20, 10], 10, 2)).toBe(false);
    expect(sharingEndsSooner([20, 10], 3, 2)).toBe(true);
    // The demo's vi_1 with a slow digits run: 7 + 3.3/2 = 8.65 against max(7, 3.3 + 3.3) = 7 (→ 9.7): share.
    expect(sharingEndsSooner([7, 3.3], 3.3, 2)).toBe(true);
    // Nothing known yet (no run measured): share, as every member at once did before.
    expect(sharingEndsSooner([0, 0], 0, 2)).toBe(true);
    // One core: never.
    expect(sharingEndsSooner([5], 1, 1)).toBe(false);
    // A short run beside two long ones: 10 + 1/2 ≤ max(10, 10 + 1).
    expect(sharingEndsSooner([10, 10], 1, 2)).toBe(true);
  });

  it('longest first within a request, older requests first, a run more only when sharing ends sooner', async () => {
    const slots = new RunSlots(2);
    const started: string[] = [];
    const runs = new Map<string, Parameters<Parameters<RunSlots['acquire']>[0]>[0]>();
    const ask = (name: string, cost: number): void => slots.acquire((run) => (started.push(name), runs.set(name, run)), cost);
    ask('digits', 59_000); // alone with its front end: asked for first, starts at once
    expect(started).toEqual(['digits']);
    ask('vi', 30_000); // the other two, asked for together after the shared front end
    ask('en', 31_000);
    expect(started).toEqual(['digits']); // the last free core waits for the end of the turn
    await Promise.resolve();
    // en (the longer) takes the last core; vi waits: sharing would end at 59 + 30/2 = 74 s, waiting at 61 s.
    expect(started).toEqual(['digits', 'en']);
    ask('next request', 20_000); // a later group: behind vi
    await Promise.resolve();
    expect(started).toEqual(['digits', 'en']);
    slots.release(runs.get('en')!);
    // vi takes the free core; the next request waits (sharing 59 + 20/2 s, waiting 59 s).
    expect(started).toEqual(['digits', 'en', 'vi']);
    expect(slots.started).toBe(2);
    slots.release(runs.get('vi')!);
    expect(started.at(-1)).toBe('next request');
    // The core-time a run did comes back with it (wall time here: it never shared a core).
    const t0 = performance.now();
    while (performance.now() - t0 < 5);
    expect(slots.release(runs.get('digits')!)).toBeGreaterThanOrEqual(5);
    slots.release(runs.get('next request')!);
    expect(slots.started).toBe(0);
  });

  it('runs of unknown length share the cores by one run more, as every member started at once', async () => {
    const slots = new RunSlots(2);
    let n = 0;
    for (let i = 0; i < 4; i++) slots.acquire(() => n++, 0);
    await Promise.resolve();
    expect(n).toBe(3);
    const unlimited = new RunSlots(Infinity);
    for (let i = 0; i < 4; i++) unlimited.acquire(() => n++, 1000);
    expect(n).toBe(7);
  });

  it('with one core for all member workers, results are the same and a dead worker does not hold the core', async () => {
    const before = mod.memberRunSlots();
    expect(() => mod.memberRunSlots(0)).toThrow(/positive integer or Infinity/);
    const [a, b] = await Promise.all([mod.loadCtcModelInWorker(tiny.fx.domains[0].modelDir), mod.loadCtcModelInWorker(tiny.fx.domains[1].modelDir)]);
    const local = await loadCtcModel(tiny.fx.domains[0].modelDir);
    open.push(a, b, local);
    const x = new Float32Array(16000).map((_, i) => 0.3 * Math.sin(i * 0.07));
    try {
      mod.memberRunSlots(1);
      const first = a.run(x); // on the core
      const waiting = b.run(x); // waits for it
      await (b as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      await expect(waiting).rejects.toThrow(/worker thread of model .* died/);
      expect((await first).data).toEqual((await local.run(x)).data);
      // The core came back: later runs start.
      const replies: Array<{ type: string; costMs?: number }> = [];
      const worker = (a as unknown as { worker: { on(e: 'message', f: (m: { type: string; costMs?: number }) => void): void } }).worker;
      worker.on('message', (m) => replies.push(m));
      const t0 = performance.now();
      const again = await Promise.all([a.run(x), a.run(x)]);
      const wall = performance.now() - t0;
      expect(again[1].data).toEqual(again[0].data);
      // The worker reports what each run cost (what the schedule learns the model's cost from): within the wall time.
      expect(replies.filter((m) => m.type === 'result')).toHaveLength(2);
      for (const r of replies) expect(r.costMs).toBeGreaterThan(0);
      expect(replies[0].costMs! + replies[1].costMs!).toBeLessThanOrEqual(wall);
    } finally {
      mod.memberRunSlots(before);
    }
  }, 60_000);
});
