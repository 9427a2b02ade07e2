/** Word ids every estimated vocabulary starts with (lmplz's order: <unk>, <s>, </s>). */
export const UNK = 0;
export const BOS = 1;
export const EOS = 2;
/** lmplz --discount_fallback default: D1 D2 D3+ for orders whose computed discounts are invalid. */
export const DEFAULT_FALLBACK: readonly [number, number, number] = [0.5, 1, 1.5];
/** Highest n-gram order `lm build` accepts. */
export const MAX_BUILD_ORDER = 6;
/** `lm build --memory` default: lmplz -S's default share of physical memory. */
export const DEFAULT_BUILD_MEMORY = '80%';
/**
 * Share of the budget the in-memory counting tables may use before they are spilled (when twice the
 * bytes their entries need reaches it: capacity doubles): the in-memory estimator then needs about as
 * much again for its columns and the ARPA writer's sort, and a table that doubles holds old and new
 * arrays for a moment.
 */
export const TABLE_SHARE_OF_MEMORY = 1 / 4;
/** Least memory the counting tables get before a spill, whatever --memory says (spills of a few rows cost more than they save). */
export const MIN_TABLE_BYTES = 1 << 20;
/**
 * How a compiled LM is loaded (as KenLM's load_method): `lazy` returns once the header, unigrams and
 * vocabulary are read and reads the n-gram tables after, in chunks (lazy-load.ts); `read` reads the whole
 * file first. Lazy is the default: identical scores, and the read overlaps whatever the caller does next.
 */
export type LmLoadMethod = 'read' | 'lazy';
export const LM_LOAD_METHODS: readonly LmLoadMethod[] = ['lazy', 'read'];
export const DEFAULT_LM_LOAD: LmLoadMethod = 'lazy';
/** Bytes per chunk of a lazy load: what a lookup that touches a chunk not yet read reads (a page, as a fault on a mapped file). */
export const LAZY_LOAD_CHUNK_BYTES = 1 << 12;
/** Bytes per background read of a lazy load (whole chunks; fewer, larger reads fill the file sooner). */
export const LAZY_LOAD_READ_BYTES = 1 << 22;
