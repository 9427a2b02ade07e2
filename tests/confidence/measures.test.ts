import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  aggregateConfidence,
  applyTemperature,
  computeConfidence,
  computeConfidenceGrid,
  DEFAULT_CONFIDENCE_SPEC,
  frameConfidence,
  gibbsEntropyConfidence,
  maxProbConfidence,
  nemoTuningGrid,
  renyiEntropyConfidence,
  tsallisEntropyConfidence,
  validateConfidenceSpec,
  type ConfidenceSpec,
} from '../../src/confidence/index.js';
import { UserError } from '../../src/util/errors.js';
import { sharedAvailable, sharedPath } from '../helpers/shared.js';

// ../shared/reference/nemo-confidence-ensemble.md §1.6 toy example: 3 frames, V = 4, blank = 3; log-probs ln(p) in float64 cast to float32 (as NeMo).
const P = [
  [0.7, 0.1, 0.15, 0.05],
  [0.2, 0.5, 0.2, 0.1],
  [0.05, 0.05, 0.1, 0.8],
];
const toy = Float32Array.from(P.flat().map(Math.log));
const row = (f: number): Float32Array => toy.subarray(f * 4, f * 4 + 4);

interface GoldenRow {
  excludeBlank: boolean;
  type: string;
  alpha: number;
  frames: number[];
  mean: number;
  min: number;
  max: number;
  prod: number;
}

function parseGolden(text: string): GoldenRow[] {
  const rows: GoldenRow[] = [];
  const re = /^exclude_blank=(True|False)\s+(\S+)\s+alpha=(\S+)\s+frames=\[([^\]]*)\]\s+mean=(\S+)\s+min=(\S+)\s+max=(\S+)\s+prod=(\S+)\s*$/;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const m = re.exec(line);
    if (!m) throw new Error(`unparsed golden line: ${line}`);
    rows.push({
      excludeBlank: m[1] === 'True',
      type: m[2],
      alpha: Number(m[3]),
      frames: m[4].split(',').map(Number),
      mean: Number(m[5]),
      min: Number(m[6]),
      max: Number(m[7]),
      prod: Number(m[8]),
    });
  }
  return rows;
}

function specOf(r: GoldenRow, aggregation: ConfidenceSpec['aggregation']): ConfidenceSpec {
  if (r.type === 'max_prob') return { excludeBlank: r.excludeBlank, aggregation, method: 'max_prob', entropyType: 'renyi', entropyNorm: 'lin', alpha: r.alpha };
  const [, t, n] = r.type.split('_');
  return {
    excludeBlank: r.excludeBlank,
    aggregation,
    method: 'entropy',
    entropyType: t as ConfidenceSpec['entropyType'],
    entropyNorm: n as ConfidenceSpec['entropyNorm'],
    alpha: r.alpha,
  };
}

const TOL = 1e-6;
const AGGS = ['mean', 'min', 'max', 'prod'] as const;

