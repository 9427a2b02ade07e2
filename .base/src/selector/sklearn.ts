/**
 * Import a selector trained by NeMo/sklearn: from the pickle itself (`selectorFromSklearnPickle`, a restricted
 * reader that executes nothing; `ensemble import-nemo` uses it), or from the five arrays of the fitted pipeline
 * plus `multi_class` exported to JSON with Python (NeMo's `model_selection_block`):
 *
 *   import json, joblib
 *   pipe = joblib.load("model_selection_block.pkl")   # or model.model_selection_block
 *   sc, lr = pipe.steps[0][1], pipe.steps[-1][1]
 *   json.dump({"mean_": sc.mean_.tolist(), "scale_": sc.scale_.tolist(), "coef_": lr.coef_.tolist(),
 *              "intercept_": lr.intercept_.tolist(), "classes_": lr.classes_.tolist(),
 *              "multi_class": lr.multi_class}, open("arrays.json", "w"))
 */
import { UserError } from '../util/errors.js';
import { isNdArray, isPickledObject, ndarrayToNested, readRestrictedPickle, type PickledObject } from './pickle.js';
import { Selector, type MultiClass } from './selector.js';

export const SKLEARN_FIELDS = ['mean_', 'scale_', 'coef_', 'intercept_', 'classes_', 'multi_class'] as const;

/**
 * sklearn's resolution of `multi_class` for the lbfgs solver: 'auto' (and 1.5+'s 'deprecated', which
 * behaves like it) means ovr for two classes and multinomial for more.
 */
function resolveMultiClass(v: unknown, nClasses: number, source: string): MultiClass {
  if (v === 'multinomial' || v === 'ovr') return v;
  if (v === 'auto' || v === 'deprecated') return nClasses > 2 ? 'multinomial' : 'ovr';
  throw new UserError(`must be "multinomial", "ovr" or "auto" (got ${JSON.stringify(v)})`, { source: `${source}.multi_class`, code: 'E_SELECTOR_JSON' });
}

/** Builds a Selector from sklearn's arrays; UserErrors name the offending field. */
export function importSklearnSelector(json: unknown, source = 'arrays'): Selector {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new UserError(`must be a JSON object with ${SKLEARN_FIELDS.join(', ')}`, { source, code: 'E_SELECTOR_JSON' });
  }
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(SKLEARN_FIELDS as readonly string[]).includes(k))
      throw new UserError(`unknown field (expected ${SKLEARN_FIELDS.join(', ')})`, { source: `${source}.${k}`, code: 'E_SELECTOR_JSON' });
  }
  for (const k of SKLEARN_FIELDS) if (!(k in o)) throw new UserError('missing', { source: `${source}.${k}`, code: 'E_SELECTOR_JSON' });
  // classes_ may come as floats from numpy (e.g. 0.0); integers are required.
  const nClasses = Array.isArray(o.classes_) ? o.classes_.length : 0;
  // coef_ of a binary problem may have been flattened by the exporter: accept [D] as [[...D]].
  let coef = o.coef_;
  if (nClasses === 2 && Array.isArray(coef) && coef.length > 0 && coef.every((v) => typeof v === 'number')) coef = [coef];
  const sel = Selector.validate(
    {
      multiClass: o.multi_class === undefined ? undefined : resolveMultiClass(o.multi_class, nClasses, source),
      classes: o.classes_,
      mean: o.mean_,
      scale: o.scale_,
      coef,
      intercept: o.intercept_,
    },
    { source, names: { multiClass: 'multi_class', classes: 'classes_', mean: 'mean_', scale: 'scale_', coef: 'coef_', intercept: 'intercept_' } },
  );
  return new Selector(sel);
}

const PIPELINE = 'sklearn.pipeline.Pipeline';
const SCALER = 'sklearn.preprocessing._data.StandardScaler';
const LOGISTIC = 'sklearn.linear_model._logistic.LogisticRegression';

/**
 * The Selector of a pickled sklearn pipeline (NeMo's `model_selection_block.pkl`: `make_pipeline(StandardScaler(),
 * LogisticRegression(...))`, written by `joblib.dump`), read with the restricted pickle reader: nothing in the
 * file is executed. A bare LogisticRegression (no scaler) is accepted too.
 */
export function selectorFromSklearnPickle(bytes: Uint8Array, source = 'model_selection_block.pkl'): Selector {
  const root = readRestrictedPickle(bytes, source);
  const bad = (msg: string): never => {
    throw new UserError(msg, { source, code: 'E_SELECTOR_PICKLE' });
  };
  const stateOf = (o: PickledObject): Record<string, unknown> =>
    o.state && typeof o.state === 'object' && !Array.isArray(o.state) ? (o.state as Record<string, unknown>) : bad(`${o.cls} has no state dict`);
  let scaler: PickledObject | null = null;
  let lr: PickledObject | null = null;
  if (isPickledObject(root) && root.cls === PIPELINE) {
    const steps = stateOf(root).steps;
    if (!Array.isArray(steps) || steps.length === 0) bad('Pipeline.steps must be a non-empty list');
    (steps as unknown[]).forEach((step, i) => {
      const est = Array.isArray(step) ? step[1] : undefined;
      if (!isPickledObject(est)) return bad(`Pipeline step ${i} is not an estimator`);
      if (est.cls === SCALER && i < (steps as unknown[]).length - 1 && !scaler) scaler = est;
      else if (est.cls === LOGISTIC && i === (steps as unknown[]).length - 1) lr = est;
      else bad(`Pipeline step ${i} is ${est.cls}; expected StandardScaler then LogisticRegression (NeMo's make_pipeline)`);
    });
  } else if (isPickledObject(root) && root.cls === LOGISTIC) lr = root;
  else bad('expected a pickled sklearn Pipeline (StandardScaler + LogisticRegression)');
  const l = stateOf(lr!);
  const arr = (o: Record<string, unknown>, k: string, owner: string) => {
    const v = o[k];
    if (!isNdArray(v)) return bad(`${owner}.${k} is missing or not a numpy array (is the model fitted?)`);
    return ndarrayToNested(v);
  };
  const coef = arr(l, 'coef_', 'LogisticRegression') as number[][];
  const D = coef[0]?.length ?? 0;
  let mean: number[] = new Array<number>(D).fill(0);
  let scale: number[] = new Array<number>(D).fill(1);
  if (scaler) {
    const s = stateOf(scaler);
    // sklearn's transform: subtract mean_ only with with_mean, divide by scale_ only with with_std.
    if (s.with_mean !== false) mean = arr(s, 'mean_', 'StandardScaler') as number[];
    if (s.with_std !== false && s.scale_ !== null && s.scale_ !== undefined) scale = arr(s, 'scale_', 'StandardScaler') as number[];
  }
  return importSklearnSelector(
    {
      mean_: mean,
      scale_: scale,
      coef_: coef,
      intercept_: arr(l, 'intercept_', 'LogisticRegression'),
      classes_: arr(l, 'classes_', 'LogisticRegression'),
      multi_class: typeof l.multi_class === 'string' ? l.multi_class : 'auto',
    },
    source,
  );
}
