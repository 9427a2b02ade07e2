/**
 * The model-selection block of a confidence ensemble: NeMo's
 * `make_pipeline(StandardScaler(), LogisticRegression(...))`, trained and evaluated in TypeScript.
 * Inference follows sklearn's `StandardScaler` + `LogisticRegression` (NeMo's pickled model-selection block) exactly (decision, predict, predict_proba for multinomial and ovr).
 */
import { UserError } from '../util/errors.js';
import type { SelectorFeaturesJSON } from './features.js';
import { fitStandardScaler, sigmoid, solveBinary, solveMultinomial, standardize, type SolveInfo } from './logistic.js';

export type MultiClass = 'multinomial' | 'ovr';
export type ClassWeight = 'balanced' | null;

export interface TrainSelectorOptions {
  /** Inverse L2 strength. NeMo's untuned default 1e4. */
  C?: number;
  /** NeMo's untuned default `multinomial`. */
  multiClass?: MultiClass;
  /** NeMo's untuned default `balanced`. */
  classWeight?: ClassWeight;
  /** L-BFGS iteration limit per (sub)problem. Default 10000. */
  maxIter?: number;
  /** Stop when max|∇| of the Σs-normalised objective ≤ tol. Default 1e-10. */
  tol?: number;
}

export const SELECTOR_DEFAULTS = Object.freeze({
  C: 1e4,
  multiClass: 'multinomial' as MultiClass,
  classWeight: 'balanced' as ClassWeight,
  maxIter: 10000,
  tol: 1e-10,
});

export interface SelectorTrainingInfo {
  C: number;
  classWeight: ClassWeight;
  samples: number;
  /** Samples per class, in `classes` order. */
  classCounts: number[];
  /** L-BFGS iterations, summed over the ovr sub-problems. */
  iterations: number;
  /** Objective/gradient evaluations, summed over the sub-problems. */
  evaluations: number;
  /** Largest max|∇| (Σs-normalised objective) over the sub-problems at the solution. */
  gradNorm: number;
  converged: boolean;
}

export interface SelectorJSON {
  format: 'ctc-ensemble/selector';
  /** 1: NeMo's selector (confidences in, plain probabilities); 2: with `features` and/or `probabilityTemperature`. */
  version: 1 | 2;
  multiClass: MultiClass;
  classes: number[];
  mean: number[];
  scale: number[];
  coef: number[][];
  intercept: number[];
  training?: SelectorTrainingInfo;
  /** Inputs beyond one confidence per member (features.ts); absent: NeMo's. */
  features?: SelectorFeaturesJSON;
  /**
   * Temperature scaling of the probabilities (beyond NeMo): `predictProba` uses decision / T. Changes no
   * choice, only how sure the probabilities say it is. Absent: 1 (NeMo).
   */
  probabilityTemperature?: number;
}

export const SELECTOR_FORMAT = 'ctc-ensemble/selector';

function isNumArray(a: unknown): a is number[] {
  return Array.isArray(a) && a.every((v) => typeof v === 'number' && Number.isFinite(v));
}

export class Selector {
  readonly multiClass: MultiClass;
  readonly classes: readonly number[];
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly coef: readonly (readonly number[])[];
  readonly intercept: readonly number[];
  readonly training: SelectorTrainingInfo | undefined;
  readonly features: SelectorFeaturesJSON | undefined;
  readonly probabilityTemperature: number;

  constructor(p: Omit<SelectorJSON, 'format' | 'version'>) {
    // Validated by `Selector.validate`; the constructor trusts its (internal) callers.
    this.multiClass = p.multiClass;
    this.classes = Object.freeze([...p.classes]);
    this.mean = Object.freeze([...p.mean]);
    this.scale = Object.freeze([...p.scale]);
    this.coef = Object.freeze(p.coef.map((r) => Object.freeze([...r])));
    this.intercept = Object.freeze([...p.intercept]);
    this.training = p.training;
    this.features = p.features ? { version: p.features.version, groups: [...p.features.groups], names: [...p.features.names] } : undefined;
    this.probabilityTemperature = p.probabilityTemperature ?? 1;
  }

  /** The same selector with other inputs description / probability temperature (build: after training). */
  with(p: { features?: SelectorFeaturesJSON; probabilityTemperature?: number }): Selector {
    return new Selector({ ...this.toJSON(), ...p });
  }

  /** Number of input features (= ensemble members). */
  get numFeatures(): number {
    return this.mean.length;
  }

