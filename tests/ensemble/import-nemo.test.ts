import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import { importNemoEnsemble } from '../../src/ensemble/import-nemo.js';
import { readEnsembleJson } from '../../src/ensemble/format.js';
import { readRestrictedPickle } from '../../src/selector/pickle.js';
import { importSklearnSelector, selectorFromSklearnPickle } from '../../src/selector/sklearn.js';
import { UserError } from '../../src/util/errors.js';
import { readTarMembers } from '../../src/util/tar.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { writeNemoToneModel, type ToneModelDir } from '../helpers/onnx-builder.js';
import { repoRoot } from '../helpers/shared.js';
import { synthesizeTones } from '../helpers/wav.js';

// Made once by make_fixtures.py (Debian python3-sklearn 1.2.1, joblib 1.2.0), committed beside it.
const FIX = path.join(repoRoot, 'tests', 'fixtures', 'nemo-ensemble');
const fixture = (f: string) => new Uint8Array(readFileSync(path.join(FIX, f)));
interface Expected {
  arrays: Record<string, unknown>;
  X: number[][];
  predict: number[];
  proba: number[][];
}
const expected = JSON.parse(readFileSync(path.join(FIX, 'expected.json'), 'utf8')) as Record<string, Expected>;

describe('restricted pickle reader (issue 14.17)', () => {
  for (const [file, key] of [
    ['selector-2.pkl', 'selector-2'],
    ['selector-3-ovr.pkl', 'selector-3-ovr'],
    ['selector-2-pickle2.pkl', 'selector-2'],
  ] as const) {
    it(`${file}: the same selector as sklearn's arrays; sklearn's predictions and probabilities`, () => {
      const sel = selectorFromSklearnPickle(fixture(file), file);
      const e = expected[key];
      expect(sel.toJSON()).toEqual(importSklearnSelector(e.arrays).toJSON());
      expect(sel.predict(e.X)).toEqual(e.predict);
      sel.predictProba(e.X).forEach((row, i) => row.forEach((p, k) => expect(Math.abs(p - e.proba[i][k])).toBeLessThan(1e-9)));
    });
  }

  it('refuses any other global without running it, and truncated or foreign data', () => {
    expect(() => readRestrictedPickle(fixture('refused.pkl'), 'refused.pkl')).toThrow(/refused\.pkl: refusing global posix\.system: only sklearn/);
    const good = fixture('selector-2.pkl');
    expect(() => readRestrictedPickle(good.subarray(0, 300), 'cut.pkl')).toThrow(UserError);
    expect(() => selectorFromSklearnPickle(Uint8Array.from([0x80, 4, 0x4b, 7, 0x2e]), 'int.pkl')).toThrow(/int\.pkl: expected a pickled sklearn Pipeline/);
  });
});

