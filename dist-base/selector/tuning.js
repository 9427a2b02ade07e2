/**
 * NeMo's tuning (build_ensemble.py `train_model_selection` / `find_best_confidence`):
 * a grid over the LR settings scored by plain dev accuracy, optionally nested inside a walk over the
 * confidence specs. Strictly-greater comparisons starting from 0: the first best wins.
 *
 * Data shapes: features are [N][M] (row n = utterance, column m = member model); for the confidence
 * walk, `trainConfidences[s]` / `devConfidences[s]` are those [N][M] matrices for spec s of `specs`
 * (see `featureMatricesFromGrids` to build them from per-(model, utterance) `computeConfidenceGrid`
 * outputs).
 */
import { UserError } from '../util/errors.js';
import { fitPrepared, prepareTraining, selectorAccuracy } from './selector.js';
export const NEMO_TUNE_LR_DEFAULTS = Object.freeze({
    cNumPoints: 10,
    cMin: 1e-4,
    cMax: 10,
    multiClass: ['ovr', 'multinomial'],
    classWeight: [null, 'balanced'],
});
/** numpy `linspace(start, stop, num)`: start + i·step, the last element exactly `stop`. */
export function linspace(start, stop, num) {
    if (num <= 0)
        return [];
    if (num === 1)
        return [start];
    const step = (stop - start) / (num - 1);
    const out = Array.from({ length: num }, (_, i) => i * step + start);
    out[num - 1] = stop;
    return out;
}
/** NeMo's C grid: `append(exp(linspace(ln C_min, ln C_max, C_num_points)), 10000.0)`. */
export function nemoCGrid(cfg = {}) {
    const n = cfg.cNumPoints ?? NEMO_TUNE_LR_DEFAULTS.cNumPoints;
    const lo = cfg.cMin ?? NEMO_TUNE_LR_DEFAULTS.cMin;
    const hi = cfg.cMax ?? NEMO_TUNE_LR_DEFAULTS.cMax;
    if (!Number.isInteger(n) || n < 0)
        throw new UserError(`must be an integer >= 0 (got ${n})`, { source: 'tune_logistic_regression_config.C_num_points', code: 'E_TUNE_CONFIG' });
    if (!(lo > 0) || !Number.isFinite(lo))
        throw new UserError(`must be a finite number > 0 (got ${lo})`, { source: 'tune_logistic_regression_config.C_min', code: 'E_TUNE_CONFIG' });
    if (!(hi > 0) || !Number.isFinite(hi))
        throw new UserError(`must be a finite number > 0 (got ${hi})`, { source: 'tune_logistic_regression_config.C_max', code: 'E_TUNE_CONFIG' });
    return [...linspace(Math.log(lo), Math.log(hi), n).map(Math.exp), 10000.0];
}
/** The LR settings in NeMo's loop order: class_weight → multi_class → C ascending (44 by default). */
export function nemoLrGrid(cfg = {}) {
    const Cs = nemoCGrid(cfg);
    const out = [];
    for (const classWeight of cfg.classWeight ?? NEMO_TUNE_LR_DEFAULTS.classWeight) {
        if (classWeight !== null && classWeight !== 'balanced')
            throw new UserError(`entries must be null or "balanced" (got ${JSON.stringify(classWeight)})`, {
                source: 'tune_logistic_regression_config.class_weight',
                code: 'E_TUNE_CONFIG',
            });
        for (const multiClass of cfg.multiClass ?? NEMO_TUNE_LR_DEFAULTS.multiClass) {
            if (multiClass !== 'ovr' && multiClass !== 'multinomial')
                throw new UserError(`entries must be ovr or multinomial (got ${JSON.stringify(multiClass)})`, {
                    source: 'tune_logistic_regression_config.multi_class',
                    code: 'E_TUNE_CONFIG',
                });
            for (const C of Cs)
                out.push({ C, multiClass, classWeight });
        }
    }
    return out;
}
/**
 * NeMo's LR grid search: each setting is fit on train only and scored by dev accuracy; a setting
 * replaces the best only if strictly better (starting from 0), so the first best wins. The chosen
 * pipeline is then refit on train (NeMo's `best_pipe.fit(train)`), which reproduces the same fit.
 * Fits along the ascending C path are warm-started from the previous C; the optimum is unique, so
 * this changes only the speed.
 */
