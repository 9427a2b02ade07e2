import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { register } from '../../src/cli/import-selector.js';
import { Selector } from '../../src/selector/index.js';
import { UserError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';
import { twoModelArrays as two, threeModelArrays as three } from '../helpers/nemo-selector-vectors.js';

async function run(args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  register(program);
  await program.parseAsync(['node', 'ensemble', ...args]);
}

describe('ensemble import-selector (in process)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'import-selector-'));
  afterEach(() => vi.restoreAllMocks());

  it('converts the §2.3 3-model arrays; the result predicts the §2.3 vectors', async () => {
    const inFile = path.join(dir, 'arrays3.json');
    const out = path.join(dir, 'sub', 'selector.json');
    writeFileSync(inFile, JSON.stringify(three));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await run(['import-selector', inFile, '-o', out]);
    const sel = Selector.fromJSON(JSON.parse(readFileSync(out, 'utf8')));
    const X = [
      [0.22, 0.2, 0.19],
      [0.1, 0.25, 0.12],
      [0.15, 0.15, 0.26],
    ];
    expect(sel.predict(X)).toEqual([2, 1, 2]);
    [0.4551723169799668, 0.01105339470595502, 0.5337742883140782].forEach((v, k) => expect(sel.predictProba(X)[0][k]).toBeCloseTo(v, 9));
    expect(readdirSync(path.dirname(out))).toEqual(['selector.json']); // no temp files left
  });

  it('prints to stdout without -o (2-model arrays)', async () => {
    const inFile = path.join(dir, 'arrays2.json');
    writeFileSync(inFile, JSON.stringify(two));
    let printed = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      printed += String(s);
      return true;
    });
    await run(['import-selector', inFile]);
    const sel = Selector.fromJSON(JSON.parse(printed));
    expect(
      sel.predict([
        [0.2, 0.2],
        [0.26, 0.14],
        [0.16, 0.25],
      ]),
    ).toEqual([0, 0, 1]);
    expect(sel.predictProba([[0.2, 0.2]])[0][0]).toBeCloseTo(0.8980446204550567, 12);
  });

  it('bad shapes, missing fields, bad JSON and missing files are UserErrors naming file and field', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...three, intercept_: [1, 2] }));
    await expect(run(['import-selector', bad])).rejects.toThrow(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.intercept_`));
    writeFileSync(
      bad,
      JSON.stringify({
        ...three,
        coef_: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      }),
    );
    await expect(run(['import-selector', bad])).rejects.toThrow(/coef_/);
    const { scale_: _s, ...noScale } = three;
    writeFileSync(bad, JSON.stringify(noScale));
    await expect(run(['import-selector', bad])).rejects.toThrow(/scale_: missing/);
    writeFileSync(bad, '{"mean_": [1,');
    await expect(run(['import-selector', bad])).rejects.toThrow(/not valid JSON/);
    await expect(run(['import-selector', path.join(dir, 'nope.json')])).rejects.toThrow(UserError);
    const out = path.join(dir, 'never.json');
    await expect(run(['import-selector', bad, '-o', out])).rejects.toThrow(UserError);
    expect(existsSync(out)).toBe(false);
  });
});

describe('ensemble import-selector (built CLI)', () => {
  it('exit code 0 and selector JSON; exit 2 with a one-line error on bad input', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'import-selector-cli-'));
    const inFile = path.join(dir, 'arrays.json');
    writeFileSync(inFile, JSON.stringify(three));
    const ok = await runCli(['import-selector', inFile], { timeoutMs: 240_000 });
    expect(ok.code, ok.stderr).toBe(0);
    expect(Selector.fromJSON(ok.stdout).classes).toEqual([0, 1, 2]);
    writeFileSync(inFile, JSON.stringify({ ...three, classes_: [0, 1] }));
    const bad = await runCli(['import-selector', inFile]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: .*arrays\.json\.(coef_|intercept_)/);
  }, 300_000);
});
