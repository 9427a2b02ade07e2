export interface ScalerParams {
    mean: number[];
    scale: number[];
}
/** sklearn StandardScaler.fit: mean, population std; a (near-)constant feature gets scale 1. */
export declare function fitStandardScaler(X: readonly (readonly number[])[]): ScalerParams;
/** Standardised features, row-major flat [n][D]. */
export declare function standardize(X: readonly (readonly number[])[], p: ScalerParams): Float64Array;
export declare function sigmoid(r: number): number;
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
/**
 * Binary problem: y ∈ {0,1}, raw r = w·z + b, loss Σ s_i (softplus(r_i) − y_i r_i) + ‖w‖²/(2C).
 * Returns [w (D), b].
 */
export declare function solveBinary(Z: Float64Array, D: number, y: Uint8Array, sw: Float64Array, C: number, opts: SolveOptions, start?: Float64Array): {
    params: Float64Array;
    info: SolveInfo;
};
/**
 * Multinomial problem, K ≥ 3: raw r_k = W_k·z + b_k, loss Σ s_i (logsumexp(r) − r_{y_i}) + ‖W‖²/(2C).
 * Params row-major [k][w (D), b]. Intercepts are centred afterwards (softmax is invariant to it; the
 * zero-start solution has Σ_k b_k = 0 as sklearn's does).
 */
export declare function solveMultinomial(Z: Float64Array, D: number, y: Int32Array, K: number, sw: Float64Array, C: number, opts: SolveOptions, start?: Float64Array): {
    params: Float64Array;
    info: SolveInfo;
};
