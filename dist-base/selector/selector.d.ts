import type { SelectorFeaturesJSON } from './features.js';
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
export declare const SELECTOR_DEFAULTS: Readonly<{
    C: 10000;
    multiClass: MultiClass;
    classWeight: ClassWeight;
    maxIter: 10000;
    tol: 1e-10;
}>;
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
export declare const SELECTOR_FORMAT = "ctc-ensemble/selector";
export declare class Selector {
    readonly multiClass: MultiClass;
    readonly classes: readonly number[];
    readonly mean: readonly number[];
    readonly scale: readonly number[];
    readonly coef: readonly (readonly number[])[];
    readonly intercept: readonly number[];
    readonly training: SelectorTrainingInfo | undefined;
    readonly features: SelectorFeaturesJSON | undefined;
    readonly probabilityTemperature: number;
    constructor(p: Omit<SelectorJSON, 'format' | 'version'>);
    /** The same selector with other inputs description / probability temperature (build: after training). */
    with(p: {
        features?: SelectorFeaturesJSON;
        probabilityTemperature?: number;
    }): Selector;
    /** Number of input features (= ensemble members). */
    get numFeatures(): number;
    private checkX;
    /**
     * sklearn `decision_function`: one row per sample with coef.length values (1 for two classes:
     * d > 0 → classes[1]; K otherwise).
     */
    decisionFunction(X: readonly (readonly number[])[]): number[][];
    /** Class label per sample (binary: d > 0 → classes[1], a tie goes to classes[0]; else first argmax). */
    predict(X: readonly (readonly number[])[]): number[];
    /** Index into `classes` of the predicted class (= the model index for NeMo-style labels 0..M−1). */
    predictIndex(X: readonly (readonly number[])[]): number[];
    /** sklearn `predict_proba`: columns in `classes` order (decisions divided by `probabilityTemperature`). */
    predictProba(X: readonly (readonly number[])[], temperature?: number): number[][];
    toJSON(): SelectorJSON;
    /** Parses and validates our selector JSON (as written by `toJSON`); UserErrors name the field. */
    static fromJSON(json: unknown, source?: string): Selector;
    /** Validates the arrays of a selector; `names` maps our fields to the names the user wrote. */
    static validate(a: Record<'multiClass' | 'classes' | 'mean' | 'scale' | 'coef' | 'intercept', unknown>, ctx: {
        source: string;
        names: Record<'multiClass' | 'classes' | 'mean' | 'scale' | 'coef' | 'intercept', string>;
    }): {
        multiClass: MultiClass;
        classes: number[];
        mean: number[];
        scale: number[];
        coef: number[][];
        intercept: number[];
    };
}
/** Validates training data; returns sorted classes and per-sample class index. */
export declare function checkTrainingData(features: readonly (readonly number[])[], labels: readonly number[], source?: string): {
    classes: number[];
    yIdx: Int32Array;
    D: number;
};
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
    scaler: {
        mean: number[];
        scale: number[];
    };
    Z: Float64Array;
}
export declare function prepareTraining(features: readonly (readonly number[])[], labels: readonly number[]): PreparedTraining;
export declare function fitPrepared(prep: PreparedTraining, options?: TrainSelectorOptions, warm?: WarmStart): {
    selector: Selector;
    warm: WarmStart;
};
export declare function trainSelectorInternal(features: readonly (readonly number[])[], labels: readonly number[], options?: TrainSelectorOptions, warm?: WarmStart): {
    selector: Selector;
    warm: WarmStart;
};
/**
 * Trains the selector: StandardScaler + L2 logistic regression, solved to the optimum (see
 * logistic.ts). `features` is [N][M] (one confidence per member), `labels` the class of each row
 * (NeMo: the dataset/model index 0..M−1). Defaults are NeMo's untuned build: C 1e4, multinomial,
 * balanced.
 */
export declare function trainSelector(features: number[][], labels: number[], options?: TrainSelectorOptions): Selector;
/** Fraction of rows whose predicted class equals the label (NeMo's `calculate_score`). */
export declare function selectorAccuracy(selector: Selector, features: readonly (readonly number[])[], labels: readonly number[]): number;
