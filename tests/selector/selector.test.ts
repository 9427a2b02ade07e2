import { describe, expect, it } from 'vitest';
import { importSklearnSelector, lbfgs, Selector, selectorAccuracy, trainSelector, type ClassWeight, type MultiClass } from '../../src/selector/index.js';
import { UserError } from '../../src/util/errors.js';
import { twoModelArrays as two, threeModelArrays as three } from '../helpers/nemo-selector-vectors.js';
import { gauss, rng } from '../helpers/random.js';

describe('selector inference: spec §2.3 vectors', () => {
  it('2 models (multinomial binary: proba = [σ(−2d), σ(2d)])', () => {
    const s = importSklearnSelector(two);
    const X = [
      [0.2, 0.2],
      [0.26, 0.14],
      [0.16, 0.25],
    ];
    const d = s.decisionFunction(X).map((r) => r[0]);
    [-1.0878422468197502, -14.646517203830136, 9.252331369128692].forEach((v, i) => expect(d[i]).toBeCloseTo(v, 9));
    expect(s.predict(X)).toEqual([0, 0, 1]);
    const p = s.predictProba(X);
    expect(p[0][0]).toBeCloseTo(0.8980446204550567, 12);
    expect(p[0][1]).toBeCloseTo(0.10195537954494324, 12);
    for (const r of p) expect(r[0] + r[1]).toBeCloseTo(1, 15);
    const sig = (x: number): number => 1 / (1 + Math.exp(-x));
    expect(p[2][1]).toBeCloseTo(sig(2 * d[2]), 14);
  });
  it('2 models ovr: proba = [1 − σ(d), σ(d)]', () => {
    const s = importSklearnSelector({ ...two, multi_class: 'ovr' });
    const p = s.predictProba([[0.2, 0.2]]);
    const sig = 1 / (1 + Math.exp(1.0878422468197502));
    expect(p[0][1]).toBeCloseTo(sig, 12);
    expect(p[0][0]).toBeCloseTo(1 - sig, 12);
    expect(
      s.predict([
        [0.2, 0.2],
        [0.16, 0.25],
      ]),
    ).toEqual([0, 1]);
  });
  it('3 models (multinomial: softmax of the decisions)', () => {
    const s = importSklearnSelector(three);
    const X = [
      [0.22, 0.2, 0.19],
      [0.1, 0.25, 0.12],
      [0.15, 0.15, 0.26],
    ];
    const d = s.decisionFunction(X);
    [1.1862138230821753, -2.531724648818217, 1.3455108257353343].forEach((v, k) => expect(d[0][k]).toBeCloseTo(v, 9));
    expect(s.predict(X)).toEqual([2, 1, 2]);
    const p = s.predictProba(X);
    [0.4551723169799668, 0.01105339470595502, 0.5337742883140782].forEach((v, k) => expect(p[0][k]).toBeCloseTo(v, 9));
  });
  it('3 models ovr: σ(d_k) / Σ σ(d_j)', () => {
    const s = importSklearnSelector({ ...three, multi_class: 'ovr' });
    const d = [1.1862138230821753, -2.531724648818217, 1.3455108257353343];
    const e = d.map((v) => 1 / (1 + Math.exp(-v)));
    const tot = e.reduce((a, b) => a + b);
    s.predictProba([[0.22, 0.2, 0.19]])[0].forEach((v, k) => expect(v).toBeCloseTo(e[k] / tot, 9));
  });
  it('binary tie d == 0 goes to classes[0]; non-0-based classes are returned as labels', () => {
    const s = new Selector({ multiClass: 'multinomial', classes: [3, 7], mean: [0], scale: [1], coef: [[1]], intercept: [0] });
    expect(s.predict([[0], [1e-9], [-1]])).toEqual([3, 7, 3]);
    expect(s.predictIndex([[1]])).toEqual([1]);
  });
  it('JSON round trip and validation', () => {
    const s = importSklearnSelector(three);
    const j = JSON.parse(JSON.stringify(s.toJSON()));
    const s2 = Selector.fromJSON(j);
    const X = [
      [0.22, 0.2, 0.19],
      [0.1, 0.25, 0.12],
    ];
    expect(s2.predictProba(X)).toEqual(s.predictProba(X));
    expect(Selector.fromJSON(JSON.stringify(j)).toJSON()).toEqual(s.toJSON());
    expect(() => Selector.fromJSON({ ...j, coef: j.coef.slice(1) })).toThrow(/selector\.coef/);
    expect(() => Selector.fromJSON({ ...j, scale: [1, 0, 1] })).toThrow(/selector\.scale/);
    expect(() => Selector.fromJSON({ ...j, intercept: [0] })).toThrow(/selector\.intercept/);
    expect(() => Selector.fromJSON({ ...j, multiClass: 'auto' })).toThrow(/selector\.multiClass/);
    expect(() => Selector.fromJSON({ ...j, version: 3 })).toThrow(/selector\.version/);
    expect(() => Selector.fromJSON({ ...j, extra: 1 })).toThrow(/selector\.extra/);
    expect(() => Selector.fromJSON({ ...j, classes: [0, 2, 1] })).toThrow(/selector\.classes/);
    expect(() => Selector.fromJSON('{nope')).toThrow(UserError);
    expect(() => s.predict([[1, 2]])).toThrow(UserError);
  });
  it('sklearn import validation names the field; auto resolves like sklearn lbfgs', () => {
    expect(() => importSklearnSelector({ ...two, coef_: [[1, 2, 3]] })).toThrow(/arrays\.coef_/);
    expect(() => importSklearnSelector({ ...two, scale_: [1] })).toThrow(/arrays\.scale_/);
    expect(() => importSklearnSelector({ ...two, intercept_: [1, 2] })).toThrow(/arrays\.intercept_/);
    expect(() => importSklearnSelector({ ...two, classes_: [0] })).toThrow(/arrays\.classes_/);
    expect(() => importSklearnSelector({ ...two, multi_class: 'foo' })).toThrow(/arrays\.multi_class/);
    expect(() => importSklearnSelector({ ...two, var_: [1, 1] })).toThrow(/arrays\.var_/);
    const { mean_: _m, ...noMean } = two;
    expect(() => importSklearnSelector(noMean)).toThrow(/arrays\.mean_/);
    expect(importSklearnSelector({ ...two, multi_class: 'auto' }).multiClass).toBe('ovr');
    expect(importSklearnSelector({ ...three, multi_class: 'auto' }).multiClass).toBe('multinomial');
    expect(importSklearnSelector({ ...two, coef_: two.coef_[0] }).coef).toEqual(two.coef_);
  });
});

