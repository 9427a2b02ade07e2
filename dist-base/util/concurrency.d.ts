/**
 * Run `fn` over `items` with at most `limit` calls in flight; results keep the input order. The first
 * rejection stops new work from starting and is rethrown once the calls in flight have settled.
 */
export declare function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]>;
