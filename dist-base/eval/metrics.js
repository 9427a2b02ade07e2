/** Pure evaluation arithmetic: confusion matrix, selection accuracy, calibration, oracle choice. */
/**
 * `matrix[t][p]` = number of utterances whose true class is `t` and predicted class is `p`
 * (rows: truth, columns: prediction).
 */
export function confusionMatrix(truth, predicted, classes) {
    if (truth.length !== predicted.length)
        throw new Error('confusionMatrix: truth and predicted differ in length');
    const m = Array.from({ length: classes }, () => new Array(classes).fill(0));
    for (let i = 0; i < truth.length; i++) {
        const t = truth[i];
        const p = predicted[i];
        if (!(t >= 0 && t < classes && p >= 0 && p < classes))
            throw new Error(`confusionMatrix: class out of range at ${i}`);
        m[t][p]++;
    }
    return m;
}
/** Per true class (row) accuracy, and the overall accuracy (trace / total), from a confusion matrix. */
export function accuracyFromConfusion(matrix) {
    let correctAll = 0;
    let totalAll = 0;
    const perClass = matrix.map((row, t) => {
        const total = row.reduce((a, b) => a + b, 0);
        const correct = row[t] ?? 0;
        correctAll += correct;
        totalAll += total;
        return { correct, total, accuracy: total > 0 ? correct / total : null };
    });
    return { perClass, overall: { correct: correctAll, total: totalAll, accuracy: totalAll > 0 ? correctAll / totalAll : null } };
}
/**
 * Reliability table of the selector: utterances binned by their max class probability into `bins`
 * equal-width bins over [0, 1] (a value exactly on a boundary goes to the lower bin; 0 goes to the
 * first), with the accuracy of the selection in each bin; ECE and MCE as usual.
 */
export function reliability(confidence, correct, bins = 10) {
    if (confidence.length !== correct.length)
        throw new Error('reliability: lengths differ');
    if (!(Number.isInteger(bins) && bins >= 1))
        throw new Error('reliability: bins must be a positive integer');
    const n = new Array(bins).fill(0);
    const sumConf = new Array(bins).fill(0);
    const sumCorrect = new Array(bins).fill(0);
    for (let i = 0; i < confidence.length; i++) {
        const c = Math.min(1, Math.max(0, confidence[i]));
        // The 1e-9 keeps values on a boundary (0.7 · 10 = 7.000000000000001) in the lower bin.
        const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins - 1e-9) - 1));
        n[b]++;
        sumConf[b] += c;
        if (correct[i])
            sumCorrect[b]++;
    }
    const total = confidence.length;
    let ece = 0;
    let mce = 0;
    const out = [];
    for (let b = 0; b < bins; b++) {
        const count = n[b];
        const meanConfidence = count > 0 ? sumConf[b] / count : null;
        const accuracy = count > 0 ? sumCorrect[b] / count : null;
        if (count > 0) {
            const gap = Math.abs(accuracy - meanConfidence);
            ece += (count / total) * gap;
            mce = Math.max(mce, gap);
        }
        out.push({ lo: b / bins, hi: (b + 1) / bins, count, meanConfidence, accuracy });
    }
    return { bins: out, ece, mce, count: total };
}
/**
 * The oracle's choice for one utterance: the member with the fewest word errors; ties broken by fewer
 * character errors, then by member order.
 */
export function oracleChoice(wordErrors, charErrors) {
    let best = 0;
    for (let k = 1; k < wordErrors.length; k++) {
        const w = wordErrors[k];
        const bw = wordErrors[best];
        if (w < bw || (w === bw && (charErrors[k] ?? 0) < (charErrors[best] ?? 0)))
            best = k;
    }
    return best;
}
/** Index of the largest value (first one on ties). */
export function argmax(values) {
    let best = 0;
    for (let i = 1; i < values.length; i++)
        if (values[i] > values[best])
            best = i;
    return best;
}
//# sourceMappingURL=metrics.js.map