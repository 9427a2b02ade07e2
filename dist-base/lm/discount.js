import { UserError } from '../util/errors.js';
const f = Math.fround;
/** n1..n4: how many of `adj[0..size)` are 1, 2, 3, 4. */
export function countsOfCounts(adj, size) {
    const n = [0, 0, 0, 0];
    for (let e = 0; e < size; e++) {
        const a = adj[e];
        if (a >= 1 && a <= 4)
            n[a - 1]++;
    }
    return n;
}
/** Discounts of one order from its counts of adjusted counts; the fallback (or an error) when they are invalid. */
export function discountsFrom(order, n, fallback, warn) {
    // lmplz StatCollector::CalculateDiscounts, float arithmetic.
    let problem;
    for (let j = 1; j <= 3; j++) {
        if (n[j - 1] === 0) {
            problem = `Could not calculate Kneser-Ney discounts for ${order}-grams with adjusted count ${j + 1} because we didn't observe any ${order}-grams with adjusted count ${j}; Is this small or artificial data?`;
            break;
        }
    }
    const d = [0, 0, 0];
    if (!problem) {
        const y = f(n[0] / (n[0] + 2.0 * n[1]));
        for (let j = 1; j <= 3; j++) {
            d[j - 1] = f(j - f(f(f(f(j + 1) * y) * f(n[j])) / f(n[j - 1])));
            if (d[j - 1] < 0 || d[j - 1] > j) {
                problem = `${order}-gram discount out of range for adjusted count ${j}: ${d[j - 1]}`;
                break;
            }
        }
    }
    if (!problem)
        return { d, n, fallback: false };
    if (!fallback) {
        throw new UserError(`${problem}\nTry deduplicating the input. To override this error for e.g. a class-based model, rerun with --discount-fallback`, { code: 'E_LM_DISCOUNT' });
    }
    warn(`${problem} Substituting fallback discounts for order ${order}: D1=${fallback[0]} D2=${fallback[1]} D3+=${fallback[2]}`);
    return { d: [f(fallback[0]), f(fallback[1]), f(fallback[2])], n, fallback: true };
}
//# sourceMappingURL=discount.js.map