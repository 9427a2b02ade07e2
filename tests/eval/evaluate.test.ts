import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTestArgs } from '../../src/cli/eval.js';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import type { EnsembleJson } from '../../src/ensemble/format.js';
import { loadManifest } from '../../src/ensemble/manifest.js';
import { earlyRouteOutcome, evaluate, scoreSelection, scoreSystems, summarize, type EvalReport, type UtteranceRecord } from '../../src/eval/evaluate.js';
import { accuracyFromConfusion, argmax, confusionMatrix, oracleChoice, reliability } from '../../src/eval/metrics.js';
import { mapConcurrent } from '../../src/util/concurrency.js';
import { renderHtml, renderMarkdown, writeReports } from '../../src/eval/report.js';
import { cer, wer } from '../../src/eval/wer.js';
import { UserError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';
import { buildTinyEnsemble, type TinyEnsemble } from '../helpers/tiny-ensemble.js';
import { synthesizeTones, writeWavFile } from '../helpers/wav.js';

describe('evaluation arithmetic (hand-computed)', () => {
  it('confusion matrix and per-class / overall accuracy', () => {
    const m = confusionMatrix([0, 0, 0, 1, 1, 2, 2, 2, 2], [0, 0, 1, 1, 2, 2, 2, 2, 0], 3);
    expect(m).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [1, 0, 3],
    ]);
    const a = accuracyFromConfusion(m);
    expect(a.perClass.map((c) => c.accuracy)).toEqual([2 / 3, 1 / 2, 3 / 4]);
    expect(a.overall).toEqual({ correct: 6, total: 9, accuracy: 6 / 9 });
    expect(
      accuracyFromConfusion([
        [0, 0],
        [0, 0],
      ]).overall.accuracy,
    ).toBeNull();
    expect(() => confusionMatrix([0], [3], 2)).toThrow(/out of range/);
  });

  it('reliability table, ECE and MCE', () => {
    // bins of width 0.1, (lo, hi]: 0.95, 0.92 → bin 9; 0.85 → 8; 0.55, 0.6 → 5 (0.6 is on the boundary: lower bin); 0.15 → 1
    const r = reliability([0.95, 0.92, 0.85, 0.55, 0.6, 0.15], [true, true, false, true, false, false], 10);
    expect(r.bins.map((b) => b.count)).toEqual([0, 1, 0, 0, 0, 2, 0, 0, 1, 2]);
    expect(r.bins[9].meanConfidence).toBeCloseTo(0.935, 12);
    expect(r.bins[9].accuracy).toBe(1);
    expect(r.bins[5].meanConfidence).toBeCloseTo(0.575, 12);
    expect(r.bins[5].accuracy).toBe(0.5);
    expect(r.bins[0].accuracy).toBeNull();
    // ECE = (2·0.065 + 1·0.85 + 2·0.075 + 1·0.15) / 6 = 1.28 / 6
    expect(r.ece).toBeCloseTo(1.28 / 6, 12);
    expect(r.mce).toBeCloseTo(0.85, 12);
    // 0.7·10 is 7.000000000000001 in floating point: still the (0.6, 0.7] bin
    expect(reliability([0.7, 0, 1], [true, true, true], 10).bins.map((b) => b.count)).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 1]);
  });

  it('oracle: fewest word errors, then fewest char errors, then member order', () => {
    expect(oracleChoice([2, 1, 1], [5, 3, 2])).toBe(2);
    expect(oracleChoice([1, 1], [4, 4])).toBe(0);
    expect(oracleChoice([3, 0, 0], [0, 9, 1])).toBe(2);
    expect(argmax([0.2, 0.5, 0.5])).toBe(1);
  });

  it('summary statistics (population std, linear-interpolated quartiles)', () => {
    const s = summarize([4, 1, 3, 2]);
    expect(s).toMatchObject({ count: 4, mean: 2.5, min: 1, max: 4, median: 2.5, p25: 1.75, p75: 3.25 });
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12);
  });

  it('bounded concurrency keeps order and never exceeds the limit', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapConcurrent([5, 1, 4, 2, 3, 0], 2, async (x) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, x * 3));
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
    await expect(
      mapConcurrent([1, 2, 3], 2, async (x) => {
        if (x === 2) throw new Error('boom');
        return x;
      }),
    ).rejects.toThrow('boom');
  });
});

