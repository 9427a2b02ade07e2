import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEnsemble } from '../../src/ensemble/build.js';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import type { EnsembleJson } from '../../src/ensemble/format.js';
import { tuneLm } from '../../src/eval/tune-lm.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { fixtureYaml, makeFixture, type Fixture } from '../helpers/ensemble-fixture.js';

/** A bigram ARPA LM over whole-utterance "words" (the tone vocabularies have no word delimiter). */
function utteranceArpa(words: string[]): string {
  const uniq = [...new Set(words)];
  const p = Math.log10(1 / (uniq.length + 2)).toFixed(4);
  const q = Math.log10(1 / uniq.length).toFixed(4);
  const uni = ['-2.0\t<unk>\t0', '-99\t<s>\t0', `${p}\t</s>`, ...uniq.map((w) => `${p}\t${w}\t0`)];
  const bi = [...uniq.map((w) => `${q}\t<s> ${w}`), ...uniq.map((w) => `0\t${w} </s>`)];
  return ['\\data\\', `ngram 1=${uni.length}`, `ngram 2=${bi.length}`, '', '\\1-grams:', ...uni, '', '\\2-grams:', ...bi, '', '\\end\\', ''].join('\n');
}

/** `ensemble ARGS…` in a child process; stdout on success, an Error with stderr otherwise. */
async function cli(args: string[]): Promise<string> {
  const r = await runCli(args, { timeoutMs: 120_000 });
  if (r.code !== 0) {
    expect(r.stderr).not.toMatch(/\n\s+at /); // a clean message, no stack trace
    throw new Error(r.stderr);
  }
  return r.stdout;
}