export function tuneSelector(trainX, trainY, devX, devY, cfg = {}) {
    if (!Array.isArray(devX) || devX.length === 0)
        throw new UserError('tuning needs a non-empty dev set (dev_manifest for every model)', { code: 'E_TUNE_CONFIG' });
    if (!Array.isArray(devY) || devY.length !== devX.length)
        throw new UserError(`${devY?.length} dev labels for ${devX.length} dev rows`, { code: 'E_TUNE_CONFIG' });
    const grid = nemoLrGrid(cfg);
    const prep = prepareTraining(trainX, trainY);
    const trials = [];
    let best;
    let maxScore = 0;
    let warm;
    let prev;
    for (const s of grid) {
        if (!prev || prev.multiClass !== s.multiClass || prev.classWeight !== s.classWeight || !(s.C >= prev.C))
            warm = undefined;
        const r = fitPrepared(prep, { ...s, maxIter: cfg.maxIter, tol: cfg.tol }, warm);
        warm = r.warm;
        prev = s;
        const acc = selectorAccuracy(r.selector, devX, devY);
        trials.push({ ...s, devAccuracy: acc });
        if (acc > maxScore) {
            maxScore = acc;
            best = { s, sel: r.selector, acc };
        }
    }
    if (!best) {
        throw new UserError('no logistic-regression setting classified any dev utterance correctly (dev accuracy 0 everywhere); check the dev manifests and their order', { code: 'E_TUNE_FAILED' });
    }
    return { ...best.s, selector: best.sel, devAccuracy: best.acc, trainAccuracy: selectorAccuracy(best.sel, trainX, trainY), trials };
}
/**
 * NeMo's `find_best_confidence`: for each spec in order, tune the LR on that spec's [N][M] features;
 * keep the spec if its best dev accuracy is strictly greater (first best wins). Specs whose train and
 * dev matrices equal an earlier spec's (e.g. the α = 1 entropies, identical for all three types) reuse
 * its result, which is what refitting would give.
 *
 * NeMo quirk (build_ensemble.py `train_model_selection`): with `tune_logistic_regression` false every score is −1 and NeMo crashes with an
 * AttributeError; here that combination is a clear UserError up front.
 */
export function tuneConfidenceAndSelector(trainConfidences, trainY, devConfidences, devY, specs, options = {}) {
    if (options.tuneLogisticRegression === false) {
        throw new UserError('tune_confidence needs tune_logistic_regression: true (NeMo scores every spec −1 without it and fails); enable it or set tune_confidence: false', { source: 'tune_logistic_regression', code: 'E_TUNE_CONFIG' });
    }
    if (specs.length === 0)
        throw new UserError('the confidence tuning grid is empty', { source: 'tune_confidence_config', code: 'E_TUNE_CONFIG' });
    if (trainConfidences.length !== specs.length || devConfidences.length !== specs.length) {
        throw new UserError(`expected one train and one dev feature matrix per spec (${specs.length}), got ${trainConfidences.length} and ${devConfidences.length}`, { code: 'E_TUNE_CONFIG' });
    }
    const cache = new Map();
    const key = (a, b) => {
        const parts = [];
        for (const r of a)
            parts.push(r.join(','));
        parts.push('|');
        for (const r of b)
            parts.push(r.join(','));
        return parts.join(';');
    };
    const specScores = [];
    let best;
    let maxScore = 0;
    for (let s = 0; s < specs.length; s++) {
        const k = key(trainConfidences[s], devConfidences[s]);
        let r = cache.get(k);
        if (!r) {
            r = tuneSelector(trainConfidences[s], trainY, devConfidences[s], devY, options.lr);
            cache.set(k, r);
        }
        specScores.push(r.devAccuracy);
        options.onSpec?.(s, specs.length, r.devAccuracy);
        if (maxScore < r.devAccuracy) {
            maxScore = r.devAccuracy;
            best = { ...r, specIndex: s, spec: { ...specs[s] }, specScores };
        }
    }
    if (!best)
        throw new UserError('no confidence spec reached a dev accuracy above 0', { code: 'E_TUNE_FAILED' });
    return { ...best, specScores };
}
/**
 * Reshapes per-(model, utterance) grids into per-spec feature matrices:
 * `grids[m][n]` = `computeConfidenceGrid(...)` of model m on utterance n (length S) →
 * result[s][n][m].
 */
export function featureMatricesFromGrids(grids) {
    const M = grids.length;
    if (M === 0)
        return [];
    const N = grids[0].length;
    for (let m = 1; m < M; m++)
        if (grids[m].length !== N)
            throw new UserError(`model ${m} has ${grids[m].length} utterances, model 0 has ${N}`, { code: 'E_TUNE_CONFIG' });
    const S = N > 0 ? grids[0][0].length : 0;
    const out = [];
    for (let s = 0; s < S; s++) {
        const mat = new Array(N);
        for (let n = 0; n < N; n++) {
            const row = new Array(M);
            for (let m = 0; m < M; m++)
                row[m] = grids[m][n][s];
            mat[n] = row;
        }
        out.push(mat);
    }
    return out;
}
//# sourceMappingURL=tuning.js.map