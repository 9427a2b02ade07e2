/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4/7.5) with a
 * strong-Wolfe line search (Alg. 3.5/3.6, cubic interpolation in the zoom). Unconstrained, dense,
 * float64. Written for the small smooth convex problems of the selector (≤ a few hundred unknowns).
 */

/** Objective: returns f(x) and writes ∇f(x) into `grad`. */
export type ObjectiveFn = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when max|∇f| ≤ gtol. Default 1e-10. */
  gtol?: number;
  /** Iteration limit. Default 10000. */
  maxIter?: number;
  /** History length. Default 10. */
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  /** max|∇f| at `x`. */
  gradNorm: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  message: string;
}

const C1 = 1e-4;
const C2 = 0.9;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
function infNorm(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}

/** Minimiser of the cubic interpolating (a, fa, da) and (b, fb, db), clamped into the bracket. */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (disc >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    const t = b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
    if (Number.isFinite(t)) {
      // stay away from the ends so the bracket shrinks
      const margin = 0.1 * (hi - lo);
      if (t > lo + margin && t < hi - margin) return t;
    }
  }
  return (a + b) / 2;
}

export function lbfgs(fun: ObjectiveFn, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const gtol = options.gtol ?? 1e-10;
  const maxIter = options.maxIter ?? 10000;
  const mem = options.memory ?? 10;
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(n);
  let evaluations = 1;
  let f = fun(x, g);
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const alphaTmp = new Float64Array(mem);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  let iterations = 0;
  let stall = 0;
  let bestG = Infinity;
  let message = 'maximum iterations reached';
  let converged = false;

  if (!Number.isFinite(f)) return { x, f, gradNorm: infNorm(g), iterations: 0, evaluations, converged: false, message: 'objective is not finite at the start' };

  while (true) {
    const gn = infNorm(g);
    if (gn <= gtol) {
      converged = true;
      message = 'gradient below tolerance';
      break;
    }
    if (iterations >= maxIter) break;

    // Two-loop recursion: d = −H·g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const k = sHist.length;
    for (let j = k - 1; j >= 0; j--) {
      const a = rhoHist[j] * dot(sHist[j], d);
      alphaTmp[j] = a;
      const y = yHist[j];
      for (let i = 0; i < n; i++) d[i] -= a * y[i];
    }
    if (k > 0) {
      const gamma = dot(sHist[k - 1], yHist[k - 1]) / dot(yHist[k - 1], yHist[k - 1]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let j = 0; j < k; j++) {
      const b = rhoHist[j] * dot(yHist[j], d);
      const s = sHist[j];
      const c = alphaTmp[j] - b;
      for (let i = 0; i < n; i++) d[i] += c * s[i];
    }
    let dg = dot(d, g);
    if (!(dg < 0)) {
      // not a descent direction (numerical trouble): restart from steepest descent
      sHist.length = yHist.length = rhoHist.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      dg = dot(d, g);
    }
    const step0 = k === 0 ? Math.min(1, 1 / Math.max(gn, 1e-300)) : 1;

    // Strong-Wolfe line search, with Hager–Zhang's approximate-Wolfe acceptance near the optimum,
    // where differences of f drop below its rounding (|Δf| ≲ 1e-16·|f|) but the slope is still exact.
    const epsF = 1e-12 * Math.abs(f);
    const phi = (t: number): [number, number] => {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + t * d[i];
      evaluations++;
      const fv = fun(xNew, gNew);
      return [fv, dot(gNew, d)];
    };
    const acceptable = (t: number, ft: number, dt: number): boolean =>
      Math.abs(dt) <= -C2 * dg && (ft <= f + C1 * t * dg || (ft <= f + epsF && dt <= (2 * C1 - 1) * dg));
    /** Whether trial (t, ft, dt) must become the upper end of the bracket whose lower end has f = flo. */
    const isHi = (t: number, ft: number, dt: number, flo: number): boolean => {
      if (!Number.isFinite(ft)) return true;
      const armijoFails = ft > f + C1 * t * dg;
      const notBelowLo = ft >= flo;
      if (!armijoFails && !notBelowLo) return false;
      if ((armijoFails && ft > f + epsF) || ft > flo + epsF) return true;
      return dt >= 0; // within rounding of f: decide by the slope
    };
    let t = step0;
    let tPrev = 0;
    let fPrev = f;
    let dPrev = dg;
    let best: { t: number; f: number; x: Float64Array; g: Float64Array } | undefined;
    const keep = (tt: number, fv: number): void => {
      best = { t: tt, f: fv, x: Float64Array.from(xNew), g: Float64Array.from(gNew) };
    };
    const zoom = (lo: number, flo: number, dlo: number, hi: number, fhi: number, dhi: number): boolean => {
      for (let z = 0; z < 60; z++) {
        const tj = cubicMin(lo, flo, dlo, hi, fhi, dhi);
        const [fj, dj] = phi(tj);
        if (isHi(tj, fj, dj, flo)) {
          hi = tj;
          fhi = Number.isFinite(fj) ? fj : Infinity;
          dhi = Number.isFinite(dj) ? dj : 0;
        } else {
          keep(tj, fj);
          if (acceptable(tj, fj, dj)) return true;
          if (dj * (hi - lo) >= 0) {
            hi = lo;
            fhi = flo;
            dhi = dlo;
          }
          lo = tj;
          flo = fj;
          dlo = dj;
        }
        if (Math.abs(hi - lo) <= 1e-16 * Math.max(1, Math.abs(lo))) break;
      }
      return false;
    };
    let accepted = false;
    for (let ls = 0; ls < 60; ls++) {
      const [ft, dt] = phi(t);
      if (isHi(t, ft, dt, ls > 0 ? fPrev : Infinity)) {
        accepted = zoom(tPrev, fPrev, dPrev, t, Number.isFinite(ft) ? ft : Infinity, Number.isFinite(dt) ? dt : 0);
        break;
      }
      keep(t, ft);
      if (acceptable(t, ft, dt)) {
        accepted = true;
        break;
      }
      if (dt >= 0) {
        accepted = zoom(t, ft, dt, tPrev, fPrev, dPrev);
        break;
      }
      tPrev = t;
      fPrev = ft;
      dPrev = dt;
      t *= 2;
    }
    if (!best || !(best.f <= f + epsF)) {
      message = 'line search could not decrease the objective (at the limit of float precision)';
      break;
    }
    const b: { t: number; f: number; x: Float64Array; g: Float64Array } = best;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = b.x[i] - x[i];
      y[i] = b.g[i] - g[i];
    }
    const sy = dot(s, y);
    const fOld = f;
    x = b.x;
    g = b.g;
    f = b.f;
    iterations++;
    if (accepted && sy > 1e-300) {
      if (sHist.length === mem) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
      sHist.push(s);
      yHist.push(y);
      rhoHist.push(1 / sy);
    }
    const gNow = infNorm(g);
    if (fOld - f <= 2.2e-16 * Math.max(Math.abs(f), Math.abs(fOld), 1e-300) && !(gNow < 0.5 * bestG)) {
      if (++stall >= 20) {
        message = 'no further decrease of the objective (at the limit of float precision)';
        break;
      }
    } else stall = 0;
    if (gNow < bestG) bestG = gNow;
  }
  return { x, f, gradNorm: infNorm(g), iterations, evaluations, converged, message };
}
