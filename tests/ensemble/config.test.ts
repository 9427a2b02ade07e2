import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nemoCGrid } from '../../src/selector/index.js';
import { checkConfigFiles, loadBuildConfig, parseBuildConfig, tuningGridSpecs, type BuildConfig } from '../../src/ensemble/config.js';
import { UserError } from '../../src/util/errors.js';
import { userErrorOf } from '../helpers/errors.js';

const FILE = '/cfg/ensemble.yaml';
const parse = (text: string, env: Record<string, string | undefined> = {}): BuildConfig => parseBuildConfig(text, { file: FILE, env });
const two = `
ensemble:
  - model: models/a
    training_manifest: data/a.jsonl
  - model: models/b
    training_manifest: data/b.jsonl
`;
function err(text: string, env: Record<string, string | undefined> = {}): UserError {
  return userErrorOf(() => parse(text, env));
}

describe('build config: NeMo defaults and variants', () => {
  it('applies build_ensemble.py defaults and resolves paths against the YAML folder', () => {
    const c = parse(two);
    expect(c.ensemble).toHaveLength(2);
    expect(c.ensemble[0]).toMatchObject({
      index: 0,
      name: 'a',
      model: '/cfg/models/a',
      trainingManifest: '/cfg/data/a.jsonl',
      devManifest: null,
      maxTrainingSamples: 1000,
      lm: null,
      lmAlpha: null,
      lmBeta: null,
      testManifest: null,
    });
    expect(c.randomSeed).toBe(0);
    expect(c.temperature).toBe(1.0);
    expect(c.confidence).toEqual({ excludeBlank: true, aggregation: 'mean', method: 'entropy', entropyType: 'renyi', entropyNorm: 'lin', alpha: 0.25 });
    expect(c.tuneConfidence).toBe(false);
    // no dev data: NeMo's __post_init__ turns LR tuning off
    expect(c.tuneLogisticRegression).toBe(false);
    expect(c.outputPath).toBeNull();
    expect(tuningGridSpecs(c.tuneConfidenceConfig)).toHaveLength(144);
    expect(c.tuneLogisticRegressionConfig).toEqual({
      cNumPoints: 10,
      cMin: 0.0001,
      cMax: 10,
      multiClass: ['ovr', 'multinomial'],
      classWeight: [null, 'balanced'],
      maxIter: 1000,
    });
  });

  it('reads the shipped ensemble_config.yaml (v1.21 measure_cfg, oc.env paths)', () => {
    const c = parse(
      `# an example of it-es ctc model ensemble
ensemble:
  - model: stt_es_conformer_ctc_large
    training_manifest: \${oc.env:TEST_DATA_PATH}/es/train_manifest.json
  - model: stt_it_conformer_ctc_large
    training_manifest: \${oc.env:TEST_DATA_PATH}/it/train_manifest.json

output_path: confidence-ensemble.nemo

# this is default
temperature: 1.0

# this is default
confidence:
    exclude_blank: True
    aggregation: mean
    measure_cfg:
        name: entropy
        entropy_type: renyi
        alpha: 0.25
        entropy_norm: lin
`,
      { TEST_DATA_PATH: '/data' },
    );
    expect(c.ensemble.map((m) => m.trainingManifest)).toEqual(['/data/es/train_manifest.json', '/data/it/train_manifest.json']);
    expect(c.ensemble.map((m) => m.name)).toEqual(['stt_es_conformer_ctc_large', 'stt_it_conformer_ctc_large']);
    expect(c.outputPath).toBe('/cfg/confidence-ensemble.nemo');
    expect(c.confidence).toMatchObject({ entropyType: 'renyi', alpha: 0.25, entropyNorm: 'lin' });
    expect(c.notes.join('\n')).toMatch(/measure_cfg/);
  });

  it('reads the v1.19/1.20 spelling: method_cfg.temperature means alpha, renui means renyi', () => {
    const c = parse(`${two}
confidence:
  preserve_frame_confidence: true
  exclude_blank: false
  aggregation: min
  method_cfg: {name: entropy, entropy_type: renui, temperature: 0.33, entropy_norm: exp}
`);
    expect(c.confidence).toEqual({ excludeBlank: false, aggregation: 'min', method: 'entropy', entropyType: 'renyi', entropyNorm: 'exp', alpha: 0.33 });
    expect(c.notes.join('\n')).toMatch(/renui/);
    expect(c.notes.join('\n')).toMatch(/temperature/);
  });

  it("reads v1.22+ method_cfg.alpha, ignores the 'DEPRECATED' temperature placeholder, merges partial blocks onto defaults", () => {
    const c = parse(`${two}
confidence:
  method_cfg: {alpha: 0.5, temperature: DEPRECATED}
`);
    expect(c.confidence).toEqual({ excludeBlank: true, aggregation: 'mean', method: 'entropy', entropyType: 'renyi', entropyNorm: 'lin', alpha: 0.5 });
  });

  it('max_prob ignores alpha (the ensemble always uses 1)', () => {
    const c = parse(`${two}
confidence: {aggregation: prod, method_cfg: {name: max_prob, alpha: 0.33}}
`);
    expect(c.confidence).toMatchObject({ method: 'max_prob', aggregation: 'prod', alpha: 1 });
  });

  it('accepts old confidence_type spellings in the tuning grid and counts max_prob once per alpha set', () => {
    const c = parse(`
ensemble:
  - {model: a, training_manifest: a.jsonl, dev_manifest: a-dev.jsonl}
  - {model: b, training_manifest: b.jsonl, dev_manifest: b-dev.jsonl}
tune_confidence: true
tune_confidence_config:
  exclude_blank: [true]
  aggregation: [mean, prod]
  confidence_type: [entropy_renui_exp, max_prob]
  alpha: [0.25, 0.5]
`);
    expect(c.tuneConfidenceConfig.confidenceType).toEqual(['entropy_renyi_exp', 'max_prob']);
    const grid = tuningGridSpecs(c.tuneConfidenceConfig);
    expect(grid).toHaveLength(1 * 2 * (2 + 1));
    expect(grid[2]).toMatchObject({ method: 'max_prob', aggregation: 'mean', alpha: 1 });
    expect(c.tuneLogisticRegression).toBe(true);
    expect(c.ensemble[1].devManifest).toBe('/cfg/b-dev.jsonl');
  });

  it("LR tuning config: C_min/C_max; the C grid equals NeMo's", () => {
    const c = parse(`
ensemble:
  - {model: a, training_manifest: a.jsonl, dev_manifest: a-dev.jsonl}
  - {model: b, training_manifest: b.jsonl, dev_manifest: b-dev.jsonl}
tune_logistic_regression_config: {C_min: 0.001, C_max: 1.0, multi_class: [multinomial], class_weight: [balanced, null], C_num_points: 4}
`);
    expect(c.tuneLogisticRegressionConfig).toMatchObject({ cMin: 0.001, cMax: 1, multiClass: ['multinomial'], classWeight: ['balanced', null], cNumPoints: 4 });
    // python: np.append(np.exp(np.linspace(np.log(1e-4), np.log(10.0), 10)), 10000.0)
    const nemo = [0.0001, 0.0003593813664, 0.001291549665, 0.004641588834, 0.01668100537, 0.05994842503, 0.215443469, 0.7742636827, 2.782559402, 10.0, 10000.0];
    const got = nemoCGrid(parse(two).tuneLogisticRegressionConfig);
    expect(got).toHaveLength(11);
    got.forEach((v, i) => expect(v).toBeCloseTo(nemo[i], 9));
  });

  it('issue 14.1: v1.21 start-up dump: measure_cfg with method_cfg: DEPRECATED; a real method_cfg overwrites measure_cfg', () => {
    const c = parse(`${two}
confidence:
  preserve_frame_confidence: true
  preserve_token_confidence: false
  preserve_word_confidence: false
  exclude_blank: true
  aggregation: mean
  measure_cfg: {name: entropy, entropy_type: tsallis, alpha: 0.5, entropy_norm: exp, temperature: DEPRECATED}
  method_cfg: DEPRECATED
`);
    expect(c.confidence).toMatchObject({ entropyType: 'tsallis', alpha: 0.5, entropyNorm: 'exp' });
    const both = parse(`${two}\nconfidence: {measure_cfg: {entropy_type: tsallis}, method_cfg: {entropy_type: gibbs, alpha: 0.5}}\n`);
    expect(both.confidence).toMatchObject({ entropyType: 'gibbs', alpha: 0.5 });
    expect(both.notes.join('\n')).toMatch(/measure_cfg: overwritten by method_cfg/);
  });

  it('issue 14.3: alpha and temperature both in method_cfg: temperature overwrites alpha (NeMo ≥ 1.21)', () => {
    const c = parse(`${two}\nconfidence: {method_cfg: {alpha: 0.5, temperature: 0.33}}\n`);
    expect(c.confidence.alpha).toBe(0.33);
    expect(c.notes.join('\n')).toMatch(/overwriting alpha = 0.5/);
  });

  it('issue 14.4: C_num_points: 0 tunes over C = [1e4] only (numpy linspace(…, 0) is empty)', () => {
    const c = parse(`${two}\ntune_logistic_regression_config: {C_num_points: 0}\n`);
    expect(c.tuneLogisticRegressionConfig.cNumPoints).toBe(0);
    expect(nemoCGrid(c.tuneLogisticRegressionConfig)).toEqual([10000]);
  });

  it('issue 14.2/14.5: every transcription key of v1.19…v2.5.0rc0 (v1.23 allow_partial_transcribe); channel_selector int, list, average', () => {
    expect(parse(`${two}\ntranscription: {allow_partial_transcribe: false, batch_size: 4}\n`).transcription.channelSelector).toBeNull();
    expect(parse(`${two}\ntranscription: {channel_selector: 1}\n`).transcription.channelSelector).toBe(1);
    expect(parse(`${two}\ntranscription: {channel_selector: [0, 2]}\n`).transcription.channelSelector).toEqual([0, 2]);
    expect(parse(`${two}\ntranscription: {channel_selector: '[1]'}\n`).transcription.channelSelector).toEqual([1]);
    expect(parse(`${two}\ntranscription: {channel_selector: average}\n`).transcription.channelSelector).toBe('average');
  });

  it('OmegaConf interpolation: oc.env with defaults (quoted, null), key references, typed conversion', () => {
    const c = parse(
      `
root: \${oc.env:ROOT,/default/root}
ensemble:
  - model: \${oc.env:MODELS}/a
    training_manifest: \${oc.env:NOPE,'x,y'}/a.jsonl
    max_training_samples: \${oc.env:MAX}
  - model: \${oc.env:MODELS}/b
    training_manifest: b.jsonl
    dev_manifest: \${oc.env:NOPE,null}
random_seed: \${oc.env:SEED,7}
temperature: \${ensemble.0.max_training_samples}
output_path: out/\${oc.env:NAME}.nemo
`.replace('root: ${oc.env:ROOT,/default/root}\n', ''),
      { MODELS: '/m', MAX: '50', NAME: 'ens' },
    );
    expect(c.ensemble[0].model).toBe('/m/a');
    expect(c.ensemble[0].trainingManifest).toBe('/cfg/x,y/a.jsonl');
    expect(c.ensemble[0].maxTrainingSamples).toBe(50);
    expect(c.ensemble[1].devManifest).toBeNull();
    expect(c.randomSeed).toBe(7);
    expect(c.temperature).toBe(50);
    expect(c.outputPath).toBe('/cfg/out/ens.nemo');
  });

  it('our additions: name, lm, lm_alpha, lm_beta; duplicate basenames get numbered names', () => {
    const c = parse(`
ensemble:
  - {model: en/model, training_manifest: a.jsonl, lm: lm/en.arpa, lm_alpha: 0.7, lm_beta: 2}
  - {model: vi/model, training_manifest: b.jsonl}
  - {model: x/model, training_manifest: c.jsonl, name: third}
transcription: {batch_size: 8, audio_key: wav, gt_text_attr_name: transcript, amp: true, ctc_decoding: {strategy: greedy}}
`);
    expect(c.ensemble.map((m) => m.name)).toEqual(['model', 'model-2', 'third']);
    expect(c.ensemble[0]).toMatchObject({ lm: '/cfg/lm/en.arpa', lmAlpha: 0.7, lmBeta: 2 });
    expect(c.transcription).toEqual({ audioKey: 'wav', textKey: 'transcript', channelSelector: null });
    expect(c.notes.join('\n')).toMatch(/ignored.*batch_size, amp/);
  });

  it('our test_manifest (for ensemble eval) resolves against the YAML folder like the other manifests', () => {
    const c = parse(
      `
ensemble:
  - {model: models/a, training_manifest: data/a.jsonl, test_manifest: data/a.test.jsonl}
  - {model: models/b, training_manifest: data/b.jsonl, test_manifest: '\${oc.env:DATA}/b.test.jsonl'}
  - {model: models/c, training_manifest: data/c.jsonl, test_manifest: null}
  - {model: models/d, training_manifest: data/d.jsonl, test_manifest: /abs/d.test.jsonl}
`,
      { DATA: '../data' },
    );
    expect(c.ensemble.map((m) => m.testManifest)).toEqual(['/cfg/data/a.test.jsonl', '/data/b.test.jsonl', null, '/abs/d.test.jsonl']);
    expect(parse(two).ensemble.map((m) => m.testManifest)).toEqual([null, null]);
    expect(err(`${two}    test_manifest: [a, b]\n`).message).toMatch(/ensemble\[1\]\.test_manifest: expected a string, got a list/);
  });
});