describe.skipIf(!sharedAvailable)('golden: shared/golden/nemo/confidence_toy_example.txt', () => {
  const rows = sharedAvailable ? parseGolden(readFileSync(sharedPath('golden', 'nemo', 'confidence_toy_example.txt'), 'utf8')) : [];
  const byKey = new Map(rows.map((r) => [`${r.excludeBlank}|${r.type}|${r.alpha}`, r]));

  it('has all 56 rows', () => {
    expect(rows.length).toBe(56);
  });

  it('per-frame values of every measure match (named functions)', () => {
    for (const r of rows) {
      const kept = r.excludeBlank ? [0, 1] : [0, 1, 2];
      expect(r.frames.length).toBe(kept.length);
      kept.forEach((f, i) => {
        const v = frameConfidence(row(f), specOf(r, 'mean'));
        expect(Math.abs(v - r.frames[i]), `${r.type} α=${r.alpha} frame ${f}`).toBeLessThan(TOL);
      });
    }
  });

  it('aggregates of every row match (per-frame measure with its alpha + aggregateConfidence)', () => {
    for (const r of rows) {
      const kept = r.excludeBlank ? [0, 1] : [0, 1, 2];
      const vals = kept.map((f) => frameConfidence(row(f), specOf(r, 'mean')));
      for (const a of AGGS) expect(Math.abs(aggregateConfidence(vals, a) - r[a]), `${r.type} α=${r.alpha} ${a}`).toBeLessThan(TOL);
    }
  });

  it('computeConfidence matches every row (max_prob: the ensemble forces α = 1)', () => {
    for (const r of rows) {
      for (const a of AGGS) {
        const got = computeConfidence(toy, 3, 4, 3, specOf(r, a));
        const ref = r.type === 'max_prob' ? byKey.get(`${r.excludeBlank}|max_prob|1`)![a] : r[a];
        expect(Math.abs(got - ref), `${r.excludeBlank} ${r.type} α=${r.alpha} ${a}`).toBeLessThan(TOL);
      }
    }
  });

  it('computeConfidenceGrid over all golden specs equals computeConfidence bit for bit', () => {
    const specs = rows.flatMap((r) => AGGS.map((a) => specOf(r, a)));
    const grid = computeConfidenceGrid(toy, 3, 4, 3, specs);
    specs.forEach((s, k) => expect(grid[k]).toBe(computeConfidence(toy, 3, 4, 3, s)));
  });
});

describe('confidence: spec §1.6 values (independent of shared/)', () => {
  it('default ensemble feature renyi_lin α=0.25 mean exclude_blank = 0.0608075750', () => {
    expect(computeConfidence(toy, 3, 4, 3, { ...DEFAULT_CONFIDENCE_SPEC })).toBeCloseTo(0.060807575, 7);
  });
  it('named per-frame functions', () => {
    expect(maxProbConfidence(row(0))).toBeCloseTo(0.6, 8);
    expect(maxProbConfidence(row(0), 0.25)).toBeCloseTo(0.7087376037, 7);
    expect(gibbsEntropyConfidence(row(0), 0.25, 'lin')).toBeCloseTo(-0.0758188745, 7);
    expect(gibbsEntropyConfidence(row(1), 1, 'exp')).toBeCloseTo(0.060067918, 7);
    expect(tsallisEntropyConfidence(row(2), 0.25, 'exp')).toBeCloseTo(0.0620009134, 7);
    expect(renyiEntropyConfidence(row(0), 0.25, 'lin')).toBeCloseTo(0.0913178683, 7);
    expect(renyiEntropyConfidence(row(1), 0.25, 'exp')).toBeCloseTo(0.0142984901, 7);
  });
  it('one-hot frame → 1 and uniform frame → 0 for every measure', () => {
    const V = 6;
    const uniform = new Float64Array(V).fill(-Math.log(V));
    const peaked = Float64Array.from({ length: V }, (_, i) => (i === 2 ? 0 : Math.log(1e-40)));
    for (const s of nemoTuningGrid({
      confidenceType: [
        'max_prob',
        'entropy_gibbs_lin',
        'entropy_gibbs_exp',
        'entropy_tsallis_lin',
        'entropy_tsallis_exp',
        'entropy_renyi_lin',
        'entropy_renyi_exp',
      ],
      alpha: [0.5, 1],
    })) {
      expect(frameConfidence(uniform, s)).toBeCloseTo(0, 9);
      expect(frameConfidence(peaked, s)).toBeCloseTo(1, 6);
    }
  });
  it('p = 0 (−inf log-prob) contributes its limit 0 to the Gibbs sums instead of NaN', () => {
    const x = Float32Array.from([0, -Infinity, -Infinity]);
    expect(gibbsEntropyConfidence(x, 1, 'lin')).toBe(1);
    expect(gibbsEntropyConfidence(x, 0.5, 'lin')).toBe(1);
  });
});

