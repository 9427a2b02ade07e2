/**
 * Selector features beyond NeMo (`selector: {features: [...]}`): the build and every inference path (short input,
 * long-form per file and per segment, early routing) compute the same values; a selector needing features this
 * runtime does not compute is refused when the ensemble loads.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEnsemble, type BuildResult } from '../../src/ensemble/build.js';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import { summarizeEnsemble } from '../../src/ensemble/summary.js';
import { UserError } from '../../src/util/errors.js';
import { fixtureYaml, makeFixture, type Fixture } from '../helpers/ensemble-fixture.js';

let fx: Fixture;
let built: BuildResult;
let plain: BuildResult;
const quiet = { progress: false as const, log: () => undefined };
const FEATURES = 'selector:\n  features: [confidence, blank_share, token_rate, acoustic]\n  calibration: temperature';

beforeAll(async () => {
  fx = makeFixture(mkdtempSync(path.join(os.tmpdir(), 'selector-features-')), { domains: 2, train: 10, dev: 2, test: 4 });
  const yaml = path.join(fx.root, 'features.yaml');
  writeFileSync(yaml, fixtureYaml(fx, { dev: true, more: FEATURES }));
  built = await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'features') });
  const yamlPlain = path.join(fx.root, 'plain.yaml');
  writeFileSync(yamlPlain, fixtureYaml(fx, { dev: true }));
  plain = await buildEnsemble(yamlPlain, { ...quiet, outDir: path.join(fx.root, 'plain') });
}, 300_000);

describe('selector features', () => {
  it("stores the features, their names and the fitted temperature (selector version 2); the default stays NeMo's (version 1)", () => {
    const sel = built.ensemble.selector;
    expect(sel.version).toBe(2);
    expect(sel.features?.groups).toEqual(['confidence', 'blank_share', 'token_rate', 'acoustic']);
    expect(sel.mean).toHaveLength(sel.features!.names.length);
    expect(sel.features!.names.slice(0, 6)).toEqual([
      'confidence:dom0',
      'confidence:dom1',
      'blank_share:dom0',
      'blank_share:dom1',
      'token_rate:dom0',
      'token_rate:dom1',
    ]);
    expect(sel.probabilityTemperature).toBeGreaterThan(0);
    expect(built.ensemble.training?.calibration?.devNllAfter).toBeLessThanOrEqual(built.ensemble.training!.calibration!.devNllBefore + 1e-12);
    // GET /v1/models says what routes
    expect(summarizeEnsemble(built.ensemble).selector).toMatchObject({
      featureGroups: sel.features!.groups,
      probabilityTemperature: sel.probabilityTemperature,
    });
    expect(summarizeEnsemble(plain.ensemble).selector).toMatchObject({ featureGroups: ['confidence'], probabilityTemperature: 1 });
    expect(plain.ensemble.selector.version).toBe(1);
    expect(plain.ensemble.selector.features).toBeUndefined();
    expect(plain.ensemble.selector.mean).toHaveLength(2);
  });

  it('inference computes the same inputs as the build (short inputs, long-form per file and per segment)', async () => {
    const ens = await Ensemble.load(built.outDir);
    try {
      const files = built.training.flat().map((e) => e.audioPath);
      for (const [n, file] of files.entries()) {
        const want = ens.selector.predictProba([built.selectorInputs.train[n]])[0];
        for (const route of ['file', 'segment'] as const) {
          const r = await ens.transcribe(file, { route });
          ens.names.forEach((name, k) => expect(r.probabilities[name]).toBeCloseTo(want[k], 9));
        }
      }
    } finally {
      await ens.dispose();
    }
  });

  it('a re-build from the cache gives the same inputs', async () => {
    const again = await buildEnsemble(path.join(fx.root, 'features.yaml'), { ...quiet, outDir: path.join(fx.root, 'features') });
    expect(again.stats.cachedPasses).toBe(again.stats.audioFiles * 2);
    expect(again.stats.audioDecodes).toBe(0);
    again.selectorInputs.train.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(built.selectorInputs.train[i][j], 12)));
  });

  it('early routing builds and routes on the prefix with the same features', async () => {
    const yaml = path.join(fx.root, 'early.yaml');
    writeFileSync(yaml, fixtureYaml(fx, { dev: true, more: `${FEATURES}\nearly_route_seconds: 0.5` }));
    const early = await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'early') });
    const ens = await Ensemble.load(early.outDir);
    try {
      const files = early.training.flat().map((e) => e.audioPath);
      for (const [n, file] of files.entries()) {
        const want = ens.selector.predictProba([early.selectorInputs.train[n]])[0];
        const r = await ens.transcribe(file);
        ens.names.forEach((name, k) => expect(r.probabilities[name]).toBeCloseTo(want[k], 9));
      }
    } finally {
      await ens.dispose();
    }
  });

  it('refuses a selector whose features this runtime does not compute', async () => {
    const file = path.join(built.outDir, 'ensemble.json');
    const original = readFileSync(file, 'utf8');
    try {
      const j = JSON.parse(original);
      j.selector.features.groups.push('lang_id');
      writeFileSync(file, JSON.stringify(j));
      const err = await Ensemble.load(built.outDir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(/"lang_id" is not a selector feature this version of ctc-ensemble computes/);
      j.selector.features.groups.pop();
      j.selector.features.version = 99;
      writeFileSync(file, JSON.stringify(j));
      const err2 = await Ensemble.load(built.outDir).catch((e: unknown) => e);
      expect((err2 as UserError).message).toMatch(/version 99.*upgrade ctc-ensemble or rebuild/);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('refuses unknown feature names in the YAML with the key path', async () => {
    const yaml = path.join(fx.root, 'bad.yaml');
    writeFileSync(yaml, fixtureYaml(fx, { dev: true, more: 'selector:\n  features: [confidence, pitch]' }));
    const err = await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'bad') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(String((err as UserError).message) + String((err as UserError).source ?? '')).toMatch(/selector\.features/);
    expect((err as UserError).message).toMatch(/"pitch" is not a selector feature/);
  });
});
