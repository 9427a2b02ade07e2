/**
 * Temperature scaling of the selector's probabilities (beyond NeMo; Guo et al. 2017): one T > 0 that
 * divides every decision value before the softmax/sigmoid, fitted to minimise the negative log-likelihood
 * of held-out (dev) labels. The argmax, and so every choice, is unchanged; only the probabilities move.
 */
import { UserError } from '../util/errors.js';
/** Search range of T (log-spaced golden-section search). */
export const PROBABILITY_TEMPERATURE_RANGE = Object.freeze({ min: 0.05, max: 20 });
/** Mean negative log-likelihood of `labels` under `selector`'s probabilities at temperature `t`. */
export function selectorNll(selector, features, labels, t) {
    const P = selector.predictProba(features, t);
    let s = 0;
    P.forEach((p, i) => {
        const col = selector.classes.indexOf(labels[i]);
        s -= Math.log(Math.max(col >= 0 ? p[col] : 0, 1e-300));
    });
    return s / Math.max(1, P.length);
}
/** The T in PROBABILITY_TEMPERATURE_RANGE minimising `selectorNll` on (features, labels). */
export function fitProbabilityTemperature(selector, features, labels) {
    if (features.length === 0)
        throw new UserError('temperature scaling needs labelled dev utterances', { code: 'E_SELECTOR_INPUT' });
    const f = (u) => selectorNll(selector, features, labels, Math.exp(u));
    let a = Math.log(PROBABILITY_TEMPERATURE_RANGE.min);
    let b = Math.log(PROBABILITY_TEMPERATURE_RANGE.max);
    const g = (Math.sqrt(5) - 1) / 2;
    let c = b - g * (b - a);
    let d = a + g * (b - a);
    let fc = f(c);
    let fd = f(d);
    for (let i = 0; i < 80 && b - a > 1e-9; i++) {
        if (fc < fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        }
        else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    return Math.exp((a + b) / 2);
}
//# sourceMappingURL=calibration.js.map