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
  /**
   * Floors of the domain gate to score (`TranscribeOptions.domainGateMinProb`; the ensemble needs `domain-gate.json`).
   * One more pass per utterance with a floor that always gates (only the gate's member runs) gives the gate's
   * choice, probability, transcript and time; each floor's outcome follows from it and the fallback: the main pass
   * (full routing) or, with `earlyRouteSeconds`, the early-routing outcome at the first of `earlyRouteMinProbs`
   * (`scoreDomainGate`). Fills `EvalReport.domainGate`.
   */
  domainGateMinProbs?: readonly number[];
  /**
   * With `domainGateMinProbs`: also prune (`TranscribeOptions.domainGatePrune`): one more pass per utterance with a
   * floor that never gates gives the pruned routing, which is each floor's outcome for inputs the gate does not
   * decide (pruning does not depend on the floor); inputs where every member passes take the fallback.
   */
  domainGatePrune?: number;
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
  /**
   * With `domainGateMinProbs`: the gate's member, its whole-input transcript, the gate's top probability (null: not
   * routed by the gate, audio beyond the maximum segment length) and times: the gate (summary + regression), the
   * gated member's front end + model, and the main pass's front ends + models (ms).
   */
  gate?: {
    chosen: string;
    correct: boolean;
    text: string;
    probability: number | null;
    gateMs: number;
    memberMs: number;
    fullMs: number;
    /** With `domainGatePrune`: the pruned routing's choice, transcript, members run (null: all, the fallback) and time. */
    pruned?: { chosen: string; text: string; ran: number | null; ms: number };
    /**
     * The gate's verification floor for `chosen` (null: none): when gated, its whole-input confidence (the main
     * pass's, `confidences`) below this hands the input on to the fallback.
     */
    verifyFloor?: number | null;
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

/** One domain-gate floor's outcome (`scoreDomainGate`). */
export interface DomainGateScore {
  minProbability: number;
  perDomain: Record<string, ClassAccuracy>;
  overall: ClassAccuracy;
  /** Inputs the gate decided, and how many of those it got right. */
  gated: ClassAccuracy & { share: number | null };
  perDomainGated: Record<string, ClassAccuracy & { share: number | null }>;
  /** Inputs the gate decided whose member's confidence was below its verification floor (handed on to the fallback). */
  verifyPassedOn: number;
  wer: RateCell;
  cost: number;
  measuredCost: number;
  perDomainCost: Record<string, number>;
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
  /**
   * With `domainGateMinProbs`: the gate in front of `fallback` (full routing, or early routing on S seconds with
   * its floor). Per floor: the share of inputs the gate decided (`gated`), their accuracy, the overall selection
   * accuracy and WER, the member audio seconds over full routing's (`cost`: a gated input costs 1 × its length) and
   * `measuredCost`: (gate + member front ends + models) over the main pass's front ends + models, in ms.
   */
  domainGate?: {
    fallback: { kind: 'full' } | { kind: 'early-route'; seconds: number; minProbability: number };
    /** The pruning threshold scored (0: none). */
    prune: number;
    fullAccuracy: number | null;
    /** The fallback alone (no gate), for comparison. */
    fallbackScore: DomainGateScore;
    curve: DomainGateScore[];
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
  verifyFloors: ReadonlyMap<string, number | null>,
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
  let gateResult: EnsembleResult | undefined;
  if (options.domainGateMinProbs !== undefined) {
    try {
      // The smallest positive floor: every input the gate can route is gated (only its member runs).
      // Verification is applied when scoring (domainGateOutcome), from the main pass's confidences.
      gateResult = await ensemble.transcribe(u.audioPath, { ...span, domainGateMinProb: Number.MIN_VALUE, domainGateVerify: false });
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      throw e instanceof UserError ? new UserError(msg, { source, cause: e }) : new Error(`${source}: ${msg}`, { cause: e });
    }
  }
  let pruneResult: EnsembleResult | undefined;
  if (options.domainGateMinProbs !== undefined && (options.domainGatePrune ?? 0) > 0) {
    try {
      pruneResult = await ensemble.transcribe(u.audioPath, {
        ...span,
        domainGateMinProb: 2,
        domainGatePrune: options.domainGatePrune,
        domainGateVerify: false,
      });
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
  if (gateResult) {
    const g = gateResult.domainGate;
    const t = gateResult.timingsMs;
    rec.gate = {
      chosen: gateResult.model,
      correct: gateResult.model === domain,
      text: gateResult.text,
      probability: g?.gated ? (g.probability ?? null) : null,
      gateMs: t.gate ?? 0,
      memberMs: (t.features ?? 0) + (t.models ?? 0),
      fullMs: (greedyResult.timingsMs.features ?? 0) + (greedyResult.timingsMs.models ?? 0),
      verifyFloor: verifyFloors.get(gateResult.model) ?? null,
    };
    if (pruneResult) {
      const pg = pruneResult.domainGate;
      const t2 = pruneResult.timingsMs;
      const ran = pg && pg.ran.length < members.length ? pg.ran.length : null;
      rec.gate.pruned = { chosen: pruneResult.model, text: pruneResult.text, ran, ms: (t2.gate ?? 0) + (t2.features ?? 0) + (t2.models ?? 0) };
    }
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

/**
 * How one utterance fares with the domain gate at floor `minProb` in front of `fallback` (pure): gated (the gate's
 * member on the whole input: 1 × L member seconds) or the fallback's outcome (its cost, plus the gate's time).
 * A gated input whose member's confidence is below the gate's verification floor goes on to the fallback, which
 * reuses that member's posteriors: the fallback's member seconds; its measured time counts the member twice, an
 * upper bound (`verified: false`).
 */
export function domainGateOutcome(
  r: UtteranceRecord,
  members: number,
  minProb: number,
  fallback: { kind: 'full' } | { kind: 'early-route'; seconds: number; minProbability: number },
): { gated: boolean; chosen: string; text: string; memberSeconds: number; ms: number; fullMs: number; verified?: false } {
  const g = r.gate!;
  const byGate = (g.probability !== null && g.probability >= minProb) || g.pruned?.ran === 1;
  const floor = g.verifyFloor ?? null;
  if (byGate && floor !== null && (r.confidences[g.chosen] ?? -Infinity) < floor) {
    const o = domainGateOutcome({ ...r, gate: { ...g, probability: null, pruned: undefined } }, members, Infinity, fallback);
    return { ...o, ms: o.ms + g.memberMs, verified: false };
  }
  if (g.probability !== null && g.probability >= minProb) {
    return { gated: true, chosen: g.chosen, text: g.text, memberSeconds: r.audioSeconds, ms: g.gateMs + g.memberMs, fullMs: g.fullMs };
  }
  if (g.pruned && g.pruned.ran !== null) {
    // Pruned: only the members the gate let through ran (one: that one decided, as if gated).
    return {
      gated: g.pruned.ran === 1,
      chosen: g.pruned.chosen,
      text: g.pruned.text,
      memberSeconds: g.pruned.ran * r.audioSeconds,
      ms: g.pruned.ms,
      fullMs: g.fullMs,
    };
  }
  if (fallback.kind === 'full') {
    return { gated: false, chosen: r.chosen, text: r.ensembleText, memberSeconds: members * r.audioSeconds, ms: g.gateMs + g.fullMs, fullMs: g.fullMs };
  }
  const o = earlyRouteOutcome(r, members, fallback.seconds, fallback.minProbability);
  // The early-routing pass's model time stands in for its front ends + models (its timings split them alike).
  const ratio = r.early!.fullModelsMs > 0 ? o.modelsMs / r.early!.fullModelsMs : 1;
  return { gated: false, chosen: o.chosen, text: o.text, memberSeconds: o.memberSeconds, ms: g.gateMs + ratio * g.fullMs, fullMs: g.fullMs };
}

/** The domain gate's accuracy, coverage, WER and cost at floor `minProb` from per-utterance records (pure). */
export function scoreDomainGate(
  records: readonly UtteranceRecord[],
  members: number,
  domains: readonly string[],
  minProb: number,
  fallback: { kind: 'full' } | { kind: 'early-route'; seconds: number; minProbability: number },
): DomainGateScore {
  const outcomes = records.map((r) => ({ r, o: domainGateOutcome(r, members, minProb, fallback) }));
  type Item = (typeof outcomes)[number];
  const acc = (xs: readonly Item[]): ClassAccuracy => {
    const correct = xs.filter((x) => x.o.chosen === x.r.domain).length;
    return { correct, total: xs.length, accuracy: xs.length ? correct / xs.length : null };
  };
  const gated = (xs: readonly Item[]): ClassAccuracy & { share: number | null } => {
    const g = xs.filter((x) => x.o.gated);
    return { ...acc(g), share: xs.length ? g.length / xs.length : null };
  };
  const cost = (xs: readonly Item[]): number => {
    const full = xs.reduce((a, x) => a + members * x.r.audioSeconds, 0);
    return full > 0 ? xs.reduce((a, x) => a + x.o.memberSeconds, 0) / full : NaN;
  };
  const perDomain: Record<string, ClassAccuracy> = {};
  const perDomainGated: Record<string, ClassAccuracy & { share: number | null }> = {};
  const perDomainCost: Record<string, number> = {};
  for (const d of domains) {
    const xs = outcomes.filter((x) => x.r.domain === d);
    perDomain[d] = acc(xs);
    perDomainGated[d] = gated(xs);
    perDomainCost[d] = cost(xs);
  }
  const fullMs = outcomes.reduce((a, x) => a + x.o.fullMs, 0);
  return {
    minProbability: minProb,
    perDomain,
    overall: acc(outcomes),
    gated: gated(outcomes),
    verifyPassedOn: outcomes.filter((x) => x.o.verified === false).length,
    perDomainGated,
    wer: cell(outcomes.map((x) => [x.r.reference, x.o.text])),
    cost: cost(outcomes),
    measuredCost: fullMs > 0 ? outcomes.reduce((a, x) => a + x.o.ms, 0) / fullMs : NaN,
    perDomainCost,
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
  const verifyFloors = new Map(infos.map((m) => [m.name, m.domainGateVerifyFloor ?? null]));
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
  for (const p of options.domainGateMinProbs ?? []) {
    if (!(Number.isFinite(p) && p >= 0)) throw new UserError(`domain gate floor must be a number ≥ 0, got ${p}`);
  }
  if (options.domainGateMinProbs !== undefined && options.domainGateMinProbs.length === 0) throw new UserError('domain gate: give at least one floor');
  const pr = options.domainGatePrune;
  if (pr !== undefined && !(Number.isFinite(pr) && pr >= 0 && pr < 1))
    throw new UserError(`domain gate pruning threshold must be a number from 0 to below 1, got ${pr}`);
  if (pr !== undefined && pr > 0 && options.domainGateMinProbs === undefined)
    throw new UserError('domain gate pruning needs the gate floors to score (--domain-gate)');
  for (const p of options.earlyRouteMinProbs ?? []) {
    if (!(Number.isFinite(p) && p >= 0 && p <= 1)) throw new UserError(`early route minimum probability must be a number from 0 to 1, got ${p}`);
  }
  const jobs = options.jobs ?? Math.max(1, os.cpus().length);
  const work = testSets.flatMap((t) => t.utterances.map((u) => ({ domain: t.domain, u, source: `${t.manifest ?? t.domain}:${u.line}` })));
  const start = Date.now();
  const records = await mapConcurrent(work, jobs, async ({ domain, u, source }) => {
    const r = await evaluateUtterance(ensemble, members, domain, source, u, options, verifyFloors);
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
    ...(options.domainGateMinProbs !== undefined
      ? {
          domainGate: (() => {
            const fallback =
              options.earlyRouteSeconds !== undefined
                ? { kind: 'early-route' as const, seconds: options.earlyRouteSeconds, minProbability: options.earlyRouteMinProbs?.[0] ?? 0 }
                : { kind: 'full' as const };
            return {
              fallback,
              prune: options.domainGatePrune ?? 0,
              fullAccuracy: selection.overall.accuracy,
              // A floor above every probability: nothing gated, the fallback alone (its measured cost includes the gate's time).
              fallbackScore: scoreDomainGate(records, members.length, domains, Infinity, fallback),
              curve: options.domainGateMinProbs.map((p) => scoreDomainGate(records, members.length, domains, p, fallback)),
            };
          })(),
        }
      : {}),
    confidence: confidenceSummaries(records, members, domains),
    perUtterance: records,
  };
}