// ---- training ----

/** Confidence-like clusters: class k's model k is more confident. */
function clusters(counts: number[], spread: number, seed: number): { X: number[][]; y: number[] } {
  const r = rng(seed);
  const M = counts.length;
  const X: number[][] = [];
  const y: number[] = [];
  counts.forEach((n, k) => {
    for (let i = 0; i < n; i++) {
      X.push(Array.from({ length: M }, (_, m) => 0.15 + (m === k ? 0.08 : 0) + spread * gauss(r)));
      y.push(k);
    }
  });
  return { X, y };
}

/**
 * Independent gradient of sklearn's summed objective Σ s_i CE_i + ‖W‖²/(2C) at the selector's
 * parameters (in the standardised space), in the parametrisation sklearn optimises:
 * multinomial → full K-row softmax (K = 2: rows (−w, −b), (w, b)); ovr → one binary problem per row.
 */
function sklearnGradient(sel: Selector, X: number[][], y: number[], C: number, classWeight: ClassWeight): { grad: number; swSum: number } {
  const Z = X.map((r) => r.map((v, j) => (v - sel.mean[j]) / sel.scale[j]));
  const K = sel.classes.length;
  const n = X.length;
  const D = Z[0].length;
  const yi = y.map((l) => sel.classes.indexOf(l));
  const counts = sel.classes.map((_, k) => yi.filter((v) => v === k).length);
  let worst = 0;
  let swSum = 0;
  if (sel.multiClass === 'multinomial') {
    const W = K === 2 ? [sel.coef[0].map((v) => -v), [...sel.coef[0]]] : sel.coef.map((r) => [...r]);
    const b = K === 2 ? [-sel.intercept[0], sel.intercept[0]] : [...sel.intercept];
    const gW = W.map((r) => r.map((v) => v / C));
    const gb = b.map(() => 0);
    for (let i = 0; i < n; i++) {
      const s = classWeight === 'balanced' ? n / (K * counts[yi[i]]) : 1;
      swSum += s;
      const raw = W.map((w, k) => w.reduce((a, v, j) => a + v * Z[i][j], b[k]));
      const m = Math.max(...raw);
      const e = raw.map((v) => Math.exp(v - m));
      const tot = e.reduce((a, v) => a + v);
      for (let k = 0; k < K; k++) {
        const r = s * (e[k] / tot - (k === yi[i] ? 1 : 0));
        for (let j = 0; j < D; j++) gW[k][j] += r * Z[i][j];
        gb[k] += r;
      }
    }
    worst = Math.max(...gW.flat().map(Math.abs), ...gb.map(Math.abs));
  } else {
    const pos = K === 2 ? [1] : sel.classes.map((_, k) => k);
    pos.forEach((p, row) => {
      const yb = yi.map((v) => (v === p ? 1 : 0));
      const nPos = yb.reduce((a, v) => a + v, 0);
      const w = sel.coef[row];
      const gW = w.map((v) => v / C);
      let gb = 0;
      let sws = 0;
      for (let i = 0; i < n; i++) {
        const s = classWeight === 'balanced' ? (yb[i] ? n / (2 * nPos) : n / (2 * (n - nPos))) : 1;
        sws += s;
        const r = w.reduce((a, v, j) => a + v * Z[i][j], sel.intercept[row]);
        const e = s * (1 / (1 + Math.exp(-r)) - yb[i]);
        for (let j = 0; j < D; j++) gW[j] += e * Z[i][j];
        gb += e;
      }
      swSum = Math.max(swSum, sws);
      worst = Math.max(worst, ...gW.map(Math.abs), Math.abs(gb));
    });
  }
  return { grad: worst, swSum };
}