  private checkX(X: readonly (readonly number[])[]): void {
    if (!Array.isArray(X)) throw new UserError('features must be an array of rows', { code: 'E_SELECTOR_INPUT' });
    X.forEach((row: readonly number[], i) => {
      if (!Array.isArray(row) && !ArrayBuffer.isView(row)) throw new UserError(`features[${i}] must be an array`, { code: 'E_SELECTOR_INPUT' });
      if (row.length !== this.mean.length)
        throw new UserError(`features[${i}] has ${row.length} values, the selector expects ${this.mean.length}`, { code: 'E_SELECTOR_INPUT' });
      for (let j = 0; j < row.length; j++) {
        if (typeof row[j] !== 'number' || !Number.isFinite(row[j]))
          throw new UserError(`features[${i}][${j}] is not a finite number (${row[j]})`, { code: 'E_SELECTOR_INPUT' });
      }
    });
  }

  /**
   * sklearn `decision_function`: one row per sample with coef.length values (1 for two classes:
   * d > 0 → classes[1]; K otherwise).
   */
  decisionFunction(X: readonly (readonly number[])[]): number[][] {
    this.checkX(X);
    const D = this.mean.length;
    return X.map((row) => {
      const z = new Float64Array(D);
      for (let j = 0; j < D; j++) z[j] = (row[j] - this.mean[j]) / this.scale[j];
      return this.coef.map((w, k) => {
        let d = 0;
        for (let j = 0; j < D; j++) d += z[j] * w[j];
        return d + this.intercept[k];
      });
    });
  }

  /** Class label per sample (binary: d > 0 → classes[1], a tie goes to classes[0]; else first argmax). */
  predict(X: readonly (readonly number[])[]): number[] {
    return this.decisionFunction(X).map((d) => {
      if (d.length === 1) return this.classes[d[0] > 0 ? 1 : 0];
      let best = 0;
      for (let k = 1; k < d.length; k++) if (d[k] > d[best]) best = k;
      return this.classes[best];
    });
  }

  /** Index into `classes` of the predicted class (= the model index for NeMo-style labels 0..M−1). */
  predictIndex(X: readonly (readonly number[])[]): number[] {
    return this.predict(X).map((c) => this.classes.indexOf(c));
  }

  /** sklearn `predict_proba`: columns in `classes` order (decisions divided by `probabilityTemperature`). */
  predictProba(X: readonly (readonly number[])[], temperature = this.probabilityTemperature): number[][] {
    return this.decisionFunction(X).map((d0) => {
      const d = temperature === 1 ? d0 : d0.map((v) => v / temperature);
      if (d.length === 1) {
        if (this.multiClass === 'multinomial') return softmax([-d[0], d[0]]);
        const p = sigmoid(d[0]);
        return [1 - p, p];
      }
      if (this.multiClass === 'multinomial') return softmax(d);
      const e = d.map(sigmoid);
      let s = 0;
      for (const v of e) s += v;
      return e.map((v) => v / s);
    });
  }

  toJSON(): SelectorJSON {
    const extended = this.features !== undefined || this.probabilityTemperature !== 1;
    const j: SelectorJSON = {
      format: SELECTOR_FORMAT,
      version: extended ? 2 : 1,
      multiClass: this.multiClass,
      classes: [...this.classes],
      mean: [...this.mean],
      scale: [...this.scale],
      coef: this.coef.map((r) => [...r]),
      intercept: [...this.intercept],
    };
    if (this.training) j.training = { ...this.training, classCounts: [...this.training.classCounts] };
    if (this.features) j.features = { version: this.features.version, groups: [...this.features.groups], names: [...this.features.names] };
    if (this.probabilityTemperature !== 1) j.probabilityTemperature = this.probabilityTemperature;
    return j;
  }

