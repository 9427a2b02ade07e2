import { describe, expect, it } from 'vitest';
import { applyTemperature, computeConfidenceGrid, nemoTuningGrid } from '../../src/confidence/index.js';
import {
  featureMatricesFromGrids,
  linspace,
  nemoCGrid,
  nemoLrGrid,
  selectorAccuracy,
  trainSelector,
  tuneConfidenceAndSelector,
  tuneSelector,
} from '../../src/selector/index.js';
import { UserError } from '../../src/util/errors.js';

import { gauss, rng } from '../helpers/random.js';
function clusters(counts: number[], spread: number, seed: number): { X: number[][]; y: number[] } {
  const r = rng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  counts.forEach((n, k) => {
    for (let i = 0; i < n; i++) {
      X.push(counts.map((_, m) => 0.15 + (m === k ? 0.08 : 0) + spread * gauss(r)));
      y.push(k);
    }
  });
  return { X, y };
}

describe('tuning grids', () => {
  it('C grid = exp(linspace(ln 1e-4, ln 10, 10)) + 1e4 (NeMo `scripts/confidence_ensembles/build_ensemble.py`)', () => {
    const ref = [0.0001, 0.0003593813664, 0.001291549665, 0.004641588834, 0.01668100537, 0.05994842503, 0.215443469, 0.7742636827, 2.782559402, 10.0, 10000.0];
    const c = nemoCGrid();
    expect(c.length).toBe(11);
    c.forEach((v, i) => expect(Math.abs(v / ref[i] - 1)).toBeLessThan(1e-9));
    expect(c[10]).toBe(10000);
    expect(() => nemoCGrid({ cMin: 0 })).toThrow(/C_min/);
  });
  it('linspace follows numpy (start + i·step, last element exactly stop)', () => {
    expect(linspace(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(2, 3, 1)).toEqual([2]);
    const l = linspace(Math.log(1e-4), Math.log(10), 10);
    expect(l[9]).toBe(Math.log(10));
  });
  it('44 LR settings in NeMo order: class_weight → multi_class → C ascending', () => {
    const g = nemoLrGrid();
    expect(g.length).toBe(44);
    // exp(ln 1e-4) = 1.0000000000000009e-4, as numpy computes it
    expect(g[0]).toEqual({ C: Math.exp(Math.log(1e-4)), multiClass: 'ovr', classWeight: null });
    expect(g[10]).toEqual({ C: 1e4, multiClass: 'ovr', classWeight: null });
    expect(g[11]).toMatchObject({ C: g[0].C, multiClass: 'multinomial', classWeight: null });
    expect(g[22]).toMatchObject({ C: g[0].C, multiClass: 'ovr', classWeight: 'balanced' });
    expect(g[43]).toMatchObject({ C: 1e4, multiClass: 'multinomial', classWeight: 'balanced' });
    expect(() => nemoLrGrid({ multiClass: ['auto' as 'ovr'] })).toThrow(/multi_class/);
  });
});

describe('tuneSelector', () => {
  const train = clusters([80, 40, 60], 0.07, 5);
  const dev = clusters([30, 30, 30], 0.07, 6);
  const res = tuneSelector(train.X, train.y, dev.X, dev.y);

  it('tries all 44 settings and picks the first with the highest dev accuracy (strictly greater)', () => {
    expect(res.trials.length).toBe(44);
    const best = Math.max(...res.trials.map((t) => t.devAccuracy));
    const first = res.trials.findIndex((t) => t.devAccuracy === best);
    expect(res.devAccuracy).toBe(best);
    expect({ C: res.C, multiClass: res.multiClass, classWeight: res.classWeight }).toEqual({
      C: res.trials[first].C,
      multiClass: res.trials[first].multiClass,
      classWeight: res.trials[first].classWeight,
    });
    expect(res.devAccuracy).toBeCloseTo(selectorAccuracy(res.selector, dev.X, dev.y), 15);
    expect(res.trainAccuracy).toBeCloseTo(selectorAccuracy(res.selector, train.X, train.y), 15);
  });
  it('the returned selector equals a fresh fit on train with the chosen setting (NeMo refits on train)', () => {
    const fresh = trainSelector(train.X, train.y, { C: res.C, multiClass: res.multiClass, classWeight: res.classWeight });
    expect(res.selector.predict(dev.X)).toEqual(fresh.predict(dev.X));
    res.selector.coef.flat().forEach((v, i) => expect(v).toBeCloseTo(fresh.coef.flat()[i], 6));
  });
  it('every trial score equals a cold-start fit (warm starts change only speed)', () => {
    for (const t of res.trials.filter((_, i) => i % 7 === 3)) {
      const s = trainSelector(train.X, train.y, t);
      expect(selectorAccuracy(s, dev.X, dev.y)).toBe(t.devAccuracy);
    }
  });
  it('dev accuracy 0 for every setting → UserError (NeMo would crash on best_pipe = None)', () => {
    const tr = clusters([40, 40], 0.01, 7);
    const dv = clusters([10, 10], 0.01, 8);
    expect(() =>
      tuneSelector(
        tr.X,
        tr.y,
        dv.X,
        dv.y.map((v) => 1 - v),
      ),
    ).toThrow(UserError);
  });
  it('validates the dev set', () => {
    expect(() => tuneSelector(train.X, train.y, [], [])).toThrow(/dev/);
    expect(() => tuneSelector(train.X, train.y, dev.X, dev.y.slice(1))).toThrow(UserError);
  });
});

describe('tuneConfidenceAndSelector', () => {
  it('rejects tune_logistic_regression=false with a clear UserError (NeMo: AttributeError)', () => {
    expect(() => tuneConfidenceAndSelector([[[0]]], [0], [[[0]]], [0], nemoTuningGrid().slice(0, 1), { tuneLogisticRegression: false })).toThrow(
      /tune_logistic_regression/,
    );
  });
  it('walks the specs in order, keeps the first best', () => {
    const specs = nemoTuningGrid().slice(0, 5);
    const noisy = clusters([30, 30], 0.3, 9);
    const good = clusters([30, 30], 0.03, 10);
    const devNoisy = clusters([20, 20], 0.3, 11);
    const devGood = clusters([20, 20], 0.03, 12);
    // spec 1 and spec 3 carry the same (good) features: spec 1 must win.
    const train = [noisy.X, good.X, noisy.X, good.X, noisy.X];
    const devs = [devNoisy.X, devGood.X, devNoisy.X, devGood.X, devNoisy.X];
    const seen: number[] = [];
    const r = tuneConfidenceAndSelector(train, good.y, devs, devGood.y, specs, { onSpec: (i) => seen.push(i) });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(r.specIndex).toBe(1);
    expect(r.spec).toEqual(specs[1]);
    expect(r.specScores[1]).toBe(r.specScores[3]);
    expect(r.specScores[1]).toBeGreaterThan(r.specScores[0]);
    expect(r.devAccuracy).toBe(r.specScores[1]);
  });
  it('checks one matrix per spec', () => {
    expect(() => tuneConfidenceAndSelector([[[0.1, 0.2]]], [0], [], [], nemoTuningGrid().slice(0, 1))).toThrow(UserError);
  });
  it('end to end: posteriors → 144-spec grid → features → tuned selector picks the right model', () => {
    // Two "models" with V = 9 (blank = 8). Utterances of dataset k: model k is sharp, the other flat.
    const V = 9;
    const T = 20;
    const r = rng(99);
    const utterance = (sharp: boolean): Float32Array => {
      const logits = new Float32Array(T * V);
      for (let f = 0; f < T; f++) {
        const hot = r() < 0.4 ? V - 1 : Math.floor(r() * (V - 1));
        for (let v = 0; v < V; v++) logits[f * V + v] = (v === hot ? (sharp ? 5 : 1.2) : 0) + 0.8 * gauss(r);
      }
      return applyTemperature(logits, T, V, 1);
    };
    const specs = nemoTuningGrid();
    const make = (perClass: number): { grids: Float64Array[][]; y: number[] } => {
      const grids: Float64Array[][] = [[], []];
      const y: number[] = [];
      for (let k = 0; k < 2; k++) {
        for (let i = 0; i < perClass; i++) {
          for (let m = 0; m < 2; m++) grids[m].push(computeConfidenceGrid(utterance(m === k ? r() < 0.9 : r() < 0.1), T, V, V - 1, specs));
          y.push(k);
        }
      }
      return { grids, y };
    };
    const tr = make(25);
    const dv = make(15);
    const trainF = featureMatricesFromGrids(tr.grids);
    const devF = featureMatricesFromGrids(dv.grids);
    expect(trainF.length).toBe(144);
    expect(trainF[0].length).toBe(50);
    expect(trainF[0][0].length).toBe(2);
    expect(trainF[7][3][1]).toBe(tr.grids[1][3][7]);
    const res = tuneConfidenceAndSelector(trainF, tr.y, devF, dv.y, specs);
    expect(res.specScores.length).toBe(144);
    expect(res.devAccuracy).toBeGreaterThan(0.8);
    expect(res.devAccuracy).toBe(Math.max(...res.specScores));
    expect(res.specIndex).toBe(res.specScores.indexOf(res.devAccuracy));
  });
});