describe('selector training: optimality of the sklearn objective', () => {
  const datasets = {
    '2 classes imbalanced': clusters([60, 25], 0.04, 1),
    '3 classes': clusters([40, 30, 50], 0.04, 2),
    '4 classes overlapping': clusters([30, 30, 30, 30], 0.08, 3),
  };
  for (const [name, { X, y }] of Object.entries(datasets)) {
    for (const multiClass of ['multinomial', 'ovr'] as MultiClass[]) {
      for (const classWeight of ['balanced', null] as ClassWeight[]) {
        for (const C of [1e-4, 0.05994842503, 1, 1e4]) {
          it(`${name}, ${multiClass}, ${classWeight}, C=${C}: ∇ ≈ 0 (incl. intercept)`, () => {
            const sel = trainSelector(X, y, { C, multiClass, classWeight });
            expect(sel.training!.converged).toBe(true);
            const { grad, swSum } = sklearnGradient(sel, X, y, C, classWeight);
            expect(grad / swSum).toBeLessThan(1e-8);
          });
        }
      }
    }
  }
  it('multinomial with K ≥ 3 centres the intercepts (Σ b_k = 0, as from sklearn’s zero start)', () => {
    const { X, y } = datasets['3 classes'];
    const sel = trainSelector(X, y);
    expect(Math.abs(sel.intercept.reduce((a, b) => a + b))).toBeLessThan(1e-12);
    // and the penalised optimum has Σ_k W_k = 0
    for (let j = 0; j < 3; j++) expect(Math.abs(sel.coef.reduce((a, r) => a + r[j], 0))).toBeLessThan(1e-6);
  });
  it('defaults are NeMo’s untuned build: C 1e4, multinomial, balanced', () => {
    const { X, y } = datasets['2 classes imbalanced'];
    const sel = trainSelector(X, y);
    expect(sel.multiClass).toBe('multinomial');
    expect(sel.training).toMatchObject({ C: 1e4, classWeight: 'balanced', samples: 85, classCounts: [60, 25] });
    expect(sklearnGradient(sel, X, y, 1e4, 'balanced').grad / 85).toBeLessThan(1e-8);
    // balanced weights matter on imbalanced data: the unweighted optimum is a different point
    const unweighted = trainSelector(X, y, { classWeight: null });
    expect(sklearnGradient(unweighted, X, y, 1e4, 'balanced').grad / 85).toBeGreaterThan(1e-4);
  });
  it('binary multinomial coef is half the binary-logistic coef with C doubled… i.e. proba = σ(2d)', () => {
    const { X, y } = datasets['2 classes imbalanced'];
    const mn = trainSelector(X, y, { multiClass: 'multinomial', C: 0.5 });
    const ovr = trainSelector(X, y, { multiClass: 'ovr', C: 1.0 });
    mn.coef[0].forEach((v, j) => expect(2 * v).toBeCloseTo(ovr.coef[0][j], 7));
    expect(2 * mn.intercept[0]).toBeCloseTo(ovr.intercept[0], 7);
    const pm = mn.predictProba(X.slice(0, 5));
    const po = ovr.predictProba(X.slice(0, 5));
    pm.forEach((r, i) => expect(r[1]).toBeCloseTo(po[i][1], 7));
  });
});