/** A constructed evaluation: two members a, b; two domains; numbers worked out by hand below. */
function constructedRecords(): UtteranceRecord[] {
  const rec = (domain: string, reference: string, chosen: string, greedy: Record<string, string>, pmax: number): UtteranceRecord => ({
    domain,
    audioFilepath: `/x/${domain}/${reference}.wav`,
    reference,
    audioSeconds: 1,
    chosen,
    correct: chosen === domain,
    maxProbability: pmax,
    probabilities: { a: chosen === 'a' ? pmax : 1 - pmax, b: chosen === 'b' ? pmax : 1 - pmax },
    confidences: { a: domain === 'a' ? 0.9 : 0.4, b: domain === 'b' ? 0.8 : 0.3 },
    greedy,
    ensembleText: greedy[chosen],
    oracle: '',
  });
  const rs = [
    rec('a', 'one two three', 'a', { a: 'one two three', b: 'one too three' }, 0.9),
    rec('a', 'four five', 'b', { a: 'four', b: 'four five' }, 0.7),
    rec('b', 'six', 'b', { a: 'sex sax', b: 'six' }, 0.95),
    rec('b', 'seven eight', 'b', { a: 'seven eight', b: 'seven ate' }, 0.85),
  ];
  // oracle by word errors: 1st a (0 vs 1), 2nd b (1 vs 0), 3rd b (2 vs 0), 4th a (0 vs 1)
  rs[0].oracle = 'a';
  rs[1].oracle = 'b';
  rs[2].oracle = 'b';
  rs[3].oracle = 'a';
  return rs;
}

