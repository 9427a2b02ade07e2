/**
 * `ensemble eval`: run an ensemble over labelled test sets and measure how well it routes and transcribes.
 *
 * Labels: a test set's domain name is the name of the member that the utterances belong to.
 *
 * Decoding passes per utterance: one `transcribe(audio, {all: true})` (the selection, every member's
 * confidence and every member's greedy transcript) and, with `lm`, a second
 * `transcribe(audio, {all: true, lm: true})` for every member's LM transcript. The second pass runs the
 * acoustic models again: the Ensemble API returns one decoding per call, and evaluation time is not
 * the serving path.
 *
 * Concurrency: `evaluate` keeps up to `jobs` utterances in flight against whatever `EvalTranscriber`
 * it is given. onnxruntime-node runs inference synchronously on the calling thread, so an in-thread
 * `Ensemble` still does one utterance at a time; to use every core, `ensemble eval` passes a
 * `WorkerPoolEnsemble` (worker-pool.ts: one worker thread per core, each with its own copy of the
 * ensemble and single-threaded ONNX sessions) and keeps two utterances per worker in flight.
 */
import os from 'node:os';
import { UserError } from '../util/errors.js';
import { accuracyFromConfusion, confusionMatrix, oracleChoice, reliability, argmax } from './metrics.js';
import { mapConcurrent } from '../util/concurrency.js';
import { addCounts, charErrors, errorRate, wordErrors, zeroCounts } from './wer.js';
function quantile(sorted, q) {
    if (sorted.length === 0)
        return NaN;
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
export function summarize(values) {
    const s = [...values].sort((a, b) => a - b);
    const n = s.length;
    const mean = n > 0 ? s.reduce((a, b) => a + b, 0) / n : NaN;
    const std = n > 0 ? Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / n) : NaN;
    return { count: n, mean, std, min: s[0] ?? NaN, p25: quantile(s, 0.25), median: quantile(s, 0.5), p75: quantile(s, 0.75), max: s[n - 1] ?? NaN };
}
function transcriptsByMember(result, members, what) {
    if (!result.transcripts)
        throw new Error(`transcribe({all: true}) returned no per-member transcripts (${what})`);
    const out = {};
    for (const t of result.transcripts)
        out[t.model] = t.text;
    for (const m of members)
        if (!(m in out))
            throw new Error(`transcribe({all: true}) returned no transcript for member "${m}" (${what})`);
    return out;
}
/** Per-utterance pass: run the ensemble and score every member. */
async function evaluateUtterance(ensemble, members, domain, source, u, options) {
    if (u.text === null)
        throw new UserError('missing "text" (needed here for WER)', { source });
    const ref = u.text;
    let greedyResult;
    let lmResult;
    // The same long-form pipeline as `infer`: a NeMo offset/duration span, long entries segmented.
    const span = u.offset !== null ? { offsetSeconds: u.offset, durationSeconds: u.duration ?? undefined } : {};
    try {
        greedyResult = await ensemble.transcribe(u.audioPath, { ...span, all: true });
        if (options.lm) {
            const o = { ...span, all: true, lm: true };
            if (options.beam !== undefined)
                o.beam = options.beam;
            lmResult = await ensemble.transcribe(u.audioPath, o);
        }
    }
    catch (e) {
        const msg = e?.message ?? String(e);
        throw e instanceof UserError ? new UserError(msg, { source, cause: e }) : new Error(`${source}: ${msg}`, { cause: e });
    }
    let earlyResult;
    if (options.earlyRouteSeconds !== undefined) {
        try {
            // Floor 0: the plain prefix routing every floor's outcome is derived from (scoreEarlyRoute).
            earlyResult = await ensemble.transcribe(u.audioPath, { ...span, earlyRouteSeconds: options.earlyRouteSeconds, earlyRouteMinProb: 0 });
        }
        catch (e) {
            const msg = e?.message ?? String(e);
            throw e instanceof UserError ? new UserError(msg, { source, cause: e }) : new Error(`${source}: ${msg}`, { cause: e });
        }
    }
    const greedy = transcriptsByMember(greedyResult, members, source);
    const probs = members.map((m) => greedyResult.probabilities[m] ?? 0);
    const wordE = members.map((m) => wordErrors(ref, greedy[m]).errors);
    const charE = members.map((m) => charErrors(ref, greedy[m]).errors);
    const rec = {
        domain,
        audioFilepath: u.audioPath,
        reference: ref,
        audioSeconds: greedyResult.audioSeconds,
        chosen: greedyResult.model,
        correct: greedyResult.model === domain,
        maxProbability: probs[argmax(probs)] ?? 0,
        probabilities: greedyResult.probabilities,
        confidences: greedyResult.confidences,
        greedy,
        ensembleText: greedyResult.text,
        oracle: members[oracleChoice(wordE, charE)],
    };
    if (earlyResult) {
        rec.early = {
            chosen: earlyResult.model,
            correct: earlyResult.model === domain,
            text: earlyResult.text,
            modelsMs: earlyResult.timingsMs.models ?? 0,
            fullModelsMs: greedyResult.timingsMs.models ?? 0,
            prefixProbability: earlyResult.earlyRoute ? Math.max(...Object.values(earlyResult.probabilities)) : null,
            prefixModelsMs: earlyResult.timingsMs.prefixModels ?? 0,
        };
    }
    if (lmResult) {
        const lm = transcriptsByMember(lmResult, members, `${source} with LM`);
        rec.lm = lm;
        rec.ensembleLmText = lmResult.text;
        rec.oracleLm =
            members[oracleChoice(members.map((m) => wordErrors(ref, lm[m]).errors), members.map((m) => charErrors(ref, lm[m]).errors))];
    }
    return rec;
}
function cell(pairs) {
    let word = zeroCounts();
    let char = zeroCounts();
    for (const [ref, hyp] of pairs) {
        word = addCounts(word, wordErrors(ref, hyp));
        char = addCounts(char, charErrors(ref, hyp));
    }
    const n = pairs.length;
    return { utterances: n, wer: n > 0 ? errorRate(word) : null, cer: n > 0 ? errorRate(char) : null, word, char };
}
/** Build the WER/CER tables from per-utterance records (pure; exported for tests). */
export function scoreSystems(records, members, domains, lmMembers) {
    const withLm = records.length > 0 && records.every((r) => r.lm !== undefined);
    const defs = [{ id: 'ensemble', label: 'ensemble (greedy)', kind: 'ensemble', decoding: 'greedy', hyp: (r) => r.ensembleText }];
    if (withLm)
        defs.push({ id: 'ensemble+lm', label: 'ensemble + LM', kind: 'ensemble', decoding: 'lm', hyp: (r) => r.ensembleLmText });
    defs.push({ id: 'oracle', label: 'oracle (greedy)', kind: 'oracle', decoding: 'greedy', hyp: (r) => r.greedy[r.oracle] });
    if (withLm)
        defs.push({ id: 'oracle+lm', label: 'oracle + LM', kind: 'oracle', decoding: 'lm', hyp: (r) => r.lm[r.oracleLm] });
    defs.push({ id: 'true-domain', label: 'true-domain member (greedy)', kind: 'true-domain', decoding: 'greedy', hyp: (r) => r.greedy[r.domain] });
    if (withLm)
        defs.push({ id: 'true-domain+lm', label: 'true-domain member + LM', kind: 'true-domain', decoding: 'lm', hyp: (r) => r.lm[r.domain] });
    for (const m of members) {
        defs.push({ id: `member:${m}`, label: `member ${m} (greedy)`, kind: 'member', decoding: 'greedy', member: m, hyp: (r) => r.greedy[m] });
        if (withLm && lmMembers.includes(m)) {
            defs.push({ id: `member:${m}+lm`, label: `member ${m} + LM`, kind: 'member', decoding: 'lm', member: m, hyp: (r) => r.lm[m] });
        }
    }
    return defs.map((d) => {
        const perDomain = {};
        for (const dom of domains)
            perDomain[dom] = cell(records.filter((r) => r.domain === dom).map((r) => [r.reference, d.hyp(r)]));
        const out = {
            id: d.id,
            label: d.label,
            kind: d.kind,
            decoding: d.decoding,
            perDomain,
            overall: cell(records.map((r) => [r.reference, d.hyp(r)])),
        };
        if (d.member !== undefined)
            out.member = d.member;
        return out;
    });
}
/**
 * How one utterance fares under early routing on S seconds with the cascade's floor `minProb` (pure): what
 * `Ensemble.transcribe` does with `earlyRouteMinProb`, replayed from the prefix pass (floor 0) and the main pass
 * (full routing). `route`: 'prefix' (the prefix's choice), 'short' or 'low-probability' (routed fully).
 */
