/**
 * CPython's `random` module, only as far as `build_ensemble.py` uses it: `random.seed(int)` and
 * `random.sample(population, k)`. NeMo subsamples each training manifest with
 * `random.sample(lines, max_training_samples)` after `pl.seed_everything(seed)`, with one RNG state shared
 * sequentially across the manifests. Reproducing the Mersenne Twister, CPython's integer seeding
 * (`init_by_array` over the 32-bit words of |seed|), `_randbelow` via `getrandbits` and `sample`'s
 * pool-versus-set choice picks exactly the same utterances as NeMo.
 */
export declare class PyRandom {
    private readonly mt;
    private mti;
    constructor(seed?: number | bigint);
    /** `random.seed(n)` for an integer n (CPython seeds with the absolute value). */
    seed(seed: number | bigint): void;
    private initGenrand;
    private initByArray;
    /** genrand_uint32: the next 32-bit output of MT19937. */
    nextUint32(): number;
    /** `random.random()`: 53-bit float in [0, 1). */
    random(): number;
    /** `random.getrandbits(k)` for 0 ≤ k ≤ 53 (words are filled little-endian, as CPython does). */
    getrandbits(k: number): number;
    /** `Random._randbelow_with_getrandbits(n)`: uniform integer in [0, n), n ≥ 1. */
    randbelow(n: number): number;
    /** Indices that `random.sample(range(n), k)` returns, in the same order. */
    sampleIndices(n: number, k: number): number[];
    /** `random.sample(population, k)`. */
    sample<T>(population: readonly T[], k: number): T[];
}
