import type { Selector } from './selector.js';
/** Search range of T (log-spaced golden-section search). */
export declare const PROBABILITY_TEMPERATURE_RANGE: Readonly<{
    min: 0.05;
    max: 20;
}>;
/** Mean negative log-likelihood of `labels` under `selector`'s probabilities at temperature `t`. */
export declare function selectorNll(selector: Selector, features: readonly (readonly number[])[], labels: readonly number[], t: number): number;
/** The T in PROBABILITY_TEMPERATURE_RANGE minimising `selectorNll` on (features, labels). */
export declare function fitProbabilityTemperature(selector: Selector, features: readonly (readonly number[])[], labels: readonly number[]): number;
