/**
 * Standard scaler + L2 logistic regression with sklearn's (1.2.1, lbfgs) objective (NeMo `scripts/confidence_ensembles/build_ensemble.py`):
 *
 *   minimise  Σ_i s_i · CE_i  +  ‖W‖²_F / (2C)       (intercepts unpenalised)
 *
 * with s_i the class weight of sample i (balanced: n / (K · n_{y_i})). `multinomial` fits one
 * softmax over all K classes; with K = 2 sklearn fits the 2-row softmax and keeps row 1, whose
 * decision d gives probabilities softmax([−d, d]) = [σ(−2d), σ(2d)]. By symmetry the optimum has
 * row 0 = −row 1, so that problem is exactly a binary logistic regression in (2w, 2b) with C' = 2C,
 * which is how it is solved here. `ovr` fits K binary problems (one for K = 2: classes[1] vs rest),
 * each with its own balanced weights (n / (2 n_pos), n / (2 n_neg)).
 *
 * The solver minimises that objective divided by Σ s_i (same optimum, better scaled) with our own
 * L-BFGS to max|∇| ≤ tol (default 1e-10), far tighter than sklearn's gtol 1e-4, i.e. to the optimum
 * sklearn's lbfgs approaches.
 */
import { lbfgs } from './lbfgs.js';

export interface ScalerParams {
  mean: number[];
  scale: number[];
}

/** sklearn StandardScaler.fit: mean, population std; a (near-)constant feature gets scale 1. */
export function fitStandardScaler(X: readonly (readonly number[])[]): ScalerParams {
  const n = X.length;
  const D = X[0].length;
  const mean: number[] = [];
  const scale: number[] = [];
  const eps = 2.220446049250313e-16;
  for (let j = 0; j < D; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += X[i][j];
    const mu = s / n;
    // sklearn _incremental_mean_and_var: Σ(x−μ)² − (Σ(x−μ))²/n
    let ss = 0;
    let corr = 0;
    for (let i = 0; i < n; i++) {
      const t = X[i][j] - mu;
      ss += t * t;
      corr += t;
    }
    const v = (ss - (corr * corr) / n) / n;
    const variance = v < 0 ? 0 : v;
    // _is_constant_feature / _handle_zeros_in_scale
    const upper = n * eps * variance + (n * mu * eps) ** 2;
    const sd = Math.sqrt(variance);
    mean.push(mu);
    scale.push(variance <= upper || sd < 10 * eps ? 1 : sd);
  }
  return { mean, scale };
}

/** Standardised features, row-major flat [n][D]. */
export function standardize(X: readonly (readonly number[])[], p: ScalerParams): Float64Array {
  const D = p.mean.length;
  const Z = new Float64Array(X.length * D);
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    for (let j = 0; j < D; j++) Z[i * D + j] = (row[j] - p.mean[j]) / p.scale[j];
  }
  return Z;
}

export function sigmoid(r: number): number {
  if (r >= 0) return 1 / (1 + Math.exp(-r));
  const e = Math.exp(r);
  return e / (1 + e);
}

export interface SolveInfo {
  iterations: number;
  evaluations: number;
  /** max|∇| of the (Σs-normalised) objective at the solution. */
  gradNorm: number;
  converged: boolean;
  message: string;
}

