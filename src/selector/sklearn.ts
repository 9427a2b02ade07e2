/**
 * Import a selector trained by NeMo/sklearn. A JS port cannot read the pickle, so the five arrays of
 * the fitted pipeline plus `multi_class` are exported to JSON with Python once (NeMo's `model_selection_block`):
 *
 *   import json, joblib
 *   pipe = joblib.load("model_selection_block.pkl")   # or model.model_selection_block
 *   sc, lr = pipe.steps[0][1], pipe.steps[-1][1]
 *   json.dump({"mean_": sc.mean_.tolist(), "scale_": sc.scale_.tolist(), "coef_": lr.coef_.tolist(),
 *              "intercept_": lr.intercept_.tolist(), "classes_": lr.classes_.tolist(),
 *              "multi_class": lr.multi_class}, open("arrays.json", "w"))
 */
import { UserError } from '../util/errors.js';
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
    if (!(SKLEARN_FIELDS as readonly string[]).includes(k)) throw new UserError(`unknown field (expected ${SKLEARN_FIELDS.join(', ')})`, { source: `${source}.${k}`, code: 'E_SELECTOR_JSON' });
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