describe('ensemble import-nemo (issue 14.17)', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'import-nemo-'));
  let a: ToneModelDir;
  let x: ToneModelDir;
  beforeAll(async () => {
    a = writeNemoToneModel(path.join(root, 'aa'), { vocabulary: ['a', 'b', 'c', ' '] });
    x = writeNemoToneModel(path.join(root, 'xx'), { vocabulary: ['x', 'y', 'z', ' '] });
    await ensureBuilt();
  }, 300_000);

  it('reads the .nemo tar, its YAML and the pickled selector; the folder works', async () => {
    const members = await readTarMembers(path.join(FIX, 'ensemble.nemo'), { want: () => true });
    expect(members.map((m) => m.name)).toEqual(['model_config.yaml', '3f2a9c1e0b5d4e8f_model_selection_block.pkl', 'model_weights.ckpt']);
    const out = path.join(root, 'imported');
    const logs: string[] = [];
    const r = await importNemoEnsemble(path.join(FIX, 'ensemble.nemo'), {
      members: [
        { name: 'aa', dir: a.dir },
        { name: 'xx', dir: x.dir },
      ],
      outDir: out,
      log: (s) => logs.push(s),
    });
    expect(r.nemoMembers).toEqual(['stt_aa_conformer_ctc_small.nemo', 'stt_xx_conformer_ctc_small.nemo']);
    expect(logs.join('\n')).toMatch(/aa = NeMo stt_aa_conformer_ctc_small\.nemo, xx = NeMo stt_xx_conformer_ctc_small\.nemo/);
    const { json, selector } = await readEnsembleJson(out);
    expect(json.confidence).toEqual({ excludeBlank: true, aggregation: 'mean', method: 'entropy', entropyType: 'tsallis', entropyNorm: 'exp', alpha: 0.5 });
    expect(json.temperature).toBe(1);
    expect(json.models.map((m) => [m.name, m.path, m.blankId, m.vocabSize])).toEqual([
      ['aa', '../aa', 4, 5],
      ['xx', '../xx', 4, 5],
    ]);
    expect(selector.toJSON()).toEqual(importSklearnSelector(expected['selector-2'].arrays).toJSON());
    const ens = await Ensemble.load(out);
    try {
      const res = await ens.transcribe(synthesizeTones(['a', 'b', 'c'], a.frequencies), { all: true });
      const chosen = res.transcripts!.find((t) => t.model === res.model)!;
      expect(res.text).toBe(chosen.text);
      expect(res.transcripts!.find((t) => t.model === 'aa')!.text).toBe('abc');
    } finally {
      await ens.dispose();
    }
  });

  it('gzip-compressed archives too; member count, order and vocabulary are checked against the config', async () => {
    const gz = path.join(root, 'ensemble-gz.nemo');
    writeFileSync(gz, gzipSync(readFileSync(path.join(FIX, 'ensemble.nemo'))));
    await importNemoEnsemble(gz, {
      members: [
        { name: 'aa', dir: a.dir },
        { name: 'xx', dir: x.dir },
      ],
      outDir: path.join(root, 'gz'),
    });
    const run = (members: Array<{ name: string; dir: string }>) =>
      importNemoEnsemble(path.join(FIX, 'ensemble.nemo'), { members, outDir: path.join(root, 'bad') }).then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect((await run([{ name: 'aa', dir: a.dir }]))!.message).toMatch(
      /the ensemble has 2 models \(stt_aa_conformer_ctc_small\.nemo, stt_xx_conformer_ctc_small\.nemo\) but 1 --member folders were given/,
    );
    expect(
      (await run([
        { name: 'xx', dir: x.dir },
        { name: 'aa', dir: a.dir },
      ]))!.message,
    ).toMatch(/model0 \(stt_aa_conformer_ctc_small\.nemo\) ↔ --member xx=.*: token 0 differs: NeMo "a", export "x"/);
    // The .nemo records the NeMo that built it (2.0.0: reflect framing); a zero-pad export gets a note.
    const z = writeNemoToneModel(path.join(root, 'xx-zero'), { vocabulary: ['x', 'y', 'z', ' '], framing: 'zero-pad' });
    const zr = await importNemoEnsemble(path.join(FIX, 'ensemble.nemo'), {
      members: [
        { name: 'aa', dir: a.dir },
        { name: 'xx', dir: z.dir },
      ],
      outDir: path.join(root, 'z'),
    });
    expect(zr.notes.join('\n')).toMatch(/model1: the ensemble was built with NeMo 2\.0\.0 \(reflect framing\) but xx computes zero-pad features/);
    const notNemo = path.join(root, 'not.nemo');
    writeFileSync(notNemo, 'hello');
    await expect(importNemoEnsemble(notNemo, { members: [], outDir: path.join(root, 'n') })).rejects.toThrow(
      /not\.nemo: (not a tar archive|truncated or empty tar archive)/,
    );
  });

  it('CLI: ensemble import-nemo X.nemo --member NAME=DIR … -o DIR, then infer', async () => {
    const out = path.join(root, 'cli');
    const r = await runCli(['import-nemo', path.join(FIX, 'ensemble.nemo'), '--member', `aa=${a.dir}`, '--member', `xx=${x.dir}`, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(path.join(out, 'ensemble.json'));
    const bad = await runCli(['import-nemo', path.join(FIX, 'ensemble.nemo'), '--member', 'aa', '-o', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--member "aa": expected NAME=ONNX_DIR/);
  }, 120_000);
});
