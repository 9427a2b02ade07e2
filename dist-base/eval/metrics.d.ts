/** Pure evaluation arithmetic: confusion matrix, selection accuracy, calibration, oracle choice. */
/**
 * `matrix[t][p]` = number of utterances whose true class is `t` and predicted class is `p`
 * (rows: truth, columns: prediction).
 */
export declare function confusionMatrix(truth: readonly number[], predicted: readonly number[], classes: number): number[][];
export interface ClassAccuracy {
    correct: number;
    total: number;
    /** correct / total; null when total is 0. */
    accuracy: number | null;
}
/** Per true class (row) accuracy, and the overall accuracy (trace / total), from a confusion matrix. */
export declare function accuracyFromConfusion(matrix: readonly (readonly number[])[]): {
    perClass: ClassAccuracy[];
    overall: ClassAccuracy;
};
export interface ReliabilityBin {
    /** Bin bounds on the max selector probability: (lo, hi], the first bin also includes lo. */
    lo: number;
    hi: number;
    count: number;
    /** Mean max probability in the bin (null when empty). */
    meanConfidence: number | null;
    /** Fraction of correct selections in the bin (null when empty). */
    accuracy: number | null;
}
export interface Reliability {
    bins: ReliabilityBin[];
    /** Expected calibration error: Σ_b (n_b / N) · |accuracy_b − meanConfidence_b|. */
    ece: number;
    /** Largest |accuracy_b − meanConfidence_b| over non-empty bins. */
    mce: number;
    count: number;
}
/**
 * Reliability table of the selector: utterances binned by their max class probability into `bins`
 * equal-width bins over [0, 1] (a value exactly on a boundary goes to the lower bin; 0 goes to the
 * first), with the accuracy of the selection in each bin; ECE and MCE as usual.
 */
export declare function reliability(confidence: readonly number[], correct: readonly boolean[], bins?: number): Reliability;
/**
 * The oracle's choice for one utterance: the member with the fewest word errors; ties broken by fewer
 * character errors, then by member order.
 */
export declare function oracleChoice(wordErrors: readonly number[], charErrors: readonly number[]): number;
/** Index of the largest value (first one on ties). */
export declare function argmax(values: readonly number[]): number;
