import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnsemble } from '../../src/ensemble/build.js';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import type { EnsembleJson } from '../../src/ensemble/format.js';
import { loadCtcModel } from '../../src/models/load.js';
import type { CtcModel } from '../../src/models/types.js';
import { UserError } from '../../src/util/errors.js';
import { fixtureYaml, makeFixture, type Fixture } from '../helpers/ensemble-fixture.js';

/** A model loader that counts ONNX passes (run / runFeatures) across all models it loaded. */
function countingLoader(): { load: (dir: string) => Promise<CtcModel>; passes: () => number } {
  let passes = 0;
  return {
    passes: () => passes,
    load: async (dir: string) => {
      const m = await loadCtcModel(dir);
      const wrap = <T extends (...a: never[]) => Promise<unknown>>(f: T): T =>
        (async (...a: never[]) => {
          passes++;
          return f(...a);
        }) as T;
      const anyM = m as unknown as Record<string, unknown>;
      anyM.run = wrap(m.run.bind(m));
      if (typeof anyM.runFeatures === 'function') anyM.runFeatures = wrap((anyM.runFeatures as (...a: never[]) => Promise<unknown>).bind(m));
      return m;
    },
  };
}

const quiet = { progress: false as const, log: () => undefined };

describe('ensemble build + infer: 2 models', () => {
  let fx: Fixture;
  let yaml: string;
  let built: Awaited<ReturnType<typeof buildEnsemble>>;
  const logs: string[] = [];
  beforeAll(async () => {
    fx = makeFixture(mkdtempSync(path.join(os.tmpdir(), 'ens2-')), { domains: 2, train: 12 });
    yaml = path.join(fx.root, 'ensemble.yaml');
    writeFileSync(yaml, fixtureYaml(fx, { maxTraining: 10 }));
    built = await buildEnsemble(yaml, { progress: false, log: (s) => logs.push(s) });
  });

  it('writes DIR/ensemble.json from output_path (a .nemo name becomes a folder)', () => {
    expect(built.outDir).toBe(path.join(fx.root, 'out', 'ensemble'));
    expect(logs.join('\n')).toMatch(/output_path ensemble\.nemo: this runtime writes an ensemble folder/);
    const j = JSON.parse(readFileSync(path.join(built.outDir, 'ensemble.json'), 'utf8')) as EnsembleJson;
    expect(j.format).toBe('ctc-ensemble');
    expect(j.schemaVersion).toBe(1);
    expect(j.models.map((m) => m.name)).toEqual(['dom0', 'dom1']);
    expect(j.models[0]).toMatchObject({ path: '../../models/model0', layout: 'nemo', blankId: 6, vocabSize: 7, lm: null, devManifest: null });
    expect(j.models[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(j.confidence).toEqual({ excludeBlank: true, aggregation: 'mean', method: 'entropy', entropyType: 'renyi', entropyNorm: 'lin', alpha: 0.25 });
    expect(j.temperature).toBe(1);
    expect(j.selector.format).toBe('ctc-ensemble/selector');
    expect(j.selector.multiClass).toBe('multinomial');
    const t = j.training!;
    // max_training_samples 10 of 12 lines, sampled as NeMo would
    expect(t.utterancesPerClass).toEqual({ dom0: 10, dom1: 10 });
    expect(t.trainAccuracy).toBe(1);
    expect(t.devAccuracy).toBeNull();
    expect(t.chosen).toMatchObject({ C: 10000, multiClass: 'multinomial', classWeight: 'balanced' });
    expect(t.trainConfusion).toEqual([
      [10, 0],
      [0, 10],
    ]);
    expect(t.modelPasses).toBe(2 * 20);
  });

  it('subsamples with CPython random.sample(lines, 10) after random.seed(0), sequentially over manifests', () => {
    // python3 -c "import random; random.seed(0); print(random.sample(range(12), 10), random.sample(range(12), 10))"
    //   [6, 11, 0, 4, 7, 3, 2, 10, 5, 8] [3, 8, 2, 4, 9, 6, 0, 10, 7, 11]
    expect(built.training.map((set) => set.map((e) => e.line - 1))).toEqual([
      [6, 11, 0, 4, 7, 3, 2, 10, 5, 8],
      [3, 8, 2, 4, 9, 6, 0, 10, 7, 11],
    ]);
    expect(built.training[1][0].audioFilepath).toBe('wav/train/dom1_3.wav');
    expect(built.stats.audioFiles).toBe(20);
    expect(existsSync(path.join(built.outDir, '.cache'))).toBe(true);
  });

  it('selects the model of the utterance domain and returns its transcript', async () => {
    const ens = await Ensemble.load(built.outDir);
    try {
      expect(ens.members().map((m) => [m.name, m.vocabSize, m.blankId, m.lm])).toEqual([
        ['dom0', 7, 6, null],
        ['dom1', 7, 6, null],
      ]);
      for (const [d, dom] of fx.domains.entries()) {
        for (const [u, file] of dom.testFiles.entries()) {
          const r = await ens.transcribe(file, { all: true });
          expect(r.model).toBe(dom.name);
          expect(r.modelIndex).toBe(d);
          expect(r.text).toBe(dom.testTexts[u]);
          expect(Object.keys(r.probabilities)).toEqual(['dom0', 'dom1']);
          expect(r.probabilities[dom.name]).toBeGreaterThan(0.5);
          expect(r.probabilities.dom0! + r.probabilities.dom1!).toBeCloseTo(1, 12);
          expect(r.confidences[dom.name]).toBeGreaterThan(r.confidences[fx.domains[1 - d].name]);
          expect(r.transcripts).toHaveLength(2);
          expect(r.transcripts![1 - d].text).toBe(dom.testTexts[u].toUpperCase());
          expect(r.decoding).toBe('greedy');
          for (const k of ['decode', 'features', 'models', 'confidence', 'selector', 'lm', 'total']) expect(r.timingsMs[k]).toBeGreaterThanOrEqual(0);
          expect(r.audioSeconds).toBeGreaterThan(0.3);
        }
      }
      // concurrent calls, from bytes and from samples
      const files = fx.domains.flatMap((d) => d.testFiles);
      const rs = await Promise.all(files.map((f) => ens.transcribe(new Uint8Array(readFileSync(f)))));
      expect(rs.map((r) => r.text)).toEqual(fx.domains.flatMap((d) => d.testTexts));
    } finally {
      await ens.dispose();
    }
  });

  it('a second build resumes from the cache: no model passes, same result', async () => {
    const c = countingLoader();
    const again = await buildEnsemble(yaml, { ...quiet, loadModel: c.load });
    expect(c.passes()).toBe(0);
    expect(again.stats.modelPasses).toBe(0);
    expect(again.stats.cachedPasses).toBe(2 * 20);
    expect(again.stats.audioDecodes).toBe(0);
    expect(again.ensemble.selector).toEqual(built.ensemble.selector);
  });

  it('an interrupted build redoes only the missing passes', async () => {
    const out = path.join(fx.root, 'partial');
    // first build on a smaller sample (5 per manifest) fills part of the cache
    writeFileSync(yaml, fixtureYaml(fx, { maxTraining: 5 }));
    const c1 = countingLoader();
    await buildEnsemble(yaml, { ...quiet, outDir: out, loadModel: c1.load });
    expect(c1.passes()).toBe(2 * 10);
    writeFileSync(yaml, fixtureYaml(fx, { maxTraining: 10 }));
    const c2 = countingLoader();
    const r = await buildEnsemble(yaml, { ...quiet, outDir: out, loadModel: c2.load });
    // random.sample(range(12), 5) is a prefix of random.sample(range(12), 10) for the first manifest only
    expect(r.stats.cachedPasses + r.stats.modelPasses).toBe(2 * 20);
    expect(c2.passes()).toBe(r.stats.modelPasses);
    expect(r.stats.cachedPasses).toBeGreaterThanOrEqual(2 * 5);
  });

  afterAll(() => {
    writeFileSync(yaml, fixtureYaml(fx, { maxTraining: 10 }));
  });
});

describe('ensemble build: 3 models, two front ends, NeMo tuning with dev manifests', () => {
  let fx: Fixture;
  beforeAll(() => {
    fx = makeFixture(mkdtempSync(path.join(os.tmpdir(), 'ens3-')), { domains: 3, train: 8, dev: 4, test: 3, mel64: [2] });
  });

  it('untuned: selects correctly among 3 models', async () => {
    const yaml = path.join(fx.root, 'e.yaml');
    writeFileSync(yaml, fixtureYaml(fx));
    const r = await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'e3') });
    expect(r.ensemble.training!.trainAccuracy).toBe(1);
    expect(r.stats.modelPasses).toBe(3 * 24);
    const ens = await Ensemble.load(r.outDir);
    try {
      for (const [d, dom] of fx.domains.entries()) {
        for (const [u, file] of dom.testFiles.entries()) {
          const res = await ens.transcribe(file);
          expect([res.model, res.text]).toEqual([dom.name, dom.testTexts[u]]);
          expect(res.modelIndex).toBe(d);
          expect(Object.values(res.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        }
      }
    } finally {
      await ens.dispose();
    }
  });

  it('tune_confidence + LR tuning: 144 specs × 44 settings, dev accuracy, first best wins; reuses the untuned cache', async () => {
    const yaml = path.join(fx.root, 't.yaml');
    writeFileSync(yaml, fixtureYaml(fx, { dev: true, more: 'tune_confidence: true' }));
    const c = countingLoader();
    const r = await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 't3'), loadModel: c.load, cacheDir: path.join(fx.root, 'e3', '.cache') });
    // training passes come from the untuned build's cache; only the 12 dev files run
    expect(r.stats.cachedPasses).toBe(3 * 24);
    expect(r.stats.modelPasses).toBe(3 * 12);
    const t = r.ensemble.training!;
    expect(t.tuneConfidence).toBe(true);
    expect(t.tuneLogisticRegression).toBe(true);
    expect(t.specsTried).toBe(144);
    expect(t.devAccuracy).toBe(1);
    expect(t.devUtterancesPerClass).toEqual({ dom0: 4, dom1: 4, dom2: 4 });
    // every spec separates these domains perfectly, so the first spec and the first LR setting win
    expect(t.chosen.confidence).toEqual({ excludeBlank: true, aggregation: 'mean', method: 'entropy', entropyType: 'renyi', entropyNorm: 'exp', alpha: 0.25 });
    expect(r.ensemble.confidence).toEqual(t.chosen.confidence);
    expect(t.chosen.classWeight).toBeNull();
    expect(t.chosen.multiClass).toBe('ovr');
    expect(r.ensemble.models[2].devManifest).toBe('../data/dom2.dev.jsonl');
  });

  it('build errors: missing audio listed together, no output folder', async () => {
    const bad = path.join(fx.root, 'bad.jsonl');
    writeFileSync(bad, ['{"audio_filepath": "nope1.wav"}', '{"audio_filepath": "data/wav/train/dom0_0.wav"}', '{"audio_filepath": "nope2.wav"}'].join('\n'));
    const yaml = path.join(fx.root, 'bad.yaml');
    writeFileSync(yaml, fixtureYaml(fx).replace(path.relative(fx.root, fx.domains[1].train), 'bad.jsonl'));
    const e = await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'bad') }).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toMatch(/2 audio file\(s\) not found/);
    expect(e.message).toMatch(/line 1: .*nope1\.wav/);
    expect(e.message).toMatch(/line 3: .*nope2\.wav/);
    writeFileSync(yaml, fixtureYaml(fx).replace('output_path: out/ensemble.nemo\n', ''));
    const e2 = await buildEnsemble(yaml, quiet).catch((x: unknown) => x as Error);
    expect(e2.message).toMatch(/no output folder: set output_path in the config or pass -o DIR/);
  });

  it('a manifest with offset spans is refused, naming its line: build reads whole files, as NeMo does', async () => {
    const spans = path.join(fx.root, 'spans.jsonl');
    writeFileSync(
      spans,
      ['{"audio_filepath": "data/wav/train/dom0_0.wav", "duration": 1}', '{"audio_filepath": "data/wav/train/dom0_1.wav", "offset": 0.5, "duration": 1}'].join(
        '\n',
      ),
    );
    const yaml = path.join(fx.root, 'spans.yaml');
    writeFileSync(yaml, fixtureYaml(fx).replace(path.relative(fx.root, fx.domains[1].train), 'spans.jsonl'));
    const e = await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'spans') }).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toMatch(/spans\.jsonl:2: "offset" 0\.5: ensemble build reads whole audio files, as NeMo's build_ensemble\.py does/);
    expect(existsSync(path.join(fx.root, 'spans', 'ensemble.json'))).toBe(false);
  });
});
