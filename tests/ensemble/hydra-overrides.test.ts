import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBuildConfig } from '../../src/ensemble/config.js';
import { parseOverride, parseOverrideValue } from '../../src/ensemble/hydra-overrides.js';
import { UserError } from '../../src/util/errors.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { fixtureYaml, makeFixture, type Fixture } from '../helpers/ensemble-fixture.js';
import { userErrorOf } from '../helpers/errors.js';

// NeMo's scripts/confidence_ensembles/ensemble_config.yaml (v1.22 … v2.5.0rc0).
const NEMO_ENSEMBLE_CONFIG = `
ensemble:
  - model: stt_es_conformer_ctc_large
    training_manifest: \${oc.env:TEST_DATA_PATH}/es/train_manifest.json
  - model: stt_it_conformer_ctc_large
    training_manifest: \${oc.env:TEST_DATA_PATH}/it/train_manifest.json

output_path: confidence-ensemble.nemo

temperature: 1.0

confidence:
  exclude_blank: True
  aggregation: mean
  method_cfg:
    name: entropy
    entropy_type: renyi
    alpha: 0.25
    entropy_norm: lin
`;
const env = { TEST_DATA_PATH: '/data' };
const parse = (overrides: string[], text = NEMO_ENSEMBLE_CONFIG) => parseBuildConfig(text, { file: '/cfg/ensemble_config.yaml', env, overrides, cwd: '/work' });
function err(overrides: string[], text = NEMO_ENSEMBLE_CONFIG): UserError {
  return userErrorOf(() => parse(overrides, text));
}

