export interface Discount {
    /** D1, D2, D3+ */
    d: [number, number, number];
    /** counts of adjusted counts n1..n4 */
    n: [number, number, number, number];
    fallback: boolean;
}
/** n1..n4: how many of `adj[0..size)` are 1, 2, 3, 4. */
export declare function countsOfCounts(adj: Uint32Array, size: number): Discount['n'];
/** Discounts of one order from its counts of adjusted counts; the fallback (or an error) when they are invalid. */
export declare function discountsFrom(order: number, n: Discount['n'], fallback: readonly [number, number, number] | undefined, warn: (m: string) => void): Discount;