export interface SolveOptions {
  maxIter: number;
  tol: number;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Our L-BFGS on `fun` from `start` (zeros by default), with its state as a SolveInfo. */
function minimise(
  fun: (x: Float64Array, g: Float64Array) => number,
  size: number,
  opts: SolveOptions,
  start?: Float64Array,
): { params: Float64Array; info: SolveInfo } {
  const r = lbfgs(fun, start ?? new Float64Array(size), { gtol: opts.tol, maxIter: opts.maxIter });
  return { params: r.x, info: { iterations: r.iterations, evaluations: r.evaluations, gradNorm: r.gradNorm, converged: r.converged, message: r.message } };
}

/**
 * Binary problem: y ∈ {0,1}, raw r = w·z + b, loss Σ s_i (softplus(r_i) − y_i r_i) + ‖w‖²/(2C).
 * Returns [w (D), b].
 */
export function solveBinary(
  Z: Float64Array,
  D: number,
  y: Uint8Array,
  sw: Float64Array,
  C: number,
  opts: SolveOptions,
  start?: Float64Array,
): { params: Float64Array; info: SolveInfo } {
  const n = y.length;
  const swSum = sum(sw);
  const lam = 1 / C;
  const fun = (x: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    const b = x[D];
    for (let i = 0; i < n; i++) {
      const o = i * D;
      let r = b;
      for (let j = 0; j < D; j++) r += x[j] * Z[o + j];
      // softplus(r) − y·r and σ(r) − y from one exp
      const e = Math.exp(-Math.abs(r));
      const sp = (r > 0 ? r : 0) + Math.log1p(e);
      const sig = r >= 0 ? 1 / (1 + e) : e / (1 + e);
      loss += sw[i] * (sp - y[i] * r);
      const gi = sw[i] * (sig - y[i]);
      for (let j = 0; j < D; j++) g[j] += gi * Z[o + j];
      g[D] += gi;
    }
    let pen = 0;
    for (let j = 0; j < D; j++) {
      pen += x[j] * x[j];
      g[j] += lam * x[j];
    }
    for (let j = 0; j <= D; j++) g[j] /= swSum;
    return (loss + 0.5 * lam * pen) / swSum;
  };
  return minimise(fun, D + 1, opts, start);
}

/**
 * Multinomial problem, K ≥ 3: raw r_k = W_k·z + b_k, loss Σ s_i (logsumexp(r) − r_{y_i}) + ‖W‖²/(2C).
 * Params row-major [k][w (D), b]. Intercepts are centred afterwards (softmax is invariant to it; the
 * zero-start solution has Σ_k b_k = 0 as sklearn's does).
 */
export function solveMultinomial(
  Z: Float64Array,
  D: number,
  y: Int32Array,
  K: number,
  sw: Float64Array,
  C: number,
  opts: SolveOptions,
  start?: Float64Array,
): { params: Float64Array; info: SolveInfo } {
  const n = y.length;
  const W = D + 1;
  const swSum = sum(sw);
  const lam = 1 / C;
  const raw = new Float64Array(K);
  const ex = new Float64Array(K);
  const fun = (x: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const zo = i * D;
      let m = -Infinity;
      for (let k = 0; k < K; k++) {
        const o = k * W;
        let r = x[o + D];
        for (let j = 0; j < D; j++) r += x[o + j] * Z[zo + j];
        raw[k] = r;
        if (r > m) m = r;
      }
      let s = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(raw[k] - m);
        ex[k] = e;
        s += e;
      }
      const yi = y[i];
      loss += sw[i] * (m + Math.log(s) - raw[yi]);
      const inv = sw[i] / s;
      for (let k = 0; k < K; k++) {
        const e = ex[k] * inv - (k === yi ? sw[i] : 0);
        const o = k * W;
        for (let j = 0; j < D; j++) g[o + j] += e * Z[zo + j];
        g[o + D] += e;
      }
    }
    let pen = 0;
    for (let k = 0; k < K; k++) {
      const o = k * W;
      for (let j = 0; j < D; j++) {
        pen += x[o + j] * x[o + j];
        g[o + j] += lam * x[o + j];
      }
    }
    for (let t = 0; t < g.length; t++) g[t] /= swSum;
    return (loss + 0.5 * lam * pen) / swSum;
  };
  const { params, info } = minimise(fun, K * W, opts, start);
  let bm = 0;
  for (let k = 0; k < K; k++) bm += params[k * W + D];
  bm /= K;
  for (let k = 0; k < K; k++) params[k * W + D] -= bm;
  return { params, info };
}