  /** Parses and validates our selector JSON (as written by `toJSON`); UserErrors name the field. */
  static fromJSON(json: unknown, source = 'selector'): Selector {
    if (typeof json === 'string') {
      try {
        json = JSON.parse(json);
      } catch (e) {
        throw new UserError(`not valid JSON: ${(e as Error).message}`, { source, code: 'E_SELECTOR_JSON' });
      }
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UserError('must be a JSON object', { source, code: 'E_SELECTOR_JSON' });
    const o = json as Record<string, unknown>;
    const known = ['format', 'version', 'multiClass', 'classes', 'mean', 'scale', 'coef', 'intercept', 'training', 'features', 'probabilityTemperature'];
    for (const k of Object.keys(o)) if (!known.includes(k)) throw new UserError('unknown field', { source: `${source}.${k}`, code: 'E_SELECTOR_JSON' });
    if (o.format !== SELECTOR_FORMAT)
      throw new UserError(`must be "${SELECTOR_FORMAT}" (got ${JSON.stringify(o.format)})`, { source: `${source}.format`, code: 'E_SELECTOR_JSON' });
    if (o.version !== 1 && o.version !== 2)
      throw new UserError(`unsupported version ${JSON.stringify(o.version)} (this build reads versions 1 and 2)`, {
        source: `${source}.version`,
        code: 'E_SELECTOR_JSON',
      });
    const sel = Selector.validate(
      { multiClass: o.multiClass, classes: o.classes, mean: o.mean, scale: o.scale, coef: o.coef, intercept: o.intercept },
      { source, names: { multiClass: 'multiClass', classes: 'classes', mean: 'mean', scale: 'scale', coef: 'coef', intercept: 'intercept' } },
    );
    let training: SelectorTrainingInfo | undefined;
    if (o.training !== undefined) {
      const t = o.training as Record<string, unknown>;
      if (t === null || typeof t !== 'object' || Array.isArray(t))
        throw new UserError('must be an object', { source: `${source}.training`, code: 'E_SELECTOR_JSON' });
      training = t as unknown as SelectorTrainingInfo;
    }
    if (o.version === 1 && (o.features !== undefined || o.probabilityTemperature !== undefined)) {
      throw new UserError('features / probabilityTemperature need selector version 2', { source: `${source}.version`, code: 'E_SELECTOR_JSON' });
    }
    let features: SelectorFeaturesJSON | undefined;
    if (o.features !== undefined) {
      const f = o.features as Record<string, unknown>;
      if (f === null || typeof f !== 'object' || !Array.isArray(f.groups) || !Array.isArray(f.names) || typeof f.version !== 'number') {
        throw new UserError('must be an object with version, groups and names', { source: `${source}.features`, code: 'E_SELECTOR_JSON' });
      }
      // Checked against the members and this build's feature code by readSelectorFeatures (ensemble/format.ts).
      features = f as unknown as SelectorFeaturesJSON;
    }
    let probabilityTemperature: number | undefined;
    if (o.probabilityTemperature !== undefined) {
      if (typeof o.probabilityTemperature !== 'number' || !(o.probabilityTemperature > 0) || !Number.isFinite(o.probabilityTemperature)) {
        throw new UserError('must be a finite number > 0', { source: `${source}.probabilityTemperature`, code: 'E_SELECTOR_JSON' });
      }
      probabilityTemperature = o.probabilityTemperature;
    }
    return new Selector({ ...sel, training, features, probabilityTemperature });
  }

  /** Validates the arrays of a selector; `names` maps our fields to the names the user wrote. */
  static validate(
    a: Record<'multiClass' | 'classes' | 'mean' | 'scale' | 'coef' | 'intercept', unknown>,
    ctx: { source: string; names: Record<'multiClass' | 'classes' | 'mean' | 'scale' | 'coef' | 'intercept', string> },
  ): { multiClass: MultiClass; classes: number[]; mean: number[]; scale: number[]; coef: number[][]; intercept: number[] } {
    const err = (field: keyof typeof ctx.names, msg: string): never => {
      throw new UserError(msg, { source: `${ctx.source}.${ctx.names[field]}`, code: 'E_SELECTOR_JSON' });
    };
    if (a.multiClass !== 'multinomial' && a.multiClass !== 'ovr') err('multiClass', `must be "multinomial" or "ovr" (got ${JSON.stringify(a.multiClass)})`);
    if (!isNumArray(a.classes) || a.classes.length < 2) err('classes', 'must be an array of at least 2 numbers');
    const classes = a.classes as number[];
    if (!classes.every(Number.isInteger)) err('classes', 'must be integers (dataset / model indices)');
    for (let i = 1; i < classes.length; i++) if (!(classes[i] > classes[i - 1])) err('classes', 'must be strictly increasing (sklearn sorts them)');
    if (!isNumArray(a.mean) || a.mean.length < 1) err('mean', 'must be a non-empty array of finite numbers');
    const D = (a.mean as number[]).length;
    if (!isNumArray(a.scale) || a.scale.length !== D) err('scale', `must be an array of ${D} finite numbers (one per feature, like mean)`);
    if (!(a.scale as number[]).every((v) => v > 0)) err('scale', 'must be > 0 everywhere');
    const rows = classes.length === 2 ? 1 : classes.length;
    if (!Array.isArray(a.coef) || a.coef.length !== rows)
      err('coef', `must have ${rows} row(s) for ${classes.length} classes (got ${Array.isArray(a.coef) ? a.coef.length : typeof a.coef})`);
    (a.coef as unknown[]).forEach((r, k) => {
      if (!isNumArray(r) || r.length !== D) err('coef', `row ${k} must be ${D} finite numbers (one per feature)`);
    });
    if (!isNumArray(a.intercept) || a.intercept.length !== rows) err('intercept', `must be an array of ${rows} finite number(s)`);
    return {
      multiClass: a.multiClass as MultiClass,
      classes: [...classes],
      mean: [...(a.mean as number[])],
      scale: [...(a.scale as number[])],
      coef: (a.coef as number[][]).map((r) => [...r]),
      intercept: [...(a.intercept as number[])],
    };
  }
}

function softmax(d: readonly number[]): number[] {
  let m = -Infinity;
  for (const v of d) if (v > m) m = v;
  const e = d.map((v) => Math.exp(v - m));
  let s = 0;
  for (const v of e) s += v;
  return e.map((v) => v / s);
}

/** Validates training data; returns sorted classes and per-sample class index. */
export function checkTrainingData(
  features: readonly (readonly number[])[],
  labels: readonly number[],
  source = 'training data',
): { classes: number[]; yIdx: Int32Array; D: number } {
  if (!Array.isArray(features) || features.length === 0) throw new UserError('no training samples', { source, code: 'E_SELECTOR_INPUT' });
  if (!Array.isArray(labels) || labels.length !== features.length) {
    throw new UserError(`${Array.isArray(labels) ? labels.length : 'no'} labels for ${features.length} feature rows`, { source, code: 'E_SELECTOR_INPUT' });
  }
  const D = features[0]?.length;
  if (!(D >= 1)) throw new UserError('feature rows must have at least one value', { source, code: 'E_SELECTOR_INPUT' });
  features.forEach((row, i) => {
    if (!row || row.length !== D) throw new UserError(`features[${i}] has ${row?.length} values, expected ${D}`, { source, code: 'E_SELECTOR_INPUT' });
    for (let j = 0; j < D; j++) {
      if (typeof row[j] !== 'number' || !Number.isFinite(row[j]))
        throw new UserError(`features[${i}][${j}] is not a finite number (${row[j]})`, { source, code: 'E_SELECTOR_INPUT' });
    }
  });
  labels.forEach((l, i) => {
    if (!Number.isInteger(l)) throw new UserError(`labels[${i}] must be an integer class (got ${l})`, { source, code: 'E_SELECTOR_INPUT' });
  });
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  if (classes.length < 2) throw new UserError(`need samples of at least 2 classes, got only class ${classes[0]}`, { source, code: 'E_SELECTOR_INPUT' });
  const index = new Map(classes.map((c, k) => [c, k]));
  const yIdx = Int32Array.from(labels, (l) => index.get(l)!);
  return { classes, yIdx, D };
}

function checkOptions(o: TrainSelectorOptions): Required<TrainSelectorOptions> {
  const r = { ...SELECTOR_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as Required<TrainSelectorOptions>;
  if (typeof r.C !== 'number' || !Number.isFinite(r.C) || !(r.C > 0))
    throw new UserError(`C must be a finite number > 0 (got ${r.C})`, { source: 'selector.C', code: 'E_SELECTOR_INPUT' });
  if (r.multiClass !== 'multinomial' && r.multiClass !== 'ovr')
    throw new UserError(`must be multinomial or ovr (got ${JSON.stringify(r.multiClass)})`, { source: 'selector.multiClass', code: 'E_SELECTOR_INPUT' });
  if (r.classWeight !== null && r.classWeight !== 'balanced')
    throw new UserError(`must be "balanced" or null (got ${JSON.stringify(r.classWeight)})`, { source: 'selector.classWeight', code: 'E_SELECTOR_INPUT' });
  if (!Number.isInteger(r.maxIter) || r.maxIter < 1)
    throw new UserError(`must be an integer >= 1 (got ${r.maxIter})`, { source: 'selector.maxIter', code: 'E_SELECTOR_INPUT' });
  if (typeof r.tol !== 'number' || !(r.tol > 0))
    throw new UserError(`must be a number > 0 (got ${r.tol})`, { source: 'selector.tol', code: 'E_SELECTOR_INPUT' });
  return r;
}

/** Internal: warm start (the previous solution along a C path); does not change the (unique) optimum. */
export interface WarmStart {
  params: Float64Array[];
}

/** Validated, standardised training data, reusable across fits (tuning). */
export interface PreparedTraining {
  classes: number[];
  yIdx: Int32Array;
  counts: number[];
  n: number;
  D: number;
  scaler: { mean: number[]; scale: number[] };
  Z: Float64Array;
}

export function prepareTraining(features: readonly (readonly number[])[], labels: readonly number[]): PreparedTraining {
  const { classes, yIdx, D } = checkTrainingData(features, labels);
  const n = features.length;
  const counts = new Array<number>(classes.length).fill(0);
  for (let i = 0; i < n; i++) counts[yIdx[i]]++;
  const scaler = fitStandardScaler(features);
  return { classes, yIdx, counts, n, D, scaler, Z: standardize(features, scaler) };
}

export function fitPrepared(prep: PreparedTraining, options: TrainSelectorOptions = {}, warm?: WarmStart): { selector: Selector; warm: WarmStart } {
  const o = checkOptions(options);
  const { classes, yIdx, counts, n, D, scaler, Z } = prep;
  const K = classes.length;
  const opts = { maxIter: o.maxIter, tol: o.tol };
  const coef: number[][] = [];
  const intercept: number[] = [];
  const infos: SolveInfo[] = [];
  const params: Float64Array[] = [];

  const binaryProblem = (pos: number, Ceff: number, start?: Float64Array): Float64Array => {
    const y = Uint8Array.from(yIdx, (k) => (k === pos ? 1 : 0));
    const nPos = counts[pos];
    const sw = new Float64Array(n).fill(1);
    if (o.classWeight === 'balanced') {
      const wPos = n / (2 * nPos);
      const wNeg = n / (2 * (n - nPos));
      for (let i = 0; i < n; i++) sw[i] = y[i] ? wPos : wNeg;
    }
    const r = solveBinary(Z, D, y, sw, Ceff, opts, start);
    infos.push(r.info);
    params.push(r.params);
    return r.params;
  };

  if (o.multiClass === 'multinomial' && K === 2) {
    // 2-row softmax ≡ binary logistic in (2w, 2b) with C' = 2C; sklearn keeps row 1 = (w, b).
    const p = binaryProblem(1, 2 * o.C, warm?.params[0]);
    coef.push(Array.from(p.subarray(0, D), (v) => v / 2));
    intercept.push(p[D] / 2);
  } else if (o.multiClass === 'multinomial') {
    const sw = new Float64Array(n).fill(1);
    if (o.classWeight === 'balanced') for (let i = 0; i < n; i++) sw[i] = n / (K * counts[yIdx[i]]);
    const r = solveMultinomial(Z, D, yIdx, K, sw, o.C, opts, warm?.params[0]);
    infos.push(r.info);
    params.push(r.params);
    for (let k = 0; k < K; k++) {
      coef.push(Array.from(r.params.subarray(k * (D + 1), k * (D + 1) + D)));
      intercept.push(r.params[k * (D + 1) + D]);
    }
  } else {
    const positives = K === 2 ? [1] : classes.map((_, k) => k);
    positives.forEach((pos, t) => {
      const p = binaryProblem(pos, o.C, warm?.params[t]);
      coef.push(Array.from(p.subarray(0, D)));
      intercept.push(p[D]);
    });
  }
  const training: SelectorTrainingInfo = {
    C: o.C,
    classWeight: o.classWeight,
    samples: n,
    classCounts: [...counts],
    iterations: infos.reduce((s, i) => s + i.iterations, 0),
    evaluations: infos.reduce((s, i) => s + i.evaluations, 0),
    gradNorm: Math.max(...infos.map((i) => i.gradNorm)),
    converged: infos.every((i) => i.converged),
  };
  const selector = new Selector({ multiClass: o.multiClass, classes, mean: scaler.mean, scale: scaler.scale, coef, intercept, training });
  return { selector, warm: { params } };
}

export function trainSelectorInternal(
  features: readonly (readonly number[])[],
  labels: readonly number[],
  options: TrainSelectorOptions = {},
  warm?: WarmStart,
): { selector: Selector; warm: WarmStart } {
  checkOptions(options);
  return fitPrepared(prepareTraining(features, labels), options, warm);
}

/**
 * Trains the selector: StandardScaler + L2 logistic regression, solved to the optimum (see
 * logistic.ts). `features` is [N][M] (one confidence per member), `labels` the class of each row
 * (NeMo: the dataset/model index 0..M−1). Defaults are NeMo's untuned build: C 1e4, multinomial,
 * balanced.
 */
export function trainSelector(features: number[][], labels: number[], options: TrainSelectorOptions = {}): Selector {
  return trainSelectorInternal(features, labels, options).selector;
}

/** Fraction of rows whose predicted class equals the label (NeMo's `calculate_score`). */
export function selectorAccuracy(selector: Selector, features: readonly (readonly number[])[], labels: readonly number[]): number {
  if (features.length === 0) return 0;
  const p = selector.predict(features);
  let ok = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === labels[i]) ok++;
  return ok / p.length;
}