describe('build config: errors', () => {
  it('unknown keys name the key path, the line and the likely intended key', () => {
    const e = err(`
ensemble:
  - model: a
    training_manifest: a.jsonl
  - model: b
    trainig_manifest: b.jsonl
`);
    expect(e.message).toBe('/cfg/ensemble.yaml:6: ensemble[1].trainig_manifest: unknown key; did you mean training_manifest?');
    expect(err(`${two}\ntemprature: 1.0\n`).message).toMatch(/temprature: unknown key; did you mean temperature\?/);
    expect(err(`${two}\nconfidence: {method_cfg: {entropy_typ: renyi}}\n`).message).toMatch(
      /confidence\.method_cfg\.entropy_typ: unknown key; did you mean entropy_type\?/,
    );
    expect(err(`${two}\nconfidence: {aggregaton: mean}\n`).message).toMatch(/confidence\.aggregaton: unknown key; did you mean aggregation\?/);
    expect(err(`${two}\ntune_confidence_config: {alphas: [1]}\n`).message).toMatch(/tune_confidence_config\.alphas: unknown key; did you mean alpha\?/);
    expect(err(`${two}\ntune_logistic_regression_config: {c_max: 1}\n`).message).toMatch(
      /tune_logistic_regression_config\.c_max: unknown key; did you mean C_max\?/,
    );
    expect(err(`${two}\ntranscription: {batch_sise: 4}\n`).message).toMatch(/transcription\.batch_sise: unknown key; did you mean batch_size\?/);
    expect(err(`${two}\nzzz: 1\n`).message).toMatch(/zzz: unknown key$/);
    expect(err(`${two}    test_manifests: t.jsonl\n`).message).toBe(
      '/cfg/ensemble.yaml:7: ensemble[1].test_manifests: unknown key; did you mean test_manifest?',
    );
    expect(err(`${two}    tset_manifest: t.jsonl\n`).message).toMatch(/ensemble\[1\]\.tset_manifest: unknown key; did you mean test_manifest\?/);
  });

  it('a missing environment variable without a default names the key and the variable', () => {
    const e = err(`
ensemble:
  - model: a
    training_manifest: \${oc.env:TEST_DATA_PATH}/a.jsonl
  - {model: b, training_manifest: b.jsonl}
`);
    expect(e.message).toMatch(/^\/cfg\/ensemble.yaml:4: ensemble\[0\]\.training_manifest: environment variable TEST_DATA_PATH is not set/);
    expect(err(`${two}\nrandom_seed: \${oc.decode:'1'}\n`).message).toMatch(/random_seed: unsupported interpolation resolver 'oc.decode'/);
    expect(err(`${two}\nrandom_seed: \${nothere.x}\n`).message).toMatch(/random_seed: interpolation \$\{nothere.x\}: key 'nothere.x' not found/);
  });

  it('dev manifests are all-or-none (NeMo ValueError)', () => {
    const e = err(`
ensemble:
  - {model: a, training_manifest: a.jsonl, dev_manifest: ad.jsonl}
  - {model: b, training_manifest: b.jsonl}
  - {model: c, training_manifest: c.jsonl}
`);
    expect(e.message).toMatch(
      /ensemble\[1\]\.dev_manifest: some models specify dev_manifest but ensemble\[1\], ensemble\[2\] do not; either all have to specify it or none/,
    );
  });

  it('tune_confidence needs dev data, and LR tuning', () => {
    expect(err(`${two}\ntune_confidence: true\n`).message).toMatch(/tune_confidence: tune_confidence is set to true, but no dev data is provided/);
    expect(
      err(`
ensemble:
  - {model: a, training_manifest: a.jsonl, dev_manifest: ad.jsonl}
  - {model: b, training_manifest: b.jsonl, dev_manifest: bd.jsonl}
tune_confidence: true
tune_logistic_regression: false
`).message,
    ).toMatch(/tune_logistic_regression: tune_confidence needs tune_logistic_regression: true/);
  });

  it('missing mandatory values (absent or ???)', () => {
    expect(err(`output_path: x.nemo\n`).message).toMatch(/ensemble: missing mandatory value/);
    expect(err(`ensemble:\n  - {model: ???, training_manifest: a}\n  - {model: b, training_manifest: b}\n`).message).toMatch(
      /ensemble\[0\]\.model: missing mandatory value/,
    );
    expect(err(`ensemble:\n  - {model: a}\n  - {model: b, training_manifest: b}\n`).message).toMatch(
      /ensemble\[0\]\.training_manifest: missing mandatory value/,
    );
  });

  it('rejects bad values with the key path', () => {
    expect(err(`ensemble:\n  - {model: a, training_manifest: a}\n`).message).toMatch(/ensemble: an ensemble needs at least 2 models, got 1/);
    expect(err(`ensemble: {model: a}\n`).message).toMatch(/ensemble: expected a list/);
    expect(err(`${two}\ntemperature: 0\n`).message).toMatch(/temperature: must be > 0/);
    expect(err(`${two}\ntemperature: hot\n`).message).toMatch(/temperature: expected a number, got string "hot"/);
    expect(err(`${two}\nrandom_seed: 1.5\n`).message).toMatch(/random_seed: expected an integer/);
    expect(err(`${two}\ntune_confidence: maybe\n`).message).toMatch(/tune_confidence: expected true or false/);
    expect(err(`${two}\nconfidence: {aggregation: median}\n`).message).toMatch(/confidence\.aggregation: must be one of mean, min, max, prod, got 'median'/);
    expect(err(`${two}\nconfidence: {method_cfg: {name: entropy_max}}\n`).message).toMatch(/confidence\.method_cfg\.name: must be one of max_prob, entropy/);
    expect(err(`${two}\nconfidence: {method_cfg: {entropy_type: shannon}}\n`).message).toMatch(
      /confidence\.method_cfg\.entropy_type: must be one of gibbs, tsallis, renyi/,
    );
    expect(err(`${two}\nconfidence: {method_cfg: {entropy_norm: log}}\n`).message).toMatch(/entropy_norm: must be one of lin, exp/);
    expect(err(`${two}\nconfidence: {method_cfg: {alpha: 0}}\n`).message).toMatch(/confidence\.method_cfg\.alpha: alpha must be > 0/);
    expect(err(`${two}\nconfidence: {method_cfg: {temperature: -1}}\n`).message).toMatch(/confidence\.method_cfg\.temperature: alpha must be > 0/);
    expect(err(`${two}\nconfidence: mean\n`).message).toMatch(/confidence: expected a mapping/);
    expect(err(`${two}\ntune_confidence_config: {confidence_type: [entropy_renyi_lon]}\n`).message).toMatch(
      /tune_confidence_config\.confidence_type\[0\]: unknown confidence type 'entropy_renyi_lon'; did you mean entropy_renyi_lin\?/,
    );
    expect(err(`${two}\ntune_confidence_config: {alpha: [0.5, 0]}\n`).message).toMatch(/tune_confidence_config\.alpha\[1\]: must be > 0/);
    expect(err(`${two}\ntune_confidence_config: {aggregation: []}\n`).message).toMatch(/tune_confidence_config\.aggregation: must not be empty/);
    expect(err(`${two}\ntune_logistic_regression_config: {multi_class: [auto]}\n`).message).toMatch(/multi_class\[0\]: must be one of ovr, multinomial/);
    expect(err(`${two}\ntune_logistic_regression_config: {class_weight: [balance]}\n`).message).toMatch(
      /class_weight\[0\]: must be one of balanced.*did you mean balanced/,
    );
    expect(err(`${two}\ntune_logistic_regression_config: {C_range: [1, 2]}\n`).message).toMatch(/C_range: not a NeMo key.*use C_min and C_max/);
    expect(err(`${two}\ntune_logistic_regression_config: {C_num_points: -1}\n`).message).toMatch(/C_num_points: must be ≥ 0/);
    expect(err(`${two}\ntranscription: {channel_selector: left}\n`).message).toMatch(
      /transcription\.channel_selector: expected null, average, a channel index/,
    );
    expect(err(`${two}\ntranscription: {channel_selector: []}\n`).message).toMatch(/transcription\.channel_selector: an empty channel list/);
    expect(err(`${two}\ntranscription: {text_processing: {}}\n`).message).toMatch(/transcription\.text_processing: unknown key/);
    expect(err(`ensemble:\n  - {model: a, training_manifest: a, max_training_samples: 0}\n  - {model: b, training_manifest: b}\n`).message).toMatch(
      /ensemble\[0\]\.max_training_samples: must be ≥ 1/,
    );
    expect(err(`ensemble:\n  - {model: a, training_manifest: a, lm_alpha: 1}\n  - {model: b, training_manifest: b}\n`).message).toMatch(
      /ensemble\[0\]\.lm_alpha: set without lm/,
    );
    expect(err(`ensemble:\n  - {model: a, training_manifest: a, name: x}\n  - {model: b, training_manifest: b, name: x}\n`).message).toMatch(
      /ensemble\[1\]\.name: duplicate name 'x'/,
    );
    expect(err(`ensemble:\n  - {model: a, training_manifest: a, name: 'a b'}\n  - {model: b, training_manifest: b}\n`).message).toMatch(
      /ensemble\[0\]\.name: names must be/,
    );
  });

  it('YAML syntax errors and duplicate keys carry the line', () => {
    expect(err(`ensemble:\n  - model: a\n   training_manifest: [\n`).message).toMatch(/^\/cfg\/ensemble.yaml:\d+: invalid YAML/);
    expect(err(`${two}\ntemperature: 1\ntemperature: 2\n`).message).toMatch(/ensemble.yaml:\d+: invalid YAML/);
    expect(err(``).message).toMatch(/the config is empty/);
  });

  it('loadBuildConfig lists every missing file in one error', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    mkdirSync(path.join(dir, 'a'));
    writeFileSync(path.join(dir, 'a.jsonl'), '');
    writeFileSync(
      path.join(dir, 'e.yaml'),
      `ensemble:
  - {model: a, training_manifest: a.jsonl, lm: missing.arpa, test_manifest: t/a.test.jsonl}
  - {model: stt_es_conformer_ctc_large, training_manifest: b.jsonl}
`,
    );
    const e = await loadBuildConfig(path.join(dir, 'e.yaml')).catch((x: unknown) => x as UserError);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toMatch(/4 missing file\(s\)/);
    expect(e.message).toContain(`ensemble[0].test_manifest: ${path.join(dir, 't', 'a.test.jsonl')} not found`);
    expect(e.message).toMatch(/ensemble\[0\]\.lm: .*missing\.arpa not found/);
    expect(e.message).toMatch(
      /ensemble\[1\]\.model: .*stt_es_conformer_ctc_large not found \(\.nemo files and NeMo pretrained names must be exported to ONNX first/,
    );
    expect(e.message).toMatch(/ensemble\[1\]\.training_manifest: .*b\.jsonl not found/);
    const ok = await loadBuildConfig(path.join(dir, 'e.yaml'), { checkFiles: false });
    expect(() => checkConfigFiles(ok)).toThrow(UserError);
  });
});