describe('selector training: behaviour and edge cases', () => {
  it('classifies separated clusters (2, 3 and 5 models)', () => {
    for (const [M, seed] of [
      [2, 11],
      [3, 12],
      [5, 13],
    ]) {
      const train = clusters(new Array(M).fill(40), 0.02, seed);
      const test = clusters(new Array(M).fill(20), 0.02, seed + 100);
      for (const multiClass of ['multinomial', 'ovr'] as MultiClass[]) {
        const sel = trainSelector(train.X, train.y, { multiClass });
        expect(selectorAccuracy(sel, test.X, test.y)).toBeGreaterThan(0.95);
        const p = sel.predictProba(test.X);
        p.forEach((r) => expect(r.reduce((a, b) => a + b)).toBeCloseTo(1, 12));
        // predict is the argmax of predict_proba
        const pred = sel.predict(test.X);
        p.forEach((r, i) => expect(sel.classes[r.indexOf(Math.max(...r))]).toBe(pred[i]));
      }
    }
  });
  it('perfectly separable data with C = 1e4 still converges to finite weights', () => {
    const X = [
      [0.1, 0.5],
      [0.2, 0.6],
      [0.15, 0.55],
      [0.5, 0.1],
      [0.6, 0.2],
      [0.55, 0.15],
    ];
    const y = [1, 1, 1, 0, 0, 0];
    for (const multiClass of ['multinomial', 'ovr'] as MultiClass[]) {
      const sel = trainSelector(X, y, { multiClass });
      expect(sel.training!.converged).toBe(true);
      expect(sel.predict(X)).toEqual(y);
      expect(sel.coef.flat().every(Number.isFinite)).toBe(true);
      expect(sklearnGradient(sel, X, y, 1e4, 'balanced').grad / 6).toBeLessThan(1e-8);
    }
  });
  it('constant feature: scale 1, zero weight', () => {
    const { X, y } = clusters([30, 30], 0.03, 21);
    const Xc = X.map((r) => [r[0], 0.42, r[1]]);
    const sel = trainSelector(Xc, y);
    expect(sel.scale[1]).toBe(1);
    expect(sel.mean[1]).toBeCloseTo(0.42, 14);
    expect(Math.abs(sel.coef[0][1])).toBeLessThan(1e-12);
    // numerically constant after rounding (sklearn _is_constant_feature) also gets scale 1
    const Xn = X.map((r, i) => [r[0], 0.1 + (i % 2) * 1e-18, r[1]]);
    expect(trainSelector(Xn, y).scale[1]).toBe(1);
  });
  it('population std and mean as sklearn StandardScaler', () => {
    const X = [
      [1, 10],
      [2, 10],
      [4, 13],
    ];
    const sel = trainSelector(X, [0, 1, 1], { C: 1 });
    expect(sel.mean).toEqual([7 / 3, 11]);
    expect(sel.scale[0]).toBeCloseTo(Math.sqrt(((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2) / 3), 14);
  });
  it('labels and features are validated', () => {
    const X = [
      [0.1, 0.2],
      [0.2, 0.1],
    ];
    expect(() => trainSelector(X, [0, 0])).toThrow(/at least 2 classes/);
    expect(() => trainSelector(X, [0])).toThrow(UserError);
    expect(() => trainSelector(X, [0, 0.5])).toThrow(/labels\[1\]/);
    expect(() => trainSelector([[0.1, 0.2], [0.2]], [0, 1])).toThrow(/features\[1\]/);
    expect(() =>
      trainSelector(
        [
          [0.1, NaN],
          [0.2, 0.1],
        ],
        [0, 1],
      ),
    ).toThrow(/features\[0\]\[1\]/);
    expect(() => trainSelector([], [])).toThrow(UserError);
    expect(() => trainSelector(X, [0, 1], { C: 0 })).toThrow(/selector\.C/);
    expect(() => trainSelector(X, [0, 1], { multiClass: 'auto' as MultiClass })).toThrow(/selector\.multiClass/);
    expect(() => trainSelector(X, [0, 1], { classWeight: 'weighted' as ClassWeight })).toThrow(/selector\.classWeight/);
  });
  it('arbitrary integer labels become sorted classes', () => {
    const { X, y } = clusters([20, 20, 20], 0.02, 31);
    const ly = y.map((k) => [5, -1, 9][k]);
    const sel = trainSelector(X, ly);
    expect(sel.classes).toEqual([-1, 5, 9]);
    expect(selectorAccuracy(sel, X, ly)).toBeGreaterThan(0.95);
  });
  it('trained selector JSON round trip keeps predictions and training info', () => {
    const { X, y } = clusters([20, 20, 20], 0.04, 41);
    const sel = trainSelector(X, y, { multiClass: 'ovr', classWeight: null, C: 0.3 });
    const back = Selector.fromJSON(JSON.parse(JSON.stringify(sel)));
    expect(back.predictProba(X)).toEqual(sel.predictProba(X));
    expect(back.training).toEqual(sel.training);
    expect(back.multiClass).toBe('ovr');
  });
});

describe('L-BFGS', () => {
  it('minimises the Rosenbrock function to a tight gradient', () => {
    const r = lbfgs(
      (x, g) => {
        const a = 1 - x[0];
        const b = x[1] - x[0] * x[0];
        g[0] = -2 * a - 400 * x[0] * b;
        g[1] = 200 * b;
        return a * a + 100 * b * b;
      },
      Float64Array.from([-1.2, 1]),
      { gtol: 1e-10 },
    );
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 8);
    expect(r.x[1]).toBeCloseTo(1, 8);
    expect(r.gradNorm).toBeLessThanOrEqual(1e-10);
  });
  it('ill-conditioned quadratic', () => {
    const h = [1, 1e3, 1e6];
    const r = lbfgs(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < 3; i++) {
          g[i] = h[i] * (x[i] - i);
          f += 0.5 * h[i] * (x[i] - i) ** 2;
        }
        return f;
      },
      new Float64Array(3),
      { gtol: 1e-9 },
    );
    expect(r.converged).toBe(true);
    [0, 1, 2].forEach((i) => expect(r.x[i]).toBeCloseTo(i, 8));
  });
});