describe('confidence: blank handling, guard, temperature', () => {
  const spec = (over: Partial<ConfidenceSpec>): ConfidenceSpec => ({ ...DEFAULT_CONFIDENCE_SPEC, ...over });
  it('exclude_blank uses the given blank id (wav2vec2: pad id 0)', () => {
    // Put the "blank" in column 0: rows permuted so that frame 2's argmax (0.8) is at index 0.
    const perm = [3, 0, 1, 2];
    const lp = Float32Array.from(P.flatMap((r) => perm.map((i) => Math.log(r[i]))));
    expect(computeConfidence(lp, 3, 4, 0, spec({}))).toBeCloseTo(computeConfidence(toy, 3, 4, 3, spec({})), 12);
    expect(computeConfidence(lp, 3, 4, 3, spec({}))).not.toBeCloseTo(computeConfidence(toy, 3, 4, 3, spec({})), 6);
  });
  it('all-blank utterance keeps frame 0 only', () => {
    const lp = Float32Array.from([0.1, 0.2, 0.7, 0.3, 0.1, 0.6].map(Math.log)); // V = 3, blank = 2, both frames blank
    for (const aggregation of ['mean', 'min', 'max', 'prod'] as const) {
      expect(computeConfidence(lp, 2, 3, 2, spec({ aggregation }))).toBe(renyiEntropyConfidence(lp.subarray(0, 3), 0.25, 'lin'));
    }
  });
  it('argmax ties go to the first maximal index (torch)', () => {
    // frame: [0.45, 0.1, 0.45] with blank = 2: argmax is 0, so the frame is NOT blank.
    const lp = Float32Array.from([0.45, 0.1, 0.45, 0.2, 0.1, 0.7].map(Math.log));
    const g = computeConfidence(lp, 2, 3, 2, spec({ aggregation: 'mean' }));
    expect(g).toBe(renyiEntropyConfidence(lp.subarray(0, 3), 0.25, 'lin'));
  });
  it('normalisation guard: raw logits are log-softmaxed, normalised input is untouched', () => {
    const logits = Float32Array.from([2.0, 0.5, -1.0, 3.0, 1.0, 0.0, 0.2, 0.1, 5.0]);
    const lp = applyTemperature(logits, 3, 3, 1);
    for (const s of nemoTuningGrid()) {
      expect(computeConfidence(logits, 3, 3, 2, s)).toBeCloseTo(computeConfidence(lp, 3, 3, 2, s), 6);
    }
    // The guard looks only at the first kept row (NeMo): a normalised first row disables it.
    const mixed = Float32Array.from([...toy.subarray(0, 4), 5, 1, 1, 1]);
    const g = computeConfidence(mixed, 2, 4, 3, spec({ excludeBlank: false, method: 'max_prob', aggregation: 'max' }));
    expect(g).toBeCloseTo((4 * Math.exp(5) - 1) / 3, 3); // unnormalised row 1 used as is
  });
  it('applyTemperature = log_softmax(lp / T); T = 1 leaves log-probs unchanged', () => {
    const t1 = applyTemperature(toy, 3, 4, 1);
    for (let i = 0; i < toy.length; i++) expect(t1[i]).toBeCloseTo(toy[i], 6);
    const t2 = applyTemperature(toy, 3, 4, 2);
    const s = P[0].map((p) => Math.sqrt(p)).reduce((a, b) => a + b);
    expect(t2[0]).toBeCloseTo(Math.log(Math.sqrt(0.7) / s), 6);
    expect(() => applyTemperature(toy, 3, 4, 0)).toThrow(UserError);
  });
  it('validates inputs and specs with UserErrors naming the field', () => {
    expect(() => validateConfidenceSpec({ ...DEFAULT_CONFIDENCE_SPEC, alpha: 0 })).toThrow(/confidence\.alpha/);
    expect(() => validateConfidenceSpec({ ...DEFAULT_CONFIDENCE_SPEC, entropyType: 'renui' })).toThrow(/confidence\.entropyType/);
    expect(() => validateConfidenceSpec({ ...DEFAULT_CONFIDENCE_SPEC, aggregation: 'median' })).toThrow(/confidence\.aggregation/);
    expect(() => validateConfidenceSpec({ ...DEFAULT_CONFIDENCE_SPEC, typo: 1 })).toThrow(/confidence\.typo/);
    expect(() => computeConfidence(toy, 0, 4, 3, { ...DEFAULT_CONFIDENCE_SPEC })).toThrow(UserError);
    expect(() => computeConfidence(toy, 4, 4, 3, { ...DEFAULT_CONFIDENCE_SPEC })).toThrow(UserError);
    expect(() => computeConfidence(toy, 3, 4, 4, { ...DEFAULT_CONFIDENCE_SPEC })).toThrow(UserError);
  });
});

