/** Word ids every estimated vocabulary starts with (lmplz's order: <unk>, <s>, </s>). */
export const UNK = 0;
export const BOS = 1;
export const EOS = 2;
/** lmplz --discount_fallback default: D1 D2 D3+ for orders whose computed discounts are invalid. */
export const DEFAULT_FALLBACK = [0.5, 1, 1.5];
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
//# sourceMappingURL=constants.js.map