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
import type { EnsembleMemberInfo, EnsembleResult, TranscribeOptions } from '../ensemble/types.js';
import { UserError } from '../util/errors.js';
import { accuracyFromConfusion, confusionMatrix, oracleChoice, reliability, argmax } from './metrics.js';
import type { ClassAccuracy, Reliability } from './metrics.js';
import type { ManifestEntry } from '../ensemble/manifest.js';
import { mapConcurrent } from '../util/concurrency.js';
import { addCounts, charErrors, errorRate, wordErrors, zeroCounts } from './wer.js';
import type { ErrorCounts } from './wer.js';

/** What evaluation needs from an ensemble (the real `Ensemble` satisfies it). */
export interface EvalTranscriber {
  members(): readonly EnsembleMemberInfo[];
  transcribe(audio: string, options: TranscribeOptions): Promise<EnsembleResult>;
}

export interface TestSet {
  /** Must equal a member's name: the label of every utterance in the set. */
  domain: string;
  /** Where the set came from (for the report and messages). */
  manifest?: string;
  /** Utterances with their reference `text` (read with `loadManifest(file, { requireText: true })`). */
  utterances: ManifestEntry[];
}

export interface EvaluateOptions {
  /** Also decode every member with its LM (needs at least one member with an LM). */
  lm?: boolean;
  /** Beam width for LM decoding (the ensemble's default when absent). */
  beam?: number;
  /** Utterances in flight at once; default `os.cpus().length`. */
  jobs?: number;
  /** Bins of the reliability table; default 10. */
  bins?: number;
  /** Called once per finished utterance (progress). */
  onUtterance?: () => void;
  /** How the work was spread, for the report (default: "N in flight, one thread"). */
  parallelism?: string;
  /**
   * Also route every utterance on its first S seconds (`TranscribeOptions.earlyRouteSeconds`, a third pass) and
   * report that selection's accuracy, WER and cost next to the main pass (`EvalReport.earlyRoute`).
   */
  earlyRouteSeconds?: number;
  /**
   * Floors of the early-routing cascade to score (`TranscribeOptions.earlyRouteMinProb`; default [0]: plain early
   * routing). The prefix pass runs once, at floor 0; each floor's outcome follows from it and the main pass, which
   * is full routing (deterministic): an escalated input gets the main pass's choice and transcript
   * (`scoreEarlyRoute`). The first floor fills `EvalReport.earlyRoute`, all of them its `curve`.
   */
  earlyRouteMinProbs?: readonly number[];
}

export interface UtteranceRecord {
  domain: string;
  audioFilepath: string;
  reference: string;
  audioSeconds: number;
  /** Member chosen by the selector. */
  chosen: string;
  correct: boolean;
  maxProbability: number;
  probabilities: Record<string, number>;
  confidences: Record<string, number>;
  /** Every member's greedy transcript. */
  greedy: Record<string, string>;
  /** Every member's LM transcript (with `lm`). */
  lm?: Record<string, string>;
  /** The ensemble's transcript (greedy) and, with `lm`, with the chosen member's LM. */
  ensembleText: string;
  ensembleLmText?: string;
  /** Member with the fewest greedy word errors (ties: fewer char errors, then member order). */
  oracle: string;
  oracleLm?: string;
  /** With `earlyRouteSeconds`: the member chosen on the prefix, its transcript, and the ONNX time of both passes. */
  early?: {
    chosen: string;
    correct: boolean;
    text: string;
    modelsMs: number;
    fullModelsMs: number;
    /** The selector's top probability on the prefix; null when the input was not longer than S (routed fully). */
    prefixProbability?: number | null;
    /** Model time of the prefix pass alone (ms). */
    prefixModelsMs?: number;
  };
}

export interface RateCell {
  utterances: number;
  /** null when there are no utterances. */
  wer: number | null;
  cer: number | null;
  word: ErrorCounts;
  char: ErrorCounts;
}

export type SystemKind = 'ensemble' | 'oracle' | 'true-domain' | 'member';

export interface SystemResult {
  /** Stable id, e.g. `ensemble`, `ensemble+lm`, `member:en`, `member:en+lm`. */
  id: string;
  label: string;
  kind: SystemKind;
  decoding: 'greedy' | 'lm';
  member?: string;
  perDomain: Record<string, RateCell>;
  overall: RateCell;
}

