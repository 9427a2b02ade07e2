/**
 * NeMo's confidence measures (asr_confidence_utils.py `get_confidence_measure_bank`) and the
 * ensemble's utterance-level confidence (confidence_ensemble.py `compute_confidence`, with `get_confidence_aggregation_bank`).
 *
 * Precision: everything is computed in float64 from the float32 (or float64) log-probs. NeMo runs the
 * tensor arithmetic in float32 (the constants in double); on the toy vectors the two differ by ≤ 2e-7,
 * and the float64 result is the more accurate one. Means are sequential left-to-right sums divided by
 * the count, and `prod` a sequential product from 1, as NeMo's Python built-ins do.
 *
 * One deliberate deviation: a log-prob of exactly −inf (p = 0) contributes its mathematical limit
 * p^α·ln p = 0 to the Gibbs sums, where NeMo's `exp(x)·x` gives NaN (which sklearn would then reject).
 * Finite inputs — everything a log_softmax of finite logits produces — are unaffected.
 */
import { UserError } from '../util/errors.js';
import { validateConfidenceSpec } from './spec.js';
function makePlan(method, type, norm, alpha, V, slot) {
    const lnV = Math.log(V);
    if (method === 'max_prob') {
        if (alpha === 1.0)
            return { kind: 0 /* Kind.MaxProb1 */, alpha, slot: -1, k1: 0, k2: 0 };
        return { kind: 1 /* Kind.MaxProbA */, alpha, slot: -1, k1: Math.pow(V, alpha), k2: 0 };
    }
    if (alpha === 1.0)
        return { kind: norm === 'lin' ? 2 /* Kind.Lin1 */ : 3 /* Kind.Exp1 */, alpha, slot, k1: lnV, k2: 0 };
    const v1a = Math.pow(V, 1 - alpha);
    switch (type) {
        case 'gibbs':
            return norm === 'lin'
                ? { kind: 4 /* Kind.GibbsLin */, alpha, slot, k1: lnV, k2: v1a }
                : { kind: 5 /* Kind.GibbsExp */, alpha, slot, k1: Math.pow(V, -alpha * v1a), k2: 0 };
        case 'tsallis':
            return norm === 'lin'
                ? { kind: 6 /* Kind.TsallisLin */, alpha, slot, k1: v1a, k2: 0 }
                : { kind: 7 /* Kind.TsallisExp */, alpha, slot, k1: Math.exp((1 - v1a) / (1 - alpha)), k2: 0 };
        default: // renyi
            return norm === 'lin' ? { kind: 8 /* Kind.RenyiLin */, alpha, slot, k1: Math.log2(V), k2: 0 } : { kind: 9 /* Kind.RenyiExp */, alpha, slot, k1: 0, k2: 0 };
    }
}
function evalPlan(p, V, m, S, G) {
    const a = p.alpha;
    switch (p.kind) {
        case 0 /* Kind.MaxProb1 */:
            return (V * Math.exp(m) - 1) / (V - 1);
        case 1 /* Kind.MaxProbA */:
            return (Math.exp(a * m) * p.k1 - 1) / (p.k1 - 1);
        case 2 /* Kind.Lin1 */:
            return 1 + G / p.k1;
        case 3 /* Kind.Exp1 */:
            return (V * Math.exp(G) - 1) / (V - 1);
        case 4 /* Kind.GibbsLin */:
            return 1 + G / p.k1 / p.k2;
        case 5 /* Kind.GibbsExp */:
            return (Math.exp(a * G) - p.k1) / (1 - p.k1);
        case 6 /* Kind.TsallisLin */:
            return 1 + (1 - S) / (p.k1 - 1);
        case 7 /* Kind.TsallisExp */:
            return (Math.exp((1 - S) / (1 - a)) - p.k1) / (1 - p.k1);
        case 8 /* Kind.RenyiLin */:
            return 1 + Math.log2(S) / (a - 1) / p.k1;
        case 9 /* Kind.RenyiExp */:
            return (Math.pow(S, 1 / (a - 1)) * V - 1) / (V - 1);
    }
}
/** S_α and G_α of one row into S[slot], G[slot]. A p = 0 entry adds 0 to G (its limit), not NeMo's NaN. */
function alphaSums(x, base, V, alpha, S, G, slot) {
    let s = 0;
    let g = 0;
    if (alpha === 1) {
        for (let i = base, end = base + V; i < end; i++) {
            const xi = x[i];
            const e = Math.exp(xi);
            s += e;
            if (e !== 0)
                g += e * xi;
        }
    }
    else {
        for (let i = base, end = base + V; i < end; i++) {
            const xi = x[i];
            const e = Math.exp(alpha * xi);
            s += e;
            if (e !== 0)
                g += e * xi;
        }
    }
    S[slot] = s;
    G[slot] = g;
}
function rowMax(x, base, V) {
    let m = x[base];
    for (let i = base + 1, end = base + V; i < end; i++)
        if (x[i] > m)
            m = x[i];
    return m;
}
function checkAlpha(alpha) {
    if (typeof alpha !== 'number' || !Number.isFinite(alpha) || !(alpha > 0)) {
        throw new UserError(`alpha must be a finite number > 0 (got ${alpha})`, { code: 'E_CONFIDENCE_SPEC' });
    }
}
function checkRow(x) {
    const V = x.length;
    if (!(V >= 2))
        throw new UserError(`a frame needs at least 2 log-probabilities (got ${V})`, { code: 'E_CONFIDENCE_INPUT' });
    return V;
}
// ---------------------------------------------------------------------------------------------
// Named per-frame measures (one frame of natural-log probs; V = the row's full width incl. blank).
// These use `alpha` as given, also for max_prob (NeMo's decoder path); the ensemble forces α = 1
// for max_prob, which `computeConfidence` does.
// ---------------------------------------------------------------------------------------------
/** `max_prob`: (V·p_max − 1)/(V − 1) for α = 1, else (p_max^α·V^α − 1)/(V^α − 1). */
export function maxProbConfidence(x, alpha = 1) {
    const V = checkRow(x);
    checkAlpha(alpha);
    return evalPlan(makePlan('max_prob', '', 'lin', alpha, V, -1), V, rowMax(x, 0, V), 0, 0);
}
function entropyFrame(type, x, alpha, norm) {
    const V = checkRow(x);
    checkAlpha(alpha);
    if (norm !== 'lin' && norm !== 'exp')
        throw new UserError(`entropy norm must be lin or exp (got ${String(norm)})`, { code: 'E_CONFIDENCE_SPEC' });
    const S = new Float64Array(1);
    const G = new Float64Array(1);
    alphaSums(x, 0, V, alpha, S, G, 0);
    return evalPlan(makePlan('entropy', type, norm, alpha, V, 0), V, 0, S[0], G[0]);
}
/** `entropy_gibbs_{lin,exp}` (for α = 1 all three entropy types coincide). */
export function gibbsEntropyConfidence(x, alpha, norm) {
    return entropyFrame('gibbs', x, alpha, norm);
}
/** `entropy_tsallis_{lin,exp}`. */
export function tsallisEntropyConfidence(x, alpha, norm) {
    return entropyFrame('tsallis', x, alpha, norm);
}
/** `entropy_renyi_{lin,exp}` (NeMo's ensemble default: lin, α = 0.25). */
export function renyiEntropyConfidence(x, alpha, norm) {
    return entropyFrame('renyi', x, alpha, norm);
}
/** One frame's measure under `spec` (aggregation/excludeBlank ignored; α used as given, also for max_prob). */
export function frameConfidence(x, spec) {
    if (spec.method === 'max_prob')
        return maxProbConfidence(x, spec.alpha);
    return entropyFrame(spec.entropyType, x, spec.alpha, spec.entropyNorm);
}
/** NeMo's aggregation bank: mean = sequential sum / count, min, max, prod = sequential product. */
export function aggregateConfidence(values, aggregation) {
    const n = values.length;
    if (n === 0)
        throw new UserError('cannot aggregate zero frame confidences', { code: 'E_CONFIDENCE_INPUT' });
    switch (aggregation) {
        case 'mean': {
            let s = 0;
            for (let i = 0; i < n; i++)
                s += values[i];
            return s / n;
        }
        case 'min': {
            let r = values[0];
            for (let i = 1; i < n; i++)
                if (values[i] < r)
                    r = values[i];
            return r;
        }
        case 'max': {
            let r = values[0];
            for (let i = 1; i < n; i++)
                if (values[i] > r)
                    r = values[i];
            return r;
        }
        case 'prod': {
            let r = 1;
            for (let i = 0; i < n; i++)
                r *= values[i];
            return r;
        }
        default:
            throw new UserError(`unknown aggregation ${String(aggregation)}`, { code: 'E_CONFIDENCE_SPEC' });
    }
}
// ---------------------------------------------------------------------------------------------
// Utterance-level confidence
// ---------------------------------------------------------------------------------------------
function checkMatrix(logprobs, frames, vocabSize, blankId) {
    if (!(logprobs instanceof Float32Array) && !(logprobs instanceof Float64Array)) {
        throw new UserError('logprobs must be a Float32Array (or Float64Array), row-major [frames][vocabSize]', { code: 'E_CONFIDENCE_INPUT' });
    }
    if (!Number.isInteger(frames) || frames < 1)
        throw new UserError(`frames must be an integer >= 1 (got ${frames}); an empty utterance has no confidence`, { code: 'E_CONFIDENCE_INPUT' });
    if (!Number.isInteger(vocabSize) || vocabSize < 2)
        throw new UserError(`vocabSize must be an integer >= 2 (got ${vocabSize})`, { code: 'E_CONFIDENCE_INPUT' });
    if (logprobs.length < frames * vocabSize) {
        throw new UserError(`logprobs has ${logprobs.length} values, fewer than frames × vocabSize = ${frames} × ${vocabSize}`, { code: 'E_CONFIDENCE_INPUT' });
    }
    if (!Number.isInteger(blankId) || blankId < 0 || blankId >= vocabSize) {
        throw new UserError(`blankId must be an integer in [0, ${vocabSize - 1}] (got ${blankId})`, { code: 'E_CONFIDENCE_INPUT' });
    }
}
function argmaxRow(x, base, V) {
    let m = x[base];
    let am = 0;
    for (let i = 1; i < V; i++) {
        const v = x[base + i];
        if (v > m) {
            m = v;
            am = i;
        }
    }
    return am; // torch argmax: the first maximal index
}
/** NeMo's guard: `torch.allclose(row.exp().sum(), 1.0)` (rtol 1e-5, atol 1e-8). */
function rowIsNormalised(x, base, V) {
    let s = 0;
    for (let i = base, end = base + V; i < end; i++)
        s += Math.exp(x[i]);
    return Math.abs(s - 1) <= 1e-8 + 1e-5;
}
/** Row-wise log_softmax of the first `frames` rows (float64). */
function logSoftmaxRows(x, frames, V, scale = 1) {
    const out = new Float64Array(frames * V);
    for (let f = 0; f < frames; f++) {
        const base = f * V;
        let m = -Infinity;
        for (let i = 0; i < V; i++) {
            const v = x[base + i] * scale;
            out[base + i] = v;
            if (v > m)
                m = v;
        }
        let s = 0;
        for (let i = 0; i < V; i++)
            s += Math.exp(out[base + i] - m);
        const lse = m + Math.log(s);
        for (let i = 0; i < V; i++)
            out[base + i] -= lse;
    }
    return out;
}
/**
 * Temperature as NeMo's CTC decoder applies it (NeMo `conv_asr.py` `ConvASRDecoder.forward`: `log_softmax(logits / T)`): `log_softmax(logprobs / T)` per frame.
 * Works on log-probs and on raw logits alike (log_softmax removes the per-frame constant), so T = 1
 * turns logits (e.g. wav2vec2's) into log-probs. Computed in float64, returned as a new Float32Array.
 */