describe('scoring a constructed evaluation', () => {
  const records = constructedRecords();
  const members = ['a', 'b'];
  const domains = ['a', 'b'];

  it('selection: confusion [[1,1],[0,2]], accuracy 1/2, 1, overall 3/4', () => {
    const { selection, calibration } = scoreSelection(records, members, domains, 10);
    expect(selection.confusion).toEqual({
      rows: ['a', 'b'],
      columns: ['a', 'b'],
      matrix: [
        [1, 1],
        [0, 2],
      ],
    });
    expect(selection.perDomain.a).toEqual({ correct: 1, total: 2, accuracy: 0.5 });
    expect(selection.perDomain.b).toEqual({ correct: 2, total: 2, accuracy: 1 });
    expect(selection.overall).toEqual({ correct: 3, total: 4, accuracy: 0.75 });
    // probabilities 0.9 (right), 0.7 (wrong), 0.95 (right), 0.85 (right) → bins 8, 6, 9, 8
    expect(calibration.bins[8]).toMatchObject({ count: 2, accuracy: 1 });
    expect(calibration.bins[6]).toMatchObject({ count: 1, accuracy: 0 });
    expect(calibration.bins[9]).toMatchObject({ count: 1, accuracy: 1 });
    // ECE = (2·|1 − 0.875| + 1·|0 − 0.7| + 1·|1 − 0.95|) / 4 = (0.25 + 0.7 + 0.05) / 4 = 0.25
    expect(calibration.ece).toBeCloseTo(0.25, 12);
  });

  it('WER/CER per system and domain', () => {
    const systems = scoreSystems(records, members, domains, []);
    const get = (id: string) => systems.find((s) => s.id === id)!;
    expect(systems.map((s) => s.id)).toEqual(['ensemble', 'oracle', 'true-domain', 'member:a', 'member:b']);
    // ensemble: a → 0 errors / 5 words; b → "seven ate" 1 sub / 3 words
    expect(get('ensemble').perDomain.a!.wer).toBe(0);
    expect(get('ensemble').perDomain.b!.wer).toBeCloseTo(1 / 3, 12);
    expect(get('ensemble').overall.wer).toBeCloseTo(1 / 8, 12);
    expect(get('ensemble').overall.word).toMatchObject({ errors: 1, substitutions: 1, refLength: 8 });
    // oracle: 0 everywhere
    expect(get('oracle').overall.wer).toBe(0);
    // true-domain: "four" for "four five" (1 deletion) and "seven ate" → 1/5, 1/3
    expect(get('true-domain').perDomain.a!.wer).toBeCloseTo(1 / 5, 12);
    expect(get('true-domain').perDomain.b!.wer).toBeCloseTo(1 / 3, 12);
    // member a: 1 deletion on domain a; "sex sax" for "six" (1 sub + 1 ins) on domain b → 2/3
    expect(get('member:a').perDomain.a!.wer).toBeCloseTo(1 / 5, 12);
    expect(get('member:a').perDomain.b!.wer).toBeCloseTo(2 / 3, 12);
    expect(get('member:a').overall.wer).toBeCloseTo(3 / 8, 12);
    // member b: "too" on domain a (1/5); "ate" on b (1/3)
    expect(get('member:b').perDomain.a!.wer).toBeCloseTo(1 / 5, 12);
    // CER of the true-domain member on domain a: "four five" → "four" deletes " five" (5 of 9 chars); 13 + 9 chars
    expect(get('true-domain').perDomain.a!.cer).toBeCloseTo(5 / 22, 12);
    expect(get('true-domain').perDomain.a!.char).toMatchObject({ deletions: 5, refLength: 22 });
    // a domain without utterances has null rates
    expect(scoreSystems(records, members, ['a', 'b', 'c'], [])[0].perDomain.c).toMatchObject({ utterances: 0, wer: null, cer: null });
  });

  it('LM systems appear only with LM transcripts, member +LM only for members with an LM', () => {
    const withLm = constructedRecords().map((r) => ({ ...r, lm: { ...r.greedy }, ensembleLmText: r.ensembleText, oracleLm: r.oracle }));
    const ids = scoreSystems(withLm, members, domains, ['b']).map((s) => s.id);
    expect(ids).toEqual(['ensemble', 'ensemble+lm', 'oracle', 'oracle+lm', 'true-domain', 'true-domain+lm', 'member:a', 'member:b', 'member:b+lm']);
  });

  it('reports: markdown tables and a self-contained HTML with SVG charts', async () => {
    const { selection, calibration } = scoreSelection(records, members, domains);
    const report: EvalReport = {
      schemaVersion: 1,
      createdAt: '2025-01-01T00:00:00.000Z',
      members,
      domains: [
        { name: 'a', utterances: 2, audioSeconds: 2 },
        { name: 'b', utterances: 2, audioSeconds: 2 },
      ],
      lm: false,
      lmMembers: [],
      utterances: 4,
      audioSeconds: 4,
      wallSeconds: 1,
      jobs: 2,
      parallelism: '2 in flight, one thread',
      selection,
      calibration,
      systems: scoreSystems(records, members, domains, []),
      confidence: { a: { a: summarize([0.9, 0.9]), b: summarize([0.4, 0.4]) }, b: { a: summarize([0.3, 0.3]), b: summarize([0.8, 0.8]) } },
      perUtterance: records,
    };
    const md = renderMarkdown(report);
    expect(md).toContain('| **overall** | 3 | 4 | 75.0 % |');
    expect(md).toContain('| a | 1 | 1 |');
    expect(md).toContain('| b | 0 | 2 |');
    expect(md).toMatch(/\| ensemble \(greedy\) \| 0\.0 % \/ 0\.0 % \| 33\.3 % \/ [\d.]+ % \| 12\.5 % \/ [\d.]+ % \|/);
    const html = renderHtml(report);
    expect(html).toMatch(/^<!doctype html>/);
    expect((html.match(/<svg /g) ?? []).length).toBe(5); // confusion, reliability, 2 × WER bars, confidence
    expect(html).not.toMatch(/<script|<link|\bsrc=|@import|url\(/i);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//);
    const out = path.join(process.env.TMPDIR ?? '/tmp', `eval-report-${process.pid}`);
    const files = await writeReports(report, out);
    expect(JSON.parse(readFileSync(files.json, 'utf8')).selection.overall.accuracy).toBe(0.75);
    expect(readFileSync(files.md, 'utf8')).toBe(`${md}\n`);
    expect(existsSync(files.html)).toBe(true);
  });
});

const ARPA = `\\data\\
ngram 1=5
ngram 2=2

\\1-grams:
-1.0\t<s>\t-0.1
-0.5\t</s>
-2.0\t<unk>
-0.3\tabba\t-0.1
-0.6\tab\t-0.1

\\2-grams:
-0.2\t<s> abba
-0.2\tabba </s>

\\end\\
`;

describe('end to end on a real two-member ensemble of test ONNX models', () => {
  let tiny: TinyEnsemble;
  let ensemble: Ensemble;
  let dom0: string;
  let dom1: string;
  let work: string;

  beforeAll(async () => {
    const lmFile = path.join(process.env.TMPDIR ?? '/tmp', `eval-lm-${process.pid}.arpa`);
    writeFileSync(lmFile, ARPA);
    tiny = await buildTinyEnsemble({ lm: { 0: lmFile }, testManifests: true });
    ensemble = await Ensemble.load(tiny.dir);
    work = path.join(tiny.fx.root, 'evaltest');
    mkdirSync(work, { recursive: true });
    const utt = (name: string, tones: string, text: string) => {
      writeWavFile(path.join(work, `${name}.wav`), synthesizeTones([...tones], tiny.fx.frequencies, { amp: 0.3 }));
      return JSON.stringify({ audio_filepath: `${name}.wav`, text });
    };
    // dom0: a/b tones. u3 is dom1 audio labelled dom0: one misrouted utterance by construction.
    dom0 = path.join(work, 'dom0.jsonl');
    writeFileSync(dom0, [utt('u1', 'abba', 'abba'), utt('u2', 'ab', 'ab ab'), utt('u3', 'cd', 'cd')].join('\n') + '\n');
    dom1 = path.join(work, 'dom1.jsonl');
    writeFileSync(dom1, [utt('u4', 'cddc', 'cddc'), utt('u5', 'dc', 'dd')].join('\n') + '\n');
  });
  afterAll(async () => {
    await ensemble?.dispose();
  });

  const sets = async () => [
    { domain: 'dom0', manifest: dom0, utterances: (await loadManifest(dom0, { requireText: true })).entries },
    { domain: 'dom1', manifest: dom1, utterances: (await loadManifest(dom1, { requireText: true })).entries },
  ];

  it('selection accuracy, confusion and WER/CER as worked out by hand', async () => {
    let ticks = 0;
    const r = await evaluate(ensemble, await sets(), { jobs: 3, onUtterance: () => ticks++ });
    expect(ticks).toBe(5);
    expect(r.members).toEqual(['dom0', 'dom1']);
    expect(r.perUtterance.map((u) => u.chosen)).toEqual(['dom0', 'dom0', 'dom1', 'dom1', 'dom1']);
    expect(r.perUtterance.map((u) => u.ensembleText)).toEqual(['abba', 'ab', 'cd', 'cddc', 'dc']);
    expect(r.selection.confusion.matrix).toEqual([
      [2, 1],
      [0, 2],
    ]);
    expect(r.selection.perDomain.dom0!.accuracy).toBeCloseTo(2 / 3, 12);
    expect(r.selection.perDomain.dom1!.accuracy).toBe(1);
    expect(r.selection.overall).toEqual({ correct: 4, total: 5, accuracy: 0.8 });
    const ens = r.systems.find((s) => s.id === 'ensemble')!;
    // dom0: "ab" for "ab ab" = 1 deletion in 1+2+1 = 4 words; dom1: "dc" for "dd" = 1 substitution in 2 words
    expect(ens.perDomain.dom0!.wer).toBeCloseTo(1 / 4, 12);
    expect(ens.perDomain.dom1!.wer).toBeCloseTo(1 / 2, 12);
    expect(ens.overall.wer).toBeCloseTo(2 / 6, 12);
    // characters: dom0 "ab ab" → "ab" deletes 3 of 4 + 5 + 2 = 11; dom1 1 substitution in 4 + 2
    expect(ens.perDomain.dom0!.cer).toBeCloseTo(3 / 11, 12);
    expect(ens.perDomain.dom1!.cer).toBeCloseTo(1 / 6, 12);
    expect(ens.overall.cer).toBeCloseTo(4 / 17, 12);
    // the wrong member prints upper-case twins, which normalisation folds: single members score the same here
    expect(r.perUtterance[0].greedy).toEqual({ dom0: 'abba', dom1: 'ABBA' });
    // every probability is near 1: one calibration bin with accuracy 4/5
    expect(r.calibration.bins[9].count).toBe(5);
    expect(r.calibration.bins[9].accuracy).toBeCloseTo(0.8, 12);
    // member confidences: each member is more confident on its own domain
    expect(r.confidence.dom0!.dom0!.mean).toBeGreaterThan(r.confidence.dom0!.dom1!.mean);
    expect(r.confidence.dom1!.dom1!.mean).toBeGreaterThan(r.confidence.dom1!.dom0!.mean);
    expect(r.domains.map((d) => d.utterances)).toEqual([3, 2]);
  });

  it('early routing: a third pass; S longer than every utterance repeats the main selection at cost 1', async () => {
    const long = await evaluate(ensemble, await sets(), { jobs: 2, earlyRouteSeconds: 100 });
    expect(long.earlyRoute!.overall).toEqual(long.selection.overall);
    expect(long.earlyRoute!.fullAccuracy).toBe(0.8);
    expect(long.earlyRoute!.cost).toBe(1);
    expect(long.perUtterance.map((u) => u.early!.text)).toEqual(long.perUtterance.map((u) => u.ensembleText));
    const short = await evaluate(ensemble, await sets(), { jobs: 2, earlyRouteSeconds: 0.3 });
    const e = short.earlyRoute!;
    expect(e.seconds).toBe(0.3);
    expect(e.overall.correct).toBe(short.perUtterance.filter((u) => u.early!.chosen === u.domain).length);
    let run = 0;
    let full = 0;
    for (const u of short.perUtterance) {
      run += u.audioSeconds > 0.3 ? 2 * 0.3 + u.audioSeconds : 2 * u.audioSeconds;
      full += 2 * u.audioSeconds;
    }
    expect(e.cost).toBeCloseTo(run / full, 12);
    expect(e.cost).toBeLessThan(1);
    expect(e.measuredCost).toBeGreaterThan(0);
    expect(renderMarkdown(short)).toContain('## Early routing on the first 0.3 s');
    expect(short.earlyRoute!.wer.utterances).toBe(5);
  });

  it('early-routing cascade: floors scored from one prefix pass replay Ensemble.transcribe; 0 = plain early routing, 1 = full routing', async () => {
    // S = 0.4: the 2-tone utterances (0.68 s) are within S·M/(M−1) = 0.8 s (routed fully with a floor > 0), the 4-tone ones are not.
    const S = 0.4;
    const plain = await evaluate(ensemble, await sets(), { jobs: 2, earlyRouteSeconds: S });
    const tops = plain.perUtterance.filter((u) => u.audioSeconds > 2 * S).map((u) => u.early!.prefixProbability!);
    expect(tops.length).toBeGreaterThan(1);
    const mid = [...tops].sort((a, b) => a - b)[Math.floor(tops.length / 2)];
    const floors = [0, 0.01, mid, 1];
    const r = await evaluate(ensemble, await sets(), { jobs: 2, earlyRouteSeconds: S, earlyRouteMinProbs: floors });
    const e = r.earlyRoute!;
    expect(e.curve.map((c) => c.minProbability)).toEqual(floors);
    // Floor 0 (the first): the plain early routing of before, no escalation.
    for (const k of ['overall', 'perDomain', 'wer', 'cost'] as const) expect(e[k]).toEqual(plain.earlyRoute![k]);
    expect(e.escalated).toEqual({ short: 0, lowProbability: 0, rate: 0 });
    // Floor 1: full routing (the main pass), cost 1, everything escalated.
    const one = e.curve[3];
    expect([one.overall, one.cost, one.escalated.rate]).toEqual([r.selection.overall, 1, 1]);
    expect(one.wer).toEqual(r.systems.find((s) => s.id === 'ensemble')!.overall);
    // Floor 0.01 (below 1/M: never on probability): only the length rule, which lowers the cost.
    expect(e.curve[1].escalated).toEqual({ short: 3, lowProbability: 0, rate: 3 / 5 });
    expect(e.curve[1].cost).toBeLessThan(e.cost);
    expect(e.curve[2].escalated.lowProbability).toBeGreaterThan(0);
    expect(e.curve[2].perDomainEscalated.dom0.short + e.curve[2].perDomainEscalated.dom1.short).toBe(3);
    // Each floor's outcome is what Ensemble.transcribe does with that floor.
    for (const p of floors) {
      for (const u of r.perUtterance) {
        const o = earlyRouteOutcome(u, 2, S, p);
        const real = await ensemble.transcribe(u.audioFilepath, { earlyRouteSeconds: S, earlyRouteMinProb: p });
        expect([real.model, real.text]).toEqual([o.chosen, o.text]);
        if (p > 0 && p < 1) expect(real.earlyRoute!.escalated ?? 'prefix').toBe(o.route);
        if (p === 1) expect(real.earlyRoute).toBeUndefined();
      }
    }
    const md = renderMarkdown(r);
    expect(md).toContain('| floor | accuracy |');
    expect(md).toMatch(/Cascade floor 0: 0\.0 % routed fully/);
    await expect(evaluate(ensemble, await sets(), { earlyRouteSeconds: S, earlyRouteMinProbs: [1.2] })).rejects.toThrow(/from 0 to 1, got 1\.2/);
  });

  it('with --lm: LM systems for the ensemble, oracle, true domain and the member that has an LM', async () => {
    const r = await evaluate(ensemble, await sets(), { lm: true, jobs: 2 });
    expect(r.lm).toBe(true);
    expect(r.lmMembers).toEqual(['dom0']);
    const ids = r.systems.map((s) => s.id);
    expect(ids).toContain('ensemble+lm');
    expect(ids).toContain('oracle+lm');
    expect(ids).toContain('member:dom0+lm');
    expect(ids).not.toContain('member:dom1+lm');
    // the LM tables are the WER of the per-utterance LM transcripts
    const lmWer = r.systems.find((s) => s.id === 'member:dom0+lm')!.overall.wer;
    expect(lmWer).toBeCloseTo(wer(r.perUtterance.map((u) => [u.reference, u.lm!.dom0!] as [string, string])), 12);
    const ensLm = r.systems.find((s) => s.id === 'ensemble+lm')!;
    expect(ensLm.overall.cer).toBeCloseTo(cer(r.perUtterance.map((u) => [u.reference, u.ensembleLmText!] as [string, string])), 12);
    expect(r.perUtterance[0].ensembleLmText).toBe('abba');
  });

  it('refuses a domain that is not a member, and --lm without LMs', async () => {
    const s = await sets();
    await expect(evaluate(ensemble, [{ ...s[0], domain: 'english' }])).rejects.toThrow(/"english" is not a member .* one of: dom0, dom1/);
    await expect(evaluate(ensemble, [s[0], s[0]])).rejects.toThrow(/more than once/);
    await expect(evaluate(ensemble, [])).rejects.toBeInstanceOf(UserError);
    const noLm = { members: () => ensemble.members().map((m) => ({ ...m, lm: null })), transcribe: ensemble.transcribe.bind(ensemble) };
    await expect(evaluate(noLm, s, { lm: true })).rejects.toThrow(/no member of this ensemble has a language model/);
  });

  it('CLI: ensemble eval writes eval.json / eval.md / eval.html and prints the summary', async () => {
    const out = path.join(work, 'out');
    const res = await runCli(['eval', '--ensemble', tiny.dir, '--test', `dom0=${dom0}`, '--test', `dom1=${dom1}`, '-o', out, '--jobs', '2', '--lm'], {
      timeoutMs: 120_000,
    });
    expect(res.stderr).toMatch(/eval \(greedy \+ LM\)/); // progress (plain lines when not a terminal)
    expect(res.stderr).toMatch(/eval: 2 worker thread\(s\)/); // the compiled CLI spreads utterances over threads
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('| **overall** | 4 | 5 | 80.0 % |');
    const j = JSON.parse(readFileSync(path.join(out, 'eval.json'), 'utf8')) as EvalReport;
    expect(j.selection.confusion.matrix).toEqual([
      [2, 1],
      [0, 2],
    ]);
    expect(j.systems.find((s) => s.id === 'ensemble')!.overall.wer).toBeCloseTo(2 / 6, 12);
    expect(j.parallelism).toBe('2 worker thread(s)');
    // the same numbers as the in-thread evaluation
    expect(j.systems.find((s) => s.id === 'member:dom0+lm')!.overall.wer).toBeCloseTo(
      wer(j.perUtterance.map((u) => [u.reference, u.lm!.dom0!] as [string, string])),
      12,
    );
    expect(existsSync(path.join(out, 'eval.md'))).toBe(true);
    expect(readFileSync(path.join(out, 'eval.html'), 'utf8')).toContain('<svg');
  });

  it('CLI errors: unknown domain, malformed --test, manifest without text', async () => {
    const bad = await runCli(['eval', '--ensemble', tiny.dir, '--test', `english=${dom0}`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"english" is not a member of the ensemble; a domain must be one of: dom0, dom1/);
    const malformed = await runCli(['eval', '--ensemble', tiny.dir, '--test', dom0]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/--test expects DOMAIN=MANIFEST/);
    const noText = path.join(work, 'notext.jsonl');
    writeFileSync(noText, JSON.stringify({ audio_filepath: 'u1.wav' }) + '\n');
    const nt = await runCli(['eval', '--ensemble', tiny.dir, '--test', `dom0=${noText}`]);
    expect(nt.code).toBe(2);
    expect(nt.stderr).toMatch(/notext\.jsonl:1: missing "text"/);
    for (const [args, msg] of [
      [['--early-route', '0.4', '--early-route-min-prob', '0.5,1.1'], /--early-route-min-prob must be a number from 0 to 1, got "1\.1"/],
      [['--early-route', '0.4', '--early-route-min-prob', 'x'], /--early-route-min-prob must be a number from 0 to 1, got "x"/],
      [['--early-route-min-prob', '0.5'], /--early-route-min-prob needs --early-route SECONDS/],
    ] as const) {
      const r = await runCli(['eval', '--ensemble', tiny.dir, '--test', `dom0=${dom0}`, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('CLI: --early-route without --early-route-min-prob scores the floor of the ensemble (early_route_min_prob)', async () => {
    // A sibling folder of the ensemble: the relative paths in ensemble.json still resolve.
    const dir = path.join(path.dirname(tiny.dir), `${path.basename(tiny.dir)}-floor`);
    mkdirSync(dir, { recursive: true });
    const j = JSON.parse(readFileSync(path.join(tiny.dir, 'ensemble.json'), 'utf8')) as EnsembleJson;
    writeFileSync(path.join(dir, 'ensemble.json'), JSON.stringify({ ...j, earlyRouteMinProb: 0.75 }));
    const out = path.join(work, 'cli-floor');
    const res = await runCli(
      ['eval', '--ensemble', dir, '--test', `dom0=${dom0}`, '--test', `dom1=${dom1}`, '-o', out, '--jobs', '1', '--early-route', '0.4'],
      {
        timeoutMs: 120_000,
      },
    );
    expect(res.code).toBe(0);
    const r = JSON.parse(readFileSync(path.join(out, 'eval.json'), 'utf8')) as EvalReport;
    expect(r.earlyRoute!.curve.map((c) => c.minProbability)).toEqual([0.75]);
    expect(r.earlyRoute!.minProbability).toBe(0.75);
  });

  it('without --test: the test_manifest of each member from the YAML, recorded in ensemble.json', async () => {
    const j = JSON.parse(readFileSync(path.join(tiny.dir, 'ensemble.json'), 'utf8')) as EnsembleJson;
    // relative to the ensemble folder (root/ensemble), like the other manifests
    expect(j.models.map((m) => m.testManifest)).toEqual(['../data/dom0.test.jsonl', '../data/dom1.test.jsonl']);
    expect(await resolveTestArgs(tiny.dir, [])).toEqual(tiny.fx.domains.map((d) => ({ domain: d.name, manifest: d.test })));
    // --test wins over ensemble.json
    expect(await resolveTestArgs(tiny.dir, [`dom1=${dom1}`])).toEqual([{ domain: 'dom1', manifest: dom1 }]);
    const out = path.join(work, 'out-yaml');
    const res = await runCli(['eval', '--ensemble', tiny.dir, '-o', out, '--jobs', '1'], { timeoutMs: 120_000 });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`eval: test sets from ensemble.json: dom0=${tiny.fx.domains[0].test}, dom1=${tiny.fx.domains[1].test}`);
    const r = JSON.parse(readFileSync(path.join(out, 'eval.json'), 'utf8')) as EvalReport;
    expect(r.domains.map((d) => [d.name, d.utterances])).toEqual([
      ['dom0', 4],
      ['dom1', 4],
    ]);
    expect(r.perUtterance.map((u) => u.reference)).toEqual([...tiny.fx.domains[0].testTexts, ...tiny.fx.domains[1].testTexts]);
  });

  it('an ensemble.json without testManifest (older files) loads; eval then needs --test and says both ways', async () => {
    // a sibling folder, so the relative model paths still resolve
    const old = path.join(tiny.fx.root, 'ensemble-old');
    mkdirSync(old, { recursive: true });
    const j = JSON.parse(readFileSync(path.join(tiny.dir, 'ensemble.json'), 'utf8')) as EnsembleJson;
    for (const m of j.models) delete m.testManifest;
    writeFileSync(path.join(old, 'ensemble.json'), JSON.stringify(j));
    const e = await Ensemble.load(old);
    expect(e.members().map((m) => m.name)).toEqual(['dom0', 'dom1']);
    await e.dispose();
    await expect(resolveTestArgs(old, [])).rejects.toThrow(
      /give at least one --test DOMAIN=MANIFEST .*or set test_manifest for the members in the ensemble YAML/,
    );
    const none = await runCli(['eval', '--ensemble', old]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /no test sets: give at least one --test DOMAIN=MANIFEST \(repeatable\), or set test_manifest .*no model in .*ensemble\.json has a testManifest/,
    );
  });
});