export function earlyRouteOutcome(r, members, seconds, minProb) {
    const e = r.early;
    const L = r.audioSeconds;
    const full = { chosen: r.chosen, text: r.ensembleText, memberSeconds: members * L, modelsMs: e.fullModelsMs };
    // Not longer than S (e.prefixProbability null): full routing exactly, as without the cascade.
    if (e.prefixProbability === null || e.prefixProbability === undefined || L <= seconds)
        return { route: 'short', ...full };
    if (minProb >= 1)
        return { route: 'low-probability', ...full };
    if (minProb > 0 && members * L <= members * seconds + L)
        return { route: 'short', ...full };
    if (minProb > 0 && e.prefixProbability < minProb) {
        return { route: 'low-probability', ...full, memberSeconds: members * (seconds + L), modelsMs: (e.prefixModelsMs ?? 0) + e.fullModelsMs };
    }
    return { route: 'prefix', chosen: e.chosen, text: e.text, memberSeconds: members * seconds + L, modelsMs: e.modelsMs };
}
/** Early-routing accuracy, WER, cost and escalations from per-utterance records (pure; exported for tests). */
export function scoreEarlyRoute(records, members, domains, seconds, minProb = 0) {
    const outcomes = records.map((r) => ({ r, o: earlyRouteOutcome(r, members, seconds, minProb) }));
    const acc = (xs) => {
        const correct = xs.filter((x) => x.o.chosen === x.r.domain).length;
        return { correct, total: xs.length, accuracy: xs.length ? correct / xs.length : null };
    };
    const cost = (xs) => {
        const full = xs.reduce((a, x) => a + members * x.r.audioSeconds, 0);
        return full > 0 ? xs.reduce((a, x) => a + x.o.memberSeconds, 0) / full : NaN;
    };
    const escalated = (xs) => {
        const short = xs.filter((x) => x.o.route === 'short').length;
        const lowProbability = xs.filter((x) => x.o.route === 'low-probability').length;
        return { short, lowProbability, rate: xs.length ? (short + lowProbability) / xs.length : null };
    };
    const perDomain = {};
    const perDomainCost = {};
    const perDomainEscalated = {};
    for (const d of domains) {
        const xs = outcomes.filter((x) => x.r.domain === d);
        perDomain[d] = acc(xs);
        perDomainCost[d] = cost(xs);
        perDomainEscalated[d] = escalated(xs);
    }
    const fullMs = records.reduce((a, r) => a + r.early.fullModelsMs, 0);
    return {
        minProbability: minProb,
        perDomain,
        overall: acc(outcomes),
        wer: cell(outcomes.map((x) => [x.r.reference, x.o.text])),
        cost: cost(outcomes),
        measuredCost: fullMs > 0 ? outcomes.reduce((a, x) => a + x.o.modelsMs, 0) / fullMs : NaN,
        perDomainCost,
        escalated: escalated(outcomes),
        perDomainEscalated,
    };
}
function earlyRouteReport(records, members, domains, seconds, minProbs, fullAccuracy) {
    const curve = (minProbs.length > 0 ? minProbs : [0]).map((p) => scoreEarlyRoute(records, members, domains, seconds, p));
    return { seconds, fullAccuracy, ...curve[0], curve };
}
/** Selection accuracy, confusion and calibration from per-utterance records (pure; exported for tests). */
export function scoreSelection(records, members, domains, bins = 10) {
    const idx = new Map(members.map((m, i) => [m, i]));
    const full = confusionMatrix(records.map((r) => idx.get(r.domain)), records.map((r) => {
        const i = idx.get(r.chosen);
        if (i === undefined)
            throw new Error(`the ensemble chose "${r.chosen}", which is not a member`);
        return i;
    }), members.length);
    const rows = domains.map((d) => full[idx.get(d)]);
    const acc = accuracyFromConfusion(full);
    const perDomain = {};
    for (const d of domains)
        perDomain[d] = acc.perClass[idx.get(d)];
    return {
        selection: { confusion: { rows: [...domains], columns: [...members], matrix: rows }, perDomain, overall: acc.overall },
        calibration: reliability(records.map((r) => r.maxProbability), records.map((r) => r.correct), bins),
    };
}
export function confidenceSummaries(records, members, domains) {
    const out = {};
    for (const m of members) {
        out[m] = {};
        for (const d of domains) {
            out[m][d] = summarize(records
                .filter((r) => r.domain === d)
                .map((r) => r.confidences[m])
                .filter((v) => typeof v === 'number'));
        }
    }
    return out;
}
/** Evaluate `ensemble` on labelled test sets. */
export async function evaluate(ensemble, testSets, options = {}) {
    const infos = ensemble.members();
    const members = infos.map((m) => m.name);
    const lmMembers = infos.filter((m) => m.lm !== null).map((m) => m.name);
    if (testSets.length === 0)
        throw new UserError('no test sets: give --test DOMAIN=MANIFEST (DOMAIN = a member name)');
    const seen = new Set();
    for (const t of testSets) {
        if (!members.includes(t.domain)) {
            throw new UserError(`test domain "${t.domain}" is not a member of the ensemble; a domain must be one of: ${members.join(', ')}`);
        }
        if (seen.has(t.domain))
            throw new UserError(`test domain "${t.domain}" is given more than once`);
        seen.add(t.domain);
    }
    if (options.lm && lmMembers.length === 0)
        throw new UserError('--lm: no member of this ensemble has a language model');
    if (options.jobs !== undefined && !(Number.isInteger(options.jobs) && options.jobs >= 1)) {
        throw new UserError(`jobs must be a positive integer, got ${options.jobs}`);
    }
    for (const p of options.earlyRouteMinProbs ?? []) {
        if (!(Number.isFinite(p) && p >= 0 && p <= 1))
            throw new UserError(`early route minimum probability must be a number from 0 to 1, got ${p}`);
    }
    const jobs = options.jobs ?? Math.max(1, os.cpus().length);
    const work = testSets.flatMap((t) => t.utterances.map((u) => ({ domain: t.domain, u, source: `${t.manifest ?? t.domain}:${u.line}` })));
    const start = Date.now();
    const records = await mapConcurrent(work, jobs, async ({ domain, u, source }) => {
        const r = await evaluateUtterance(ensemble, members, domain, source, u, options);
        options.onUtterance?.();
        return r;
    });
    const wallSeconds = (Date.now() - start) / 1000;
    const domains = testSets.map((t) => t.domain);
    const { selection, calibration } = scoreSelection(records, members, domains, options.bins ?? 10);
    return {
        schemaVersion: 1,
        createdAt: new Date().toISOString(),
        members,
        domains: testSets.map((t) => {
            const rs = records.filter((r) => r.domain === t.domain);
            const d = { name: t.domain, utterances: rs.length, audioSeconds: rs.reduce((a, r) => a + r.audioSeconds, 0) };
            if (t.manifest !== undefined)
                d.manifest = t.manifest;
            return d;
        }),
        lm: Boolean(options.lm),
        lmMembers,
        utterances: records.length,
        audioSeconds: records.reduce((a, r) => a + r.audioSeconds, 0),
        wallSeconds,
        jobs,
        parallelism: options.parallelism ?? `${jobs} in flight, one thread`,
        selection,
        calibration,
        systems: scoreSystems(records, members, domains, lmMembers),
        ...(options.earlyRouteSeconds !== undefined
            ? {
                earlyRoute: earlyRouteReport(records, members.length, domains, options.earlyRouteSeconds, options.earlyRouteMinProbs ?? [0], selection.overall.accuracy),
            }
            : {}),
        confidence: confidenceSummaries(records, members, domains),
        perUtterance: records,
    };
}
//# sourceMappingURL=evaluate.js.map