export function applyTemperature(logprobs, frames, vocabSize, temperature) {
    checkMatrix(logprobs, frames, vocabSize, 0);
    if (typeof temperature !== 'number' || !Number.isFinite(temperature) || !(temperature > 0)) {
        throw new UserError(`temperature must be a finite number > 0 (got ${temperature})`, { code: 'E_CONFIDENCE_SPEC' });
    }
    return Float32Array.from(logSoftmaxRows(logprobs, frames, vocabSize, 1 / temperature));
}
const AGG_CODE = { mean: 0, min: 1, max: 2, prod: 3 };
/**
 * Many specs from one pass over the posteriors: per frame the max, and S_α/G_α for each distinct α,
 * are computed once and shared by every measure type, normalisation, aggregation and exclude_blank
 * setting. Runs over the rows of `x` (raw or normalised); `blank` flags come from the raw argmax.
 */
function gridPass(x, frames, V, blank, nonBlank, specs, idx, out) {
    // Distinct alpha slots and distinct measures.
    const slotAlphas = [];
    const plans = [];
    const planKey = new Map();
    const specPlan = new Int32Array(idx.length);
    const specAgg = new Uint8Array(idx.length);
    const specEx = new Uint8Array(idx.length);
    let needMax = false;
    for (let j = 0; j < idx.length; j++) {
        const s = specs[idx[j]];
        const alpha = s.method === 'max_prob' ? 1.0 : s.alpha; // the ensemble ignores alpha for max_prob
        const key = s.method === 'max_prob' ? 'max_prob' : alpha === 1 ? `e1_${s.entropyNorm}` : `${s.entropyType}_${s.entropyNorm}_${alpha}`;
        let pi = planKey.get(key);
        if (pi === undefined) {
            let slot = -1;
            if (s.method === 'max_prob')
                needMax = true;
            else {
                slot = slotAlphas.indexOf(alpha);
                if (slot < 0)
                    slot = slotAlphas.push(alpha) - 1;
            }
            pi = plans.push(makePlan(s.method, s.entropyType, s.entropyNorm, alpha, V, slot)) - 1;
            planKey.set(key, pi);
        }
        specPlan[j] = pi;
        specAgg[j] = AGG_CODE[s.aggregation];
        specEx[j] = s.excludeBlank ? 1 : 0;
    }
    const nSlots = slotAlphas.length;
    const S = new Float64Array(nSlots);
    const G = new Float64Array(nSlots);
    const pv = new Float64Array(plans.length);
    const frame0 = new Float64Array(plans.length);
    const acc = new Float64Array(idx.length);
    for (let j = 0; j < idx.length; j++)
        acc[j] = specAgg[j] === 0 ? 0 : specAgg[j] === 3 ? 1 : NaN;
    const started = new Uint8Array(idx.length);
    // With only exclude_blank specs, blank frames are never read (except frame 0 of an all-blank utterance).
    const onlyExclude = specEx.every((e) => e === 1);
    for (let f = 0; f < frames; f++) {
        if (onlyExclude && blank[f] === 1 && !(f === 0 && nonBlank === 0))
            continue;
        const base = f * V;
        const m = needMax ? rowMax(x, base, V) : 0;
        for (let s = 0; s < nSlots; s++)
            alphaSums(x, base, V, slotAlphas[s], S, G, s);
        for (let p = 0; p < plans.length; p++) {
            const pl = plans[p];
            pv[p] = pl.slot < 0 ? evalPlan(pl, V, m, 0, 0) : evalPlan(pl, V, m, S[pl.slot], G[pl.slot]);
        }
        if (f === 0)
            frame0.set(pv);
        const isBlank = blank[f] === 1;
        for (let j = 0; j < idx.length; j++) {
            if (isBlank && specEx[j] === 1)
                continue;
            const v = pv[specPlan[j]];
            switch (specAgg[j]) {
                case 0:
                    acc[j] += v;
                    break;
                case 1:
                    if (!started[j] || v < acc[j])
                        acc[j] = v;
                    break;
                case 2:
                    if (!started[j] || v > acc[j])
                        acc[j] = v;
                    break;
                default:
                    acc[j] *= v;
            }
            started[j] = 1;
        }
    }
    for (let j = 0; j < idx.length; j++) {
        let r;
        if (specEx[j] === 1 && nonBlank === 0) {
            r = frame0[specPlan[j]]; // every frame blank: NeMo keeps frame 0 (any aggregation of one value is itself)
        }
        else if (specAgg[j] === 0) {
            r = acc[j] / (specEx[j] === 1 ? nonBlank : frames);
        }
        else
            r = acc[j];
        out[idx[j]] = r;
    }
}
/**
 * Utterance confidences for many specs from ONE pass over the posteriors (see `gridPass`). The
 * result is identical, bit for bit, to calling `computeConfidence` per spec. `out[k]` is `specs[k]`'s.
 */