describe("NeMo's start-up dumps (OmegaConf.to_yaml of build_ensemble.py's config, tests/fixtures/nemo-configs)", () => {
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'nemo-configs');
  for (const label of ['v1.19.0', 'v1.21.0', 'v1.23.0', 'f3aea9b0cf', 'final']) {
    it(`${label}: the whole dump builds, with NeMo's values`, async () => {
      const file = path.join(dir, `build-${label}.yaml`);
      const c = parseBuildConfig(readFileSync(file, 'utf8'), { file, env: { TEST_DATA_PATH: '/data' } });
      expect(c.ensemble.map((m) => m.trainingManifest)).toEqual(['/data/es/train_manifest.json', '/data/it/train_manifest.json']);
      expect(c.confidence).toEqual({ excludeBlank: true, aggregation: 'mean', method: 'entropy', entropyType: 'renyi', entropyNorm: 'lin', alpha: 0.25 });
      expect(tuningGridSpecs(c.tuneConfidenceConfig)).toHaveLength(144);
      expect(c.tuneLogisticRegressionConfig).toMatchObject({ cNumPoints: 10, cMin: 0.0001, cMax: 10 });
      expect(c.transcription).toEqual({ audioKey: 'audio_filepath', textKey: 'text', channelSelector: null });
    });
  }
});

describe('configs/example.yaml (issue 14.18)', () => {
  const repo = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  it('exists, is the block the README shows, and parses', () => {
    const file = path.join(repo, 'configs', 'example.yaml');
    const text = readFileSync(file, 'utf8');
    const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
    expect(readme).toContain('```yaml\n' + text + '```');
    const c = parseBuildConfig(text, { file, env: {} });
    expect(c.ensemble.map((m) => [m.name, m.model])).toEqual([
      ['en', path.join(repo, 'models', 'en')],
      ['vi', path.join(repo, 'models', 'vi')],
    ]);
    expect(c.tuneConfidence).toBe(true);
  });
});