describe('Hydra overrides (issue 14.6)', () => {
  it('value grammar: null, bools in any case, numbers, quoted strings, nested lists and dicts, interpolations', () => {
    expect(parseOverrideValue('True')).toBe(true);
    expect(parseOverrideValue('null')).toBeNull();
    expect(parseOverrideValue('1e-4')).toBe(1e-4);
    expect(parseOverrideValue('10')).toBe(10);
    expect(parseOverrideValue("'a b'")).toBe('a b');
    expect(parseOverrideValue('[0.1,0.5, 1.0]')).toEqual([0.1, 0.5, 1]);
    expect(parseOverrideValue('[entropy_renyi_exp,entropy_tsallis_exp]')).toEqual(['entropy_renyi_exp', 'entropy_tsallis_exp']);
    expect(parseOverrideValue('{name: entropy, alpha: 0.5, l: [a, "b,c"]}')).toEqual({ name: 'entropy', alpha: 0.5, l: ['a', 'b,c'] });
    expect(parseOverrideValue('${oc.env:X,/d}/a')).toBe('${oc.env:X,/d}/a');
    expect(parseOverride('~tune_confidence')).toMatchObject({ op: 'delete', path: ['tune_confidence'] });
    expect(parseOverride('++ensemble[1].lm=x.arpa')).toMatchObject({ op: 'force', path: ['ensemble', 1, 'lm'], value: 'x.arpa' });
  });

  it("NeMo's test-script overrides change the build as in NeMo; override paths resolve against the working directory", () => {
    const c = parse([
      'output_path=/tmp/out/ensemble.nemo',
      'ensemble.0.model=models/es',
      'ensemble.1.model=models/it',
      'ensemble.0.dev_manifest=/data/es/dev_manifest.json',
      'ensemble.1.dev_manifest=/data/it/dev_manifest.json',
      'tune_confidence=True',
      'confidence.method_cfg.alpha=0.33',
      'confidence.method_cfg.entropy_norm=exp',
      'tune_confidence_config.alpha=[0.1,0.5,1.0]',
      'tune_confidence_config.confidence_type=[entropy_renyi_exp,entropy_tsallis_exp]',
      'transcription.decoder_type=ctc',
    ]);
    expect(c.ensemble.map((m) => m.model)).toEqual(['/work/models/es', '/work/models/it']);
    expect(c.ensemble[0].trainingManifest).toBe('/data/es/train_manifest.json');
    expect(c.ensemble[1].devManifest).toBe('/data/it/dev_manifest.json');
    expect(c.tuneConfidence).toBe(true);
    expect(c.tuneLogisticRegression).toBe(true);
    expect(c.confidence).toMatchObject({ alpha: 0.33, entropyNorm: 'exp', entropyType: 'renyi' });
    expect(c.tuneConfidenceConfig.alpha).toEqual([0.1, 0.5, 1.0]);
    expect(c.tuneConfidenceConfig.confidenceType).toEqual(['entropy_renyi_exp', 'entropy_tsallis_exp']);
    expect(c.outputPath).toBe('/tmp/out/ensemble.nemo');
  });

  it('add, force and delete; hydra.* ignored; a config from overrides alone', () => {
    expect(parse(['+ensemble.0.name=spanish']).ensemble[0].name).toBe('spanish');
    expect(parse(['++temperature=2']).temperature).toBe(2);
    expect(parse(['~confidence']).confidence.aggregation).toBe('mean');
    expect(parse(['hydra.run.dir=.']).notes.join('\n')).toMatch(/hydra\.run\.dir=\.'.*ignored/);
    const alone = parseBuildConfig('', {
      env,
      cwd: '/w',
      overrides: ['ensemble=[{model: a, training_manifest: a.json}, {model: b, training_manifest: b.json}]'],
    });
    expect(alone.ensemble.map((m) => m.model)).toEqual(['/w/a', '/w/b']);
  });

  it('errors name the override', () => {
    expect(err(['ensemble.0.modle=x']).message).toMatch(/^override 'ensemble\.0\.modle=x': ensemble\[0\]\.modle: unknown key; did you mean model\?/);
    expect(err(['ensemble.2.model=x']).message).toMatch(/override 'ensemble\.2\.model=x': ensemble\[2\] is not in the list \(it has 2 item/);
    expect(err(['+temperature=2']).message).toMatch(/temperature is already set; .*\+\+/);
    expect(err(['temperature=1,2']).message).toMatch(/Hydra sweep/);
    expect(err(['temperature=hot']).message).toMatch(/override 'temperature=hot': temperature: expected a number/);
    expect(err(['~nothing']).message).toMatch(/cannot delete nothing: it is not set/);
  });
});

describe('ensemble build with --config-path/--config-name and overrides (CLI)', () => {
  let fx: Fixture;
  beforeAll(async () => {
    await ensureBuilt();
    fx = makeFixture(mkdtempSync(path.join(os.tmpdir(), 'hydra-')), { domains: 2, train: 6 });
    // The YAML names models that do not exist; the overrides point at the real ones (relative to the cwd).
    const yaml = fixtureYaml(fx, { maxTraining: 6 }).replace(/model: .*/g, 'model: stt_xx_conformer_ctc_large');
    writeFileSync(path.join(fx.root, 'ensemble_config.yaml'), yaml);
  }, 300_000);

  it('builds like NeMo: --config-name without extension, overrides relative to the working directory', async () => {
    const r = await runCli([
      'build',
      '--quiet',
      '--config-path',
      fx.root,
      '--config-name',
      'ensemble_config',
      `ensemble.0.model=${path.relative(process.cwd(), fx.domains[0].modelDir)}`,
      `ensemble.1.model=${path.relative(process.cwd(), fx.domains[1].modelDir)}`,
      'confidence.method_cfg.alpha=0.5',
      `output_path=${path.join(fx.root, 'built')}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(path.join(fx.root, 'built', 'ensemble.json'), 'utf8')) as { confidence: { alpha: number }; models: unknown[] };
    expect(j.confidence.alpha).toBe(0.5);
    expect(j.models).toHaveLength(2);
    const bad = await runCli(['build', '--config-path', fx.root, '--config-name', 'ensemble_config', 'ensemble.0.modl=x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/override 'ensemble\.0\.modl=x': ensemble\[0\]\.modl: unknown key; did you mean model\?/);
  }, 120_000);
});