describe('ensemble infer / tune-lm (CLI and API)', () => {
  let fx: Fixture;
  let dir: string;
  beforeAll(async () => {
    await ensureBuilt();
    fx = makeFixture(mkdtempSync(path.join(os.tmpdir(), 'ensinfer-')), { domains: 2, train: 8, dev: 4, test: 3 });
    fx.domains.forEach((d, i) => {
      const texts = readFileSync(d.dev, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { text: string }).text);
      // each LM knows its domain's dev and test words, and (for the flip test) the other domain's test words
      writeFileSync(path.join(fx.root, `lm${i}.arpa`), utteranceArpa([...texts, ...d.testTexts, ...fx.domains[1 - i].testTexts]));
    });
    const yaml = path.join(fx.root, 'ensemble.yaml');
    writeFileSync(
      yaml,
      fixtureYaml(fx, { dev: true, lm: { 0: 'lm0.arpa', 1: 'lm1.arpa' } }).replace('output_path: out/ensemble.nemo', 'output_path: out/demo'),
    );
    const stdout = await cli(['build', yaml, '--quiet']);
    dir = path.join(fx.root, 'out', 'demo');
    expect(stdout.trim()).toBe(path.join(dir, 'ensemble.json'));
  });

  it('ensemble.json records each LM with default weights', () => {
    const j = JSON.parse(readFileSync(path.join(dir, 'ensemble.json'), 'utf8')) as EnsembleJson;
    expect(j.models.map((m) => m.lm)).toEqual([
      { path: '../../lm0.arpa', alpha: 0.5, beta: 1.5, source: 'default' },
      { path: '../../lm1.arpa', alpha: 0.5, beta: 1.5, source: 'default' },
    ]);
    expect(j.training!.devAccuracy).toBe(1);
  });

  it('infer prints the transcript; --json adds model, probabilities, confidences, timings; --all every member', async () => {
    const f = fx.domains[1].testFiles[0];
    expect(await cli(['infer', '--ensemble', dir, f])).toBe(`${fx.domains[1].testTexts[0]}\n`);
    const j = JSON.parse(await cli(['infer', '--ensemble', dir, '--json', '--all', f])) as Record<string, unknown>;
    expect(j).toMatchObject({ audio_filepath: f, text: fx.domains[1].testTexts[0], model: 'dom1', decoding: 'greedy' });
    expect(Object.keys(j.probabilities as object)).toEqual(['dom0', 'dom1']);
    expect(Object.keys(j.confidences as object)).toEqual(['dom0', 'dom1']);
    expect(Object.keys(j.timingsMs as object)).toEqual(expect.arrayContaining(['decode', 'features', 'models', 'confidence', 'selector', 'lm', 'total']));
    expect(j.transcripts).toEqual([
      { model: 'dom0', text: fx.domains[1].testTexts[0].toUpperCase() },
      { model: 'dom1', text: fx.domains[1].testTexts[0] },
    ]);
  });

  it('infer --manifest (issue 14.16): NeMo\'s shape, every input field kept + pred_text, ours under "ensemble", in manifest order', async () => {
    const out = path.join(fx.root, 'preds.jsonl');
    expect(await cli(['infer', '--ensemble', dir, '--manifest', fx.domains[0].test, '--json', '-o', out, '--quiet'])).toBe('');
    const recs = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs).toHaveLength(3);
    const input = readFileSync(fx.domains[0].test, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    recs.forEach((r, u) => {
      const { pred_text: pred, ensemble: ours, ...rest } = r;
      expect(rest).toEqual(input[u]); // every input field, unchanged
      expect(r.audio_filepath).toBe(`wav/test/dom0_${u}.wav`);
      expect(pred).toBe(fx.domains[0].testTexts[u]);
      const o = ours as Record<string, unknown>;
      expect(Object.keys(o)).toEqual(expect.arrayContaining(['model', 'probabilities', 'confidences', 'timingsMs']));
      expect(o.model).toBe('dom0');
      const p = o.probabilities as Record<string, number>;
      expect(p.dom0! + p.dom1!).toBeCloseTo(1, 12);
    });
    // to stdout
    const lines = (await cli(['infer', '--ensemble', dir, '--manifest', fx.domains[1].test, '--json', '--quiet'])).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { ensemble: { model: string } }).ensemble.model)).toEqual(['dom1', 'dom1', 'dom1']);
  });

  it('--lm decodes with the chosen member LM; with --all the other member LM fixes its twin-token transcript', async () => {
    const ens = await Ensemble.load(dir);
    try {
      const f = fx.domains[0].testFiles[1];
      const want = fx.domains[0].testTexts[1];
      const greedy = await ens.transcribe(f, { all: true });
      expect(greedy.transcripts![1].text).toBe(want.toUpperCase());
      const withLm = await ens.transcribe(f, { all: true, lm: true, beam: 16 });
      expect(withLm.decoding).toBe('lm');
      expect(withLm.text).toBe(want);
      expect(withLm.model).toBe('dom0');
      // dom1 hears twin tokens (equal logits); its LM knows only the lower-case word
      expect(withLm.transcripts![1].text).toBe(want);
      // LMs are loaded once and shared by concurrent requests
      const lm1 = ens.lmOf(0);
      expect(ens.lmOf(0)).toBe(lm1);
      const rs = await Promise.all(fx.domains.flatMap((d) => d.testFiles).map((x) => ens.transcribe(x, { lm: true })));
      expect(rs.map((r) => r.text)).toEqual(fx.domains.flatMap((d) => d.testTexts));
    } finally {
      await ens.dispose();
    }
  });

  it('tune-lm grid-searches alpha/beta on each dev manifest by WER and writes them back', async () => {
    const before = JSON.parse(readFileSync(path.join(dir, 'ensemble.json'), 'utf8')) as EnsembleJson;
    const r = await tuneLm(dir, { alphas: [0, 1], betas: [0, 2], beam: 8, progress: false, log: () => undefined });
    expect(r.members.map((m) => m.name)).toEqual(['dom0', 'dom1']);
    for (const m of r.members) {
      expect(m.grid).toHaveLength(4);
      expect(m.utterances).toBe(4);
      expect(m.greedyWer).toBe(0);
      // every pair decodes the clean dev audio correctly: the first pair wins
      expect([m.alpha, m.beta, m.devWer]).toEqual([0, 0, 0]);
    }
    const after = JSON.parse(readFileSync(path.join(dir, 'ensemble.json'), 'utf8')) as EnsembleJson;
    expect(after.models[0].lm).toMatchObject({
      alpha: 0,
      beta: 0,
      source: 'tune-lm',
      tuning: { devWer: 0, utterances: 4, alphas: [0, 1], betas: [0, 2], beam: 8 },
    });
    // everything else is unchanged
    expect(after.selector).toEqual(before.selector);
    expect(after.training).toEqual(before.training);
    // the CLI
    const out = await cli(['tune-lm', '--ensemble', dir, '--alphas', '0.5', '--betas', '1', '--member', 'dom1', '--quiet', '--dry-run']);
    expect(out).toMatch(/^dom1\talpha=0\.5\tbeta=1\tdev_wer=0\.00%\tgreedy_wer=0\.00%\n$/);
    await expect(cli(['tune-lm', '--ensemble', dir, '--alphas', 'x'])).rejects.toThrow(/--alphas must be a number/);
    await expect(tuneLm(dir, { members: ['nope'], progress: false })).rejects.toThrow(/--member nope: not a member/);
  });

  it('infer with members on worker threads and ONNX Runtime flags prints what the default run prints', async () => {
    const base = await cli(['infer', '--ensemble', dir, '--manifest', fx.domains[1].test, '--json', '--quiet', '--parallel-members', 'off']);
    const par = await cli([
      'infer',
      '--ensemble',
      dir,
      '--manifest',
      fx.domains[1].test,
      '--json',
      '--quiet',
      '--parallel-members',
      'on',
      '--graph-optimization',
      'all',
      '--execution-mode',
      'sequential',
      '--intra-op-threads',
      '2',
      '--allow-spinning',
      'off',
    ]);
    const strip = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => {
          const r = JSON.parse(l) as Record<string, unknown>;
          delete (r.ensemble as Record<string, unknown>).timingsMs;
          return r;
        });
    expect(strip(par)).toEqual(strip(base));
    const slow = await cli(['infer', '--ensemble', dir, '--parallel-members', 'off', '--graph-optimization', 'disabled', fx.domains[0].testFiles[0]]);
    expect(slow).toBe(`${fx.domains[0].testTexts[0]}\n`);
  });

  it('CLI errors', async () => {
    await expect(cli(['infer', '--ensemble', dir, '--parallel-members', 'maybe', 'x.wav'])).rejects.toThrow(/--parallel-members must be auto, on or off/);
    await expect(cli(['infer', '--ensemble', dir, '--graph-optimization', 'max', 'x.wav'])).rejects.toThrow(
      /--graph-optimization must be one of disabled, basic, extended, all/,
    );
    await expect(cli(['infer', '--ensemble', dir, '--intra-op-threads', '0', 'x.wav'])).rejects.toThrow(/--intra-op-threads/);
    await expect(cli(['infer', '--ensemble', dir, '--allow-spinning', 'yes', 'x.wav'])).rejects.toThrow(/--allow-spinning must be on or off, got "yes"/);
    await expect(cli(['build', 'nowhere.yaml', '--execution-mode', 'fast'])).rejects.toThrow(/--execution-mode must be one of sequential, parallel/);
    await expect(cli(['infer', '--ensemble', dir])).rejects.toThrow(/give audio files or --manifest/);
    await expect(cli(['infer', '--ensemble', dir, '--beam', '4', 'x.wav'])).rejects.toThrow(/--beam needs --lm/);
    await expect(cli(['infer', '--ensemble', path.join(fx.root, 'nowhere'), 'x.wav'])).rejects.toThrow(/no ensemble\.json here/);
    await expect(cli(['infer', '--ensemble', dir, path.join(fx.root, 'missing.wav')])).rejects.toThrow(/missing\.wav: no such file/);
  });
});
