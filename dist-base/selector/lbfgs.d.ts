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
export declare function lbfgs(fun: ObjectiveFn, x0: Float64Array, options?: LbfgsOptions): LbfgsResult;