describe('confidence: tuning grid', () => {
  it('NeMo default grid: 144 specs in NeMo order', () => {
    const g = nemoTuningGrid();
    expect(g.length).toBe(144);
    expect(g[0]).toEqual({ excludeBlank: true, aggregation: 'mean', method: 'entropy', entropyType: 'renyi', entropyNorm: 'exp', alpha: 0.25 });
    expect(g[3]).toMatchObject({ entropyType: 'renyi', entropyNorm: 'exp', alpha: 1 });
    expect(g[4]).toMatchObject({ entropyType: 'renyi', entropyNorm: 'lin', alpha: 0.25 });
    expect(g[24]).toMatchObject({ excludeBlank: true, aggregation: 'min', entropyType: 'renyi', entropyNorm: 'exp' });
    expect(g[72]).toMatchObject({ excludeBlank: false, aggregation: 'mean' });
    expect(g[143]).toMatchObject({ excludeBlank: false, aggregation: 'max', entropyType: 'gibbs', entropyNorm: 'exp', alpha: 1 });
  });
  it('max_prob takes only α = 1; renui accepted', () => {
    const g = nemoTuningGrid({ excludeBlank: [true], aggregation: ['mean'], confidenceType: ['max_prob', 'entropy_renui_lin'], alpha: [0.5, 1] });
    expect(g.map((s) => [s.method, s.entropyType, s.alpha])).toEqual([
      ['max_prob', 'renyi', 1],
      ['entropy', 'renyi', 0.5],
      ['entropy', 'renyi', 1],
    ]);
    expect(() => nemoTuningGrid({ confidenceType: ['entropy_foo_lin'] })).toThrow(UserError);
  });
  it('grid of 144 on random posteriors equals 144 separate computeConfidence calls exactly', () => {
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const T = 50;
    const V = 33;
    const logits = Float32Array.from({ length: T * V }, (_, i) => rnd() * 6 + (i % V === V - 1 ? 2 : 0));
    const lp = applyTemperature(logits, T, V, 1);
    const specs = nemoTuningGrid({
      confidenceType: [
        'max_prob',
        'entropy_renyi_exp',
        'entropy_renyi_lin',
        'entropy_tsallis_exp',
        'entropy_tsallis_lin',
        'entropy_gibbs_lin',
        'entropy_gibbs_exp',
      ],
      aggregation: ['mean', 'min', 'max', 'prod'],
    });
    const grid = computeConfidenceGrid(lp, T, V, V - 1, specs);
    specs.forEach((s, k) => expect(grid[k]).toBe(computeConfidence(lp, T, V, V - 1, s)));
    // and against the per-frame reference
    for (const s of specs.slice(0, 40)) {
      const kept: number[] = [];
      for (let f = 0; f < T; f++) {
        const r = lp.subarray(f * V, (f + 1) * V);
        let am = 0;
        for (let i = 1; i < V; i++) if (r[i] > r[am]) am = i;
        if (!s.excludeBlank || am !== V - 1) kept.push(frameConfidence(r, { ...s, alpha: s.method === 'max_prob' ? 1 : s.alpha }));
      }
      expect(computeConfidence(lp, T, V, V - 1, s)).toBeCloseTo(
        aggregateConfidence(kept.length ? kept : [frameConfidence(lp.subarray(0, V), s)], s.aggregation),
        12,
      );
    }
  });
});