export function computeConfidenceGrid(logprobs, frames, vocabSize, blankId, specs) {
    checkMatrix(logprobs, frames, vocabSize, blankId);
    specs.forEach((s, k) => validateConfidenceSpec(s, `specs[${k}]`));
    const V = vocabSize;
    const out = new Float64Array(specs.length);
    if (specs.length === 0)
        return out;
    // Blank frames by the raw argmax (NeMo filters before its normalisation guard).
    const blank = new Uint8Array(frames);
    let nonBlank = 0;
    let firstNonBlank = -1;
    const anyExclude = specs.some((s) => s.excludeBlank);
    if (anyExclude) {
        for (let f = 0; f < frames; f++) {
            if (argmaxRow(logprobs, f * V, V) === blankId)
                blank[f] = 1;
            else {
                nonBlank++;
                if (firstNonBlank < 0)
                    firstNonBlank = f;
            }
        }
    }
    // Normalisation guard, per filtered matrix: its first row must sum to 1 (NeMo `compute_confidence`, the check after filtering).
    const groups = [];
    for (const ex of [true, false]) {
        const idx = [];
        specs.forEach((s, k) => {
            if (s.excludeBlank === ex)
                idx.push(k);
        });
        if (idx.length === 0)
            continue;
        const first = ex && firstNonBlank >= 0 ? firstNonBlank : 0;
        groups.push({ ex, idx, normalise: !rowIsNormalised(logprobs, first * V, V) });
    }
    const zeroBlank = new Uint8Array(frames);
    const run = (x, idx) => gridPass(x, frames, V, anyExclude ? blank : zeroBlank, nonBlank, specs, idx, out);
    if (groups.length === 2 && groups[0].normalise === groups[1].normalise) {
        run(groups[0].normalise ? logSoftmaxRows(logprobs, frames, V) : logprobs, [...groups[0].idx, ...groups[1].idx]);
    }
    else {
        let normalised;
        for (const g of groups) {
            if (g.normalise)
                normalised ??= logSoftmaxRows(logprobs, frames, V);
            run(g.normalise ? normalised : logprobs, g.idx);
        }
    }
    return out;
}
/**
 * The ensemble's confidence of one utterance (NeMo `confidence_ensemble.py` `compute_confidence`): drop frames whose
 * argmax is `blankId` when `spec.excludeBlank` (all blank → keep frame 0), re-log-softmax the rows if
 * the first kept row does not sum to 1, evaluate the measure per frame with V = `vocabSize` (the full
 * width incl. blank; α = 1 for max_prob), aggregate. `logprobs` is row-major [frames][vocabSize], ln.
 */
export function computeConfidence(logprobs, frames, vocabSize, blankId, spec) {
    return computeConfidenceGrid(logprobs, frames, vocabSize, blankId, [spec])[0];
}
//# sourceMappingURL=measures.js.map