export interface ConfidenceSummary {
  count: number;
  mean: number;
  std: number;
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
}

/** One early-routing setting's outcome (`scoreEarlyRoute`). */
export interface EarlyRouteScore {
  /** The cascade's floor (0: plain early routing, no escalation on probability and no length rule). */
  minProbability: number;
  perDomain: Record<string, ClassAccuracy>;
  overall: ClassAccuracy;
  wer: RateCell;
  /** Member audio seconds run over full routing's (M × length). */
  cost: number;
  /** The same from measured model time (escalated inputs: the prefix pass plus the main pass). */
  measuredCost: number;
  perDomainCost: Record<string, number>;
  /**
   * Inputs routed fully: `short` (no longer than S, or with a floor > 0 no longer than S·M/(M−1)) and
   * `lowProbability` (the prefix's top probability below the floor); `rate` = (short + lowProbability) / total.
   */
  escalated: EscalationCount;
  perDomainEscalated: Record<string, EscalationCount>;
}

export interface EscalationCount {
  short: number;
  lowProbability: number;
  rate: number | null;
}

export interface EvalReport {
  schemaVersion: 1;
  createdAt: string;
  members: string[];
  domains: Array<{ name: string; manifest?: string; utterances: number; audioSeconds: number }>;
  lm: boolean;
  lmMembers: string[];
  utterances: number;
  audioSeconds: number;
  wallSeconds: number;
  jobs: number;
  parallelism: string;
  selection: {
    /** Rows: true domain (in `domains` order); columns: chosen member (in `members` order). */
    confusion: { rows: string[]; columns: string[]; matrix: number[][] };
    perDomain: Record<string, ClassAccuracy>;
    overall: ClassAccuracy;
  };
  /** Reliability of the selector's max probability as a predictor of a correct selection. */
  calibration: Reliability;
  /** WER/CER systems: ensemble, oracle, true-domain member, each member; greedy and with LM. */
  systems: SystemResult[];
  /**
   * With `earlyRouteSeconds`: selection on the first S seconds. `cost` is the members' audio seconds run
   * (M × min(S, length) + the chosen member on the whole input when longer than S) over the main pass's
   * (M × length); `measuredCost` the same from the passes' model timings (the main pass ran every member).
   */
  earlyRoute?: EarlyRouteScore & {
    seconds: number;
    /** The main pass's overall accuracy, for comparison. */
    fullAccuracy: number | null;
    /** One score per floor asked for (`EvaluateOptions.earlyRouteMinProbs`), the first being the fields above. */
    curve: EarlyRouteScore[];
  };
  /** Member → domain → summary of that member's confidence on the domain's utterances. */
  confidence: Record<string, Record<string, ConfidenceSummary>>;
  perUtterance: UtteranceRecord[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(values: readonly number[]): ConfidenceSummary {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  const mean = n > 0 ? s.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n > 0 ? Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / n) : NaN;
  return { count: n, mean, std, min: s[0] ?? NaN, p25: quantile(s, 0.25), median: quantile(s, 0.5), p75: quantile(s, 0.75), max: s[n - 1] ?? NaN };
}

function transcriptsByMember(result: EnsembleResult, members: readonly string[], what: string): Record<string, string> {
  if (!result.transcripts) throw new Error(`transcribe({all: true}) returned no per-member transcripts (${what})`);
  const out: Record<string, string> = {};
  for (const t of result.transcripts) out[t.model] = t.text;
  for (const m of members) if (!(m in out)) throw new Error(`transcribe({all: true}) returned no transcript for member "${m}" (${what})`);
  return out;
}

/** Per-utterance pass: run the ensemble and score every member. */
async function evaluateUtterance(
  ensemble: EvalTranscriber,
  members: readonly string[],
  domain: string,
  source: string,
  u: ManifestEntry,
  options: EvaluateOptions,
): Promise<UtteranceRecord> {
  if (u.text === null) throw new UserError('missing "text" (needed here for WER)', { source });
  const ref = u.text;
  let greedyResult: EnsembleResult;
  let lmResult: EnsembleResult | undefined;
  // The same long-form pipeline as `infer`: a NeMo offset/duration span, long entries segmented.
  const span: TranscribeOptions = u.offset !== null ? { offsetSeconds: u.offset, durationSeconds: u.duration ?? undefined } : {};
  try {
    greedyResult = await ensemble.transcribe(u.audioPath, { ...span, all: true });
    if (options.lm) {
      const o: TranscribeOptions = { ...span, all: true, lm: true };
      if (options.beam !== undefined) o.beam = options.beam;
      lmResult = await ensemble.transcribe(u.audioPath, o);
    }
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    throw e instanceof UserError ? new UserError(msg, { source, cause: e }) : new Error(`${source}: ${msg}`, { cause: e });
  }
  let earlyResult: EnsembleResult | undefined;
  if (options.earlyRouteSeconds !== undefined) {
    try {
      // Floor 0: the plain prefix routing every floor's outcome is derived from (scoreEarlyRoute).
      earlyResult = await ensemble.transcribe(u.audioPath, { ...span, earlyRouteSeconds: options.earlyRouteSeconds, earlyRouteMinProb: 0 });
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      throw e instanceof UserError ? new UserError(msg, { source, cause: e }) : new Error(`${source}: ${msg}`, { cause: e });
    }
  }
  const greedy = transcriptsByMember(greedyResult, members, source);
  const probs = members.map((m) => greedyResult.probabilities[m] ?? 0);
  const wordE = members.map((m) => wordErrors(ref, greedy[m]).errors);
  const charE = members.map((m) => charErrors(ref, greedy[m]).errors);
  const rec: UtteranceRecord = {
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
      members[
        oracleChoice(
          members.map((m) => wordErrors(ref, lm[m]).errors),
          members.map((m) => charErrors(ref, lm[m]).errors),
        )
      ];
  }
  return rec;
}

function cell(pairs: Array<[string, string]>): RateCell {
  let word = zeroCounts();
  let char = zeroCounts();
  for (const [ref, hyp] of pairs) {
    word = addCounts(word, wordErrors(ref, hyp));
    char = addCounts(char, charErrors(ref, hyp));
  }
  const n = pairs.length;
  return { utterances: n, wer: n > 0 ? errorRate(word) : null, cer: n > 0 ? errorRate(char) : null, word, char };
}

interface SystemDef {
  id: string;
  label: string;
  kind: SystemKind;
  decoding: 'greedy' | 'lm';
  member?: string;
  hyp: (r: UtteranceRecord) => string;
}

/** Build the WER/CER tables from per-utterance records (pure; exported for tests). */
export function scoreSystems(
  records: readonly UtteranceRecord[],
  members: readonly string[],
  domains: readonly string[],
  lmMembers: readonly string[],
): SystemResult[] {
  const withLm = records.length > 0 && records.every((r) => r.lm !== undefined);
  const defs: SystemDef[] = [{ id: 'ensemble', label: 'ensemble (greedy)', kind: 'ensemble', decoding: 'greedy', hyp: (r) => r.ensembleText }];
  if (withLm) defs.push({ id: 'ensemble+lm', label: 'ensemble + LM', kind: 'ensemble', decoding: 'lm', hyp: (r) => r.ensembleLmText! });
  defs.push({ id: 'oracle', label: 'oracle (greedy)', kind: 'oracle', decoding: 'greedy', hyp: (r) => r.greedy[r.oracle] });
  if (withLm) defs.push({ id: 'oracle+lm', label: 'oracle + LM', kind: 'oracle', decoding: 'lm', hyp: (r) => r.lm![r.oracleLm!] });
  defs.push({ id: 'true-domain', label: 'true-domain member (greedy)', kind: 'true-domain', decoding: 'greedy', hyp: (r) => r.greedy[r.domain] });
  if (withLm) defs.push({ id: 'true-domain+lm', label: 'true-domain member + LM', kind: 'true-domain', decoding: 'lm', hyp: (r) => r.lm![r.domain] });
  for (const m of members) {
    defs.push({ id: `member:${m}`, label: `member ${m} (greedy)`, kind: 'member', decoding: 'greedy', member: m, hyp: (r) => r.greedy[m] });
    if (withLm && lmMembers.includes(m)) {
      defs.push({ id: `member:${m}+lm`, label: `member ${m} + LM`, kind: 'member', decoding: 'lm', member: m, hyp: (r) => r.lm![m] });
    }
  }
  return defs.map((d) => {
    const perDomain: Record<string, RateCell> = {};
    for (const dom of domains) perDomain[dom] = cell(records.filter((r) => r.domain === dom).map((r) => [r.reference, d.hyp(r)]));
    const out: SystemResult = {
      id: d.id,
      label: d.label,
      kind: d.kind,
      decoding: d.decoding,
      perDomain,
      overall: cell(records.map((r) => [r.reference, d.hyp(r)])),
    };
    if (d.member !== undefined) out.member = d.member;
    return out;
  });
}

/**
 * How one utterance fares under early routing on S seconds with the cascade's floor `minProb` (pure): what
 * `Ensemble.transcribe` does with `earlyRouteMinProb`, replayed from the prefix pass (floor 0) and the main pass
 * (full routing). `route`: 'prefix' (the prefix's choice), 'short' or 'low-probability' (routed fully).
 */
export function earlyRouteOutcome(
  r: UtteranceRecord,
  members: number,
  seconds: number,
  minProb: number,
): { route: 'prefix' | 'short' | 'low-probability'; chosen: string; text: string; memberSeconds: number; modelsMs: number } {
  const e = r.early!;
  const L = r.audioSeconds;
  const full = { chosen: r.chosen, text: r.ensembleText, memberSeconds: members * L, modelsMs: e.fullModelsMs };
  // Not longer than S (e.prefixProbability null): full routing exactly, as without the cascade.
  if (e.prefixProbability === null || e.prefixProbability === undefined || L <= seconds) return { route: 'short', ...full };
  if (minProb >= 1) return { route: 'low-probability', ...full };
  if (minProb > 0 && members * L <= members * seconds + L) return { route: 'short', ...full };
  if (minProb > 0 && e.prefixProbability < minProb) {
    return { route: 'low-probability', ...full, memberSeconds: members * (seconds + L), modelsMs: (e.prefixModelsMs ?? 0) + e.fullModelsMs };
  }
  return { route: 'prefix', chosen: e.chosen, text: e.text, memberSeconds: members * seconds + L, modelsMs: e.modelsMs };
}

/** Early-routing accuracy, WER, cost and escalations from per-utterance records (pure; exported for tests). */
export function scoreEarlyRoute(
  records: readonly UtteranceRecord[],
  members: number,
  domains: readonly string[],
  seconds: number,
  minProb = 0,
): EarlyRouteScore {
  const outcomes = records.map((r) => ({ r, o: earlyRouteOutcome(r, members, seconds, minProb) }));
  type Item = (typeof outcomes)[number];
  const acc = (xs: readonly Item[]): ClassAccuracy => {
    const correct = xs.filter((x) => x.o.chosen === x.r.domain).length;
    return { correct, total: xs.length, accuracy: xs.length ? correct / xs.length : null };
  };
  const cost = (xs: readonly Item[]): number => {
    const full = xs.reduce((a, x) => a + members * x.r.audioSeconds, 0);
    return full > 0 ? xs.reduce((a, x) => a + x.o.memberSeconds, 0) / full : NaN;
  };
  const escalated = (xs: readonly Item[]): EscalationCount => {
    const short = xs.filter((x) => x.o.route === 'short').length;
    const lowProbability = xs.filter((x) => x.o.route === 'low-probability').length;
    return { short, lowProbability, rate: xs.length ? (short + lowProbability) / xs.length : null };
  };
  const perDomain: Record<string, ClassAccuracy> = {};
  const perDomainCost: Record<string, number> = {};
  const perDomainEscalated: Record<string, EscalationCount> = {};
  for (const d of domains) {
    const xs = outcomes.filter((x) => x.r.domain === d);
    perDomain[d] = acc(xs);
    perDomainCost[d] = cost(xs);
    perDomainEscalated[d] = escalated(xs);
  }
  const fullMs = records.reduce((a, r) => a + r.early!.fullModelsMs, 0);
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

function earlyRouteReport(
  records: readonly UtteranceRecord[],
  members: number,
  domains: readonly string[],
  seconds: number,
  minProbs: readonly number[],
  fullAccuracy: number | null,
): NonNullable<EvalReport['earlyRoute']> {
  const curve = (minProbs.length > 0 ? minProbs : [0]).map((p) => scoreEarlyRoute(records, members, domains, seconds, p));
  return { seconds, fullAccuracy, ...curve[0], curve };
}

/** Selection accuracy, confusion and calibration from per-utterance records (pure; exported for tests). */
export function scoreSelection(
  records: readonly UtteranceRecord[],
  members: readonly string[],
  domains: readonly string[],
  bins = 10,
): { selection: EvalReport['selection']; calibration: Reliability } {
  const idx = new Map(members.map((m, i) => [m, i]));
  const full = confusionMatrix(
    records.map((r) => idx.get(r.domain)!),
    records.map((r) => {
      const i = idx.get(r.chosen);
      if (i === undefined) throw new Error(`the ensemble chose "${r.chosen}", which is not a member`);
      return i;
    }),
    members.length,
  );
  const rows = domains.map((d) => full[idx.get(d)!]);
  const acc = accuracyFromConfusion(full);
  const perDomain: Record<string, ClassAccuracy> = {};
  for (const d of domains) perDomain[d] = acc.perClass[idx.get(d)!];
  return {
    selection: { confusion: { rows: [...domains], columns: [...members], matrix: rows }, perDomain, overall: acc.overall },
    calibration: reliability(
      records.map((r) => r.maxProbability),
      records.map((r) => r.correct),
      bins,
    ),
  };
}

export function confidenceSummaries(records: readonly UtteranceRecord[], members: readonly string[], domains: readonly string[]): EvalReport['confidence'] {
  const out: EvalReport['confidence'] = {};
  for (const m of members) {
    out[m] = {};
    for (const d of domains) {
      out[m][d] = summarize(
        records
          .filter((r) => r.domain === d)
          .map((r) => r.confidences[m])
          .filter((v): v is number => typeof v === 'number'),
      );
    }
  }
  return out;
}

/** Evaluate `ensemble` on labelled test sets. */
export async function evaluate(ensemble: EvalTranscriber, testSets: readonly TestSet[], options: EvaluateOptions = {}): Promise<EvalReport> {
  const infos = ensemble.members();
  const members = infos.map((m) => m.name);
  const lmMembers = infos.filter((m) => m.lm !== null).map((m) => m.name);
  if (testSets.length === 0) throw new UserError('no test sets: give --test DOMAIN=MANIFEST (DOMAIN = a member name)');
  const seen = new Set<string>();
  for (const t of testSets) {
    if (!members.includes(t.domain)) {
      throw new UserError(`test domain "${t.domain}" is not a member of the ensemble; a domain must be one of: ${members.join(', ')}`);
    }
    if (seen.has(t.domain)) throw new UserError(`test domain "${t.domain}" is given more than once`);
    seen.add(t.domain);
  }
  if (options.lm && lmMembers.length === 0) throw new UserError('--lm: no member of this ensemble has a language model');
  if (options.jobs !== undefined && !(Number.isInteger(options.jobs) && options.jobs >= 1)) {
    throw new UserError(`jobs must be a positive integer, got ${options.jobs}`);
  }
  for (const p of options.earlyRouteMinProbs ?? []) {
    if (!(Number.isFinite(p) && p >= 0 && p <= 1)) throw new UserError(`early route minimum probability must be a number from 0 to 1, got ${p}`);
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
      const d: EvalReport['domains'][number] = { name: t.domain, utterances: rs.length, audioSeconds: rs.reduce((a, r) => a + r.audioSeconds, 0) };
      if (t.manifest !== undefined) d.manifest = t.manifest;
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
          earlyRoute: earlyRouteReport(
            records,
            members.length,
            domains,
            options.earlyRouteSeconds,
            options.earlyRouteMinProbs ?? [0],
            selection.overall.accuracy,
          ),
        }
      : {}),
    confidence: confidenceSummaries(records, members, domains),
    perUtterance: records,
  };
}
