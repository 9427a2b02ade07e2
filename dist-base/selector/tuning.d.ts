import type { ConfidenceSpec } from '../confidence/spec.js';
import { Selector, type ClassWeight, type MultiClass } from './selector.js';
/** NeMo's `TuneLogisticRegressionConfig`; defaults as NeMo's. */
export interface TuneLogisticRegressionConfig {
    cNumPoints?: number;
    cMin?: number;
    cMax?: number;
    multiClass?: MultiClass[];
    classWeight?: ClassWeight[];
    /** Solver iteration limit per fit (ours, default 10000; NeMo's 1000 is for sklearn's loose gtol). */
    maxIter?: number;
    /** Solver tolerance per fit (max|∇| of the normalised objective), default 1e-10. */
    tol?: number;
}
export declare const NEMO_TUNE_LR_DEFAULTS: Readonly<{
    cNumPoints: 10;
    cMin: 0.0001;
    cMax: 10;
    multiClass: MultiClass[];
    classWeight: ClassWeight[];
}>;
/** numpy `linspace(start, stop, num)`: start + i·step, the last element exactly `stop`. */
export declare function linspace(start: number, stop: number, num: number): number[];
/** NeMo's C grid: `append(exp(linspace(ln C_min, ln C_max, C_num_points)), 10000.0)`. */
export declare function nemoCGrid(cfg?: Pick<TuneLogisticRegressionConfig, 'cNumPoints' | 'cMin' | 'cMax'>): number[];
export interface LrSetting {
    C: number;
    multiClass: MultiClass;
    classWeight: ClassWeight;
}
/** The LR settings in NeMo's loop order: class_weight → multi_class → C ascending (44 by default). */
export declare function nemoLrGrid(cfg?: TuneLogisticRegressionConfig): LrSetting[];
export interface LrTrial extends LrSetting {
    devAccuracy: number;
}
export interface TuneSelectorResult extends LrSetting {
    selector: Selector;
    devAccuracy: number;
    trainAccuracy: number;
    /** Every setting tried, in order. */
    trials: LrTrial[];
}
/**
 * NeMo's LR grid search: each setting is fit on train only and scored by dev accuracy; a setting
 * replaces the best only if strictly better (starting from 0), so the first best wins. The chosen
 * pipeline is then refit on train (NeMo's `best_pipe.fit(train)`), which reproduces the same fit.
 * Fits along the ascending C path are warm-started from the previous C; the optimum is unique, so
 * this changes only the speed.
 */
export declare function tuneSelector(trainX: number[][], trainY: number[], devX: number[][], devY: number[], cfg?: TuneLogisticRegressionConfig): TuneSelectorResult;
export interface TuneConfidenceOptions {
    /** NeMo's `tune_logistic_regression` (default true). false is rejected: see below. */
    tuneLogisticRegression?: boolean;
    lr?: TuneLogisticRegressionConfig;
    /** Called after each spec (progress). */
    onSpec?: (specIndex: number, total: number, devAccuracy: number) => void;
}
export interface TuneConfidenceResult extends TuneSelectorResult {
    specIndex: number;
    spec: ConfidenceSpec;
    /** Best dev accuracy per spec, in `specs` order. */
    specScores: number[];
}
/**
 * NeMo's `find_best_confidence`: for each spec in order, tune the LR on that spec's [N][M] features;
 * keep the spec if its best dev accuracy is strictly greater (first best wins). Specs whose train and
 * dev matrices equal an earlier spec's (e.g. the α = 1 entropies, identical for all three types) reuse
 * its result, which is what refitting would give.
 *
 * NeMo quirk (build_ensemble.py `train_model_selection`): with `tune_logistic_regression` false every score is −1 and NeMo crashes with an
 * AttributeError; here that combination is a clear UserError up front.
 */
export declare function tuneConfidenceAndSelector(trainConfidences: number[][][], trainY: number[], devConfidences: number[][][], devY: number[], specs: readonly ConfidenceSpec[], options?: TuneConfidenceOptions): TuneConfidenceResult;
/**
 * Reshapes per-(model, utterance) grids into per-spec feature matrices:
 * `grids[m][n]` = `computeConfidenceGrid(...)` of model m on utterance n (length S) →
 * result[s][n][m].
 */
export declare function featureMatricesFromGrids(grids: readonly (readonly ArrayLike<number>[])[]): number[][][];
