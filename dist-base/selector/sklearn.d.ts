import { Selector } from './selector.js';
export declare const SKLEARN_FIELDS: readonly ["mean_", "scale_", "coef_", "intercept_", "classes_", "multi_class"];
/** Builds a Selector from sklearn's arrays; UserErrors name the offending field. */
export declare function importSklearnSelector(json: unknown, source?: string): Selector;
/**
 * The Selector of a pickled sklearn pipeline (NeMo's `model_selection_block.pkl`: `make_pipeline(StandardScaler(),
 * LogisticRegression(...))`, written by `joblib.dump`), read with the restricted pickle reader: nothing in the
 * file is executed. A bare LogisticRegression (no scaler) is accepted too.
 */
export declare function selectorFromSklearnPickle(bytes: Uint8Array, source?: string): Selector;
