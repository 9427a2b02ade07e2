import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { parseLogprobsJson } from '../../src/cli/decode.js';
import { runCli } from '../helpers/cli.js';
import { CAT_ARPA, posteriors, spell } from '../helpers/decoding.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'decode-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VOCAB = ['-', ' ', 'a', 'c', 'e', 'h', 'k', 's', 't'];

function writeJson(name: string, value: unknown): string {
  const f = path.join(dir, name);
  writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value));
  return f;
}

function rows(lp: Float32Array, V: number): number[][] {
  const out: number[][] = [];
  for (let t = 0; t < lp.length / V; t++) out.push(Array.from(lp.subarray(t * V, (t + 1) * V)));
  return out;
}

describe('ensemble decode', () => {
  const frames = [...spell('the '), { c: 0.4, k: 0.55 }, '-', ...spell('at sat')];
  const file = writeJson('cat.json', { vocabulary: VOCAB, blank: 0, logprobs: rows(posteriors(VOCAB, frames), VOCAB.length) });
  const arpa = path.join(dir, 'cat.arpa');
  writeFileSync(arpa, CAT_ARPA);

  it('prints the best transcript, with and without an LM', async () => {
    const plain = await runCli(['decode', '--logprobs', file]);
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('the kat sat\n');
    const withLm = await runCli(['decode', '--logprobs', file, '--lm', arpa]);
    expect(withLm.code).toBe(0);
    expect(withLm.stdout).toBe('the cat sat\n');
    const zeroAlpha = await runCli(['decode', '--logprobs', file, '--lm', arpa, '--alpha', '0', '--beta', '0']);
    expect(zeroAlpha.stdout).toBe('the kat sat\n');
    const hot = await runCli(['decode', '--logprobs', file, '--hotword', 'cat', '--hotword-weight', '5']);
    expect(hot.stdout).toBe('the cat sat\n');
  });

  it('--json prints the top beams with acoustic and LM scores', async () => {
    const r = await runCli(['decode', '--logprobs', file, '--lm', arpa, '--json', '--top', '3']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.text).toBe('the cat sat');
    expect(out.beams.length).toBeLessThanOrEqual(3);
    const b = out.beams[0];
    expect(b.text).toBe('the cat sat');
    // the -0.3, cat -0.5, sat -0.5, </s> -0.1 (log10); alpha 0.5, beta 1.5 per word.
    expect(b.lm_log10).toBeCloseTo(-1.4, 5);
    expect(b.lm_score).toBeCloseTo(0.5 * Math.LN10 * -1.4 + 4.5, 5);
    expect(b.score).toBeCloseTo(b.acoustic_score + b.lm_score, 9);
    expect(b.acoustic_score).toBeLessThan(0);
    for (let i = 1; i < out.beams.length; i++) expect(out.beams[i].score).toBeLessThanOrEqual(out.beams[i - 1].score);
  });

  it('accepts | delimiters, a ▁ BPE vocabulary and logits (log-softmaxed with a warning)', async () => {
    const bpe = ['<blank>', '▁the', '▁c', '▁k', 'at', '▁s'];
    const f = [...['▁the', '<blank>', { '▁c': 0.4, '▁k': 0.55 }, 'at', '<blank>', '▁s', 'at']];
    const lp = posteriors(bpe, f);
    const file2 = writeJson('bpe.json', { vocabulary: bpe, blank: 0, logprobs: rows(lp, bpe.length) });
    expect((await runCli(['decode', '--logprobs', file2, '--lm', arpa])).stdout).toBe('the cat sat\n');
    const logits = rows(lp, bpe.length).map((r) => r.map((v) => v + 3));
    const file3 = writeJson('logits.json', { vocabulary: bpe, blank: 0, logprobs: logits });
    const r3 = await runCli(['decode', '--logprobs', file3]);
    expect(r3.stdout).toBe('the kat sat\n');
    expect(r3.stderr).toMatch(/7 of 7 rows .*log-softmax/);
    const pipe = ['<pad>', '|', 'A', 'C', 'E', 'H', 'K', 'S', 'T'];
    const f4 = [...spell('THE ', '|', '<pad>'), { C: 0.4, K: 0.55 }, '<pad>', ...spell('AT SAT', '|', '<pad>')];
    const file4 = writeJson('pipe.json', { vocabulary: pipe, blank: 0, logprobs: rows(posteriors(pipe, f4), pipe.length) });
    expect((await runCli(['decode', '--logprobs', file4])).stdout).toBe('THE KAT SAT\n');
    expect((await runCli(['decode', '--logprobs', file4, '--lm', arpa, '--lower-case'])).stdout).toBe('the cat sat\n');
  });

  it('reports bad input as errors naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['{not json', /not valid JSON/],
      [[1, 2], /expected a JSON object/],
      [{ blank: 0, logprobs: [] }, /"vocabulary" must be an array/],
      [{ vocabulary: [], blank: 0, logprobs: [] }, /"vocabulary" is empty/],
      [{ vocabulary: ['-', 3], blank: 0, logprobs: [] }, /"vocabulary"\[1\] must be a string/],
      [{ vocabulary: ['-', 'a'], logprobs: [] }, /"blank".*missing/],
      [{ vocabulary: ['-', 'a'], blank: 2, logprobs: [] }, /"blank" must be an integer index/],
      [{ vocabulary: ['-', 'a'], blank: 0.5, logprobs: [] }, /"blank" must be an integer index/],
      [{ vocabulary: ['-', 'a'], blank: 0 }, /"logprobs" must be an array/],
      [{ vocabulary: ['-', 'a'], blank: 0, logprobs: [[-0.1, -2.4], 5] }, /"logprobs"\[1\] must be an array/],
      [{ vocabulary: ['-', 'a'], blank: 0, logprobs: [[-0.1, -2.4], [-0.1]] }, /"logprobs"\[1\] has 1 values, expected 2/],
      [
        {
          vocabulary: ['-', 'a'],
          blank: 0,
          logprobs: [
            [-0.1, -2.4],
            [-0.1, 'x'],
          ],
        },
        /"logprobs"\[1\]\[1\] must be a finite number/,
      ],
      [{ vocabulary: ['-', 'a'], blank: 0, logprobs: [[-0.1, null]] }, /"logprobs"\[0\]\[1\] must be a finite number/],
    ];
    // 1e999 parses to Infinity: the message says so (JSON.stringify would print "null").
    cases.push(['{"vocabulary":["-","a"],"blank":0,"logprobs":[[-0.1,-1e999]]}', /"logprobs"\[0\]\[1\] must be a finite number, got -Infinity \(not finite\)/]);
    for (const [value, re] of cases) {
      expect(() => parseLogprobsJson(typeof value === 'string' ? value : JSON.stringify(value), 'x.json')).toThrow(re);
    }
    // Through the CLI: exit 2, message names the file, no stack trace.
    const bad = writeJson('bad.json', { vocabulary: ['-', 'a'], blank: 0, logprobs: [[-0.1, -2.4], [-0.1]] });
    const r = await runCli(['decode', '--logprobs', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: "logprobs"[1] has 1 values, expected 2`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = await runCli(['decode', '--logprobs', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the posteriors/);
    const badLm = await runCli(['decode', '--logprobs', file, '--lm', path.join(dir, 'nope.arpa')]);
    expect(badLm.code).toBe(2);
    expect(badLm.stderr).toMatch(/language model/);
    const badBeam = await runCli(['decode', '--logprobs', file, '--beam', '0']);
    expect(badBeam.code).not.toBe(0);
    expect(badBeam.stderr).toMatch(/--beam must be an integer ≥ 1/);
    const badAlpha = await runCli(['decode', '--logprobs', file, '--alpha', 'x']);
    expect(badAlpha.stderr).toMatch(/--alpha must be a number/);
    const noFile = await runCli(['decode']);
    expect(noFile.code).not.toBe(0);
    expect(noFile.stderr).toMatch(/--logprobs/);
  });

  it('zero frames decode to an empty line', async () => {
    const f = writeJson('empty.json', { vocabulary: VOCAB, blank: 0, logprobs: [] });
    const r = await runCli(['decode', '--logprobs', f, '--lm', arpa]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('\n');
  });
});
