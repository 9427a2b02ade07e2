/**
 * A loaded confidence ensemble (NeMo `confidence_ensemble.py`, `ConfidenceEnsembleModel.transcribe`): every member runs on the input, each member's confidence
 * under the ensemble's spec feeds the selector, and the chosen member's transcript is returned —
 * greedy, or with `lm` decoded by prefix beam search fused with that member's n-gram LM.
 *
 * Safe for concurrent `transcribe` calls: per-request state lives in the call; models are shared
 * (ONNX Runtime sessions accept concurrent runs); LMs load once, lazily, behind a shared promise.
 */
import { DECODING_DEFAULTS, EARLY_ROUTE_DEFAULTS } from '../defaults.js';
import { summarizeEnsemble, type EnsembleSummary } from './summary.js';
import { computeConfidence, type ConfidenceSpec } from '../confidence/index.js';
import { decodeBeamWithLm, decodeWithLm } from '../decoding/prefix-beam-search.js';
import { loadLanguageModel } from '../lm/index.js';
import type { LanguageModelScorer } from '../lm/types.js';
import { greedyDecode } from '../decoding/greedy.js';
import { argmaxPerFrame } from '../models/greedy.js';
import { loadCtcModel } from '../models/load.js';
import type { CtcModel, Logprobs } from '../models/types.js';
import { hasExtraFeatures, SelectorFeatureAccumulator, type Selector } from '../selector/index.js';
import { posteriorCounts, type PosteriorCounts } from '../confidence/index.js';
import { ACOUSTIC_SUMMARY } from '../features/acoustic-summary.js';
import { UserError } from '../util/errors.js';
import { readEnsembleJson, resolveFrom, type EnsembleJson } from './format.js';
import { checkEnsembleFiles, type EnsembleCheckOptions } from './verify.js';
import { DecodedAudio, keepAcousticFrames, runMembers, shortestInputSeconds, type RunTimings } from './runner.js';
import { LongFormTranscriber, type LongFormOptions, type LongFormResult } from './longform.js';
import type { EnsembleMemberInfo, MemberTranscript, SegmentResult } from './types.js';
import { VAD_DEFAULTS } from '../segment/defaults.js';
import { openAudioStream, readShortAudio } from '../audio/stream.js';
import { DomainGate, DOMAIN_GATE_FILE } from './domain-gate.js';

export interface EnsembleLoadOptions {
  /** Model loader (tests inject counting wrappers). */
  loadModel?: (dir: string) => Promise<CtcModel>;
  /** Load every member's LM now instead of on first use. */
  preloadLms?: boolean;
  /**
   * Checks before loading (verify.ts): each member's ONNX sha256 against ensemble.json (refused unless
   * `allowChangedModels`), and with `requireLms` every LM file. `false` skips them (a worker pool's
   * threads, after the pool checked once).
   */
  checks?: EnsembleCheckOptions | false;
  /** LM loader by resolved path (worker threads pass one that uses LMs shared by the pool). */
  loadLm?: (file: string) => Promise<LanguageModelScorer>;
}

/**
 * The input (or its manifest span) through the stream reader, stopping just past `upToSeconds`: a long recording is
 * never held whole. A short WAV without a span is read at once (`readShortAudio`: the same samples, no chunk loop).
 */
async function readSpan(audio: Float32Array | Uint8Array | string, options: LongFormOptions, upToSeconds: number): Promise<DecodedAudio> {
  const short = await readShortAudio(audio, upToSeconds, options);
  if (short) return new DecodedAudio(short.mono, short.sampleRate);
  const stream = await openAudioStream(audio, {
    source: options.source,
    sampleRate: options.sampleRate,
    maxSeconds: options.maxSeconds,
    offsetSeconds: options.offsetSeconds,
    durationSeconds: options.durationSeconds,
  });
  const parts: Float32Array[] = [];
  let n = 0;
  try {
    for await (const c of stream.chunks()) {
      parts.push(c);
      n += c.length;
      if (n > upToSeconds * stream.sampleRate) break;
    }
  } finally {
    await stream.close();
  }
  const mono = new Float32Array(n);
  let at = 0;
  for (const c of parts) {
    mono.set(c, at);
    at += c.length;
  }
  return new DecodedAudio(mono, stream.sampleRate);
}

/** `Ensemble.earlyRoute` for a selector built with `early_route_seconds` `built` (null: whole utterances); `source` names the ensemble in errors. */
export function resolveEarlyRoute(built: number | null, requested: number | undefined, source?: string): { seconds: number | null; warning?: string } {
  if (requested !== undefined && !(Number.isFinite(requested) && requested >= 0)) {
    throw new UserError(`early route must be a number of seconds ≥ 0 (0 = full routing), got ${requested}`, { code: 'E_OPTIONS' });
  }
  const seconds = requested === undefined ? built : requested === 0 ? null : requested;
  if (built !== null && seconds !== built) {
    throw new UserError(
      `this ensemble's selector was trained on the first ${built} s of each utterance (early_route_seconds: ${built}), ` +
        `so it routes on ${built} s only; asked for ${seconds === null ? 'full routing' : `${seconds} s`}. ` +
        `Rebuild with early_route_seconds: ${seconds === null ? 'null' : seconds} for that`,
      { source, code: 'E_EARLY_ROUTE_MISMATCH' },
    );
  }
  if (built === null && seconds !== null) {
    return {
      seconds,
      warning: `early routing on ${seconds} s with a selector trained on whole utterances; rebuild with early_route_seconds: ${seconds} for a selector trained on what it will see`,
    };
  }
  return { seconds };
}

/**
 * The domain gate's floor for a request (see `Ensemble.domainGateMinProbability`): `requested`, else the gate's
 * default, else `EARLY_ROUTE_DEFAULTS.domainGateMinProb`. `hasGate`: the ensemble has `domain-gate.json`.
 */
export function resolveDomainGateMinProb(gateDefault: number | null, hasGate: boolean, requested: number | undefined, source?: string): number {
  if (requested !== undefined && !(typeof requested === 'number' && Number.isFinite(requested) && requested >= 0)) {
    throw new UserError(`domain gate floor must be a number ≥ 0 (0 = off), got ${requested}`, { code: 'E_OPTIONS' });
  }
  const p = requested ?? gateDefault ?? EARLY_ROUTE_DEFAULTS.domainGateMinProb;
  if (p > 0 && !hasGate) {
    throw new UserError(
      `this ensemble has no domain gate (${DOMAIN_GATE_FILE}); add one with \`ensemble build CONFIG --domain-gate-only\` or set domain_gate: true in the YAML and rebuild`,
      { source, code: 'E_NO_DOMAIN_GATE' },
    );
  }
  return p;
}

/** Default beam width for LM decoding (pyctcdecode's). */
export const DEFAULT_BEAM = DECODING_DEFAULTS.beamWidth;

export class Ensemble {
  private readonly lms = new Map<number, Promise<LanguageModelScorer>>();
  private readonly active = new Set<Promise<LongFormResult>>();
  private disposed = false;

  private constructor(
    readonly dir: string,
    readonly json: EnsembleJson,
    readonly selector: Selector,
    private readonly models: readonly CtcModel[],
    private readonly loadLm: (file: string) => Promise<LanguageModelScorer>,
    /** `domain-gate.json` when the ensemble has one (ensemble/domain-gate.ts). */
    readonly domainGate: DomainGate | null = null,
  ) {}

  static async load(dir: string, options: EnsembleLoadOptions = {}): Promise<Ensemble> {
    const { json, selector } = await readEnsembleJson(dir);
    if (options.checks !== false) await checkEnsembleFiles(dir, options.checks ?? {});
    const load = options.loadModel ?? ((d: string) => loadCtcModel(d));
    const settled = await Promise.allSettled(json.models.map((m) => load(resolveFrom(dir, m.path))));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.dispose().catch(() => undefined) : undefined)));
      throw failed.reason;
    }
    const models = settled.map((s) => (s as PromiseFulfilledResult<CtcModel>).value);
    models.forEach((m, i) => {
      const want = json.models[i];
      if (m.vocabSize !== want.vocabSize || m.blankId !== want.blankId) {
        throw new UserError(
          `model "${want.name}" (${m.dir}) has vocabulary size ${m.vocabSize} / blank ${m.blankId}, but the ensemble was built with ${want.vocabSize} / ${want.blankId}; rebuild the ensemble`,
          { source: dir, code: 'E_ENSEMBLE_MODEL_CHANGED' },
        );
      }
    });
    let gate: DomainGate | null;
    try {
      gate = await DomainGate.read(
        dir,
        json.models.map((m) => m.name),
      );
    } catch (e) {
      await Promise.all(models.map((m) => m.dispose().catch(() => undefined)));
      throw e;
    }
    const e = new Ensemble(dir, json, selector, models, options.loadLm ?? ((f) => loadLanguageModel(f)), gate);
    if (options.preloadLms) await Promise.all(json.models.map((m, i) => (m.lm ? e.lmOf(i) : null)));
    return e;
  }

  /** Member names in selector column order. */
  get names(): string[] {
    return this.json.models.map((m) => m.name);
  }

  get confidenceSpec(): ConfidenceSpec {
    return { ...this.json.confidence };
  }

  get temperature(): number {
    return this.json.temperature;
  }

  /** What routes requests and how well it did when it was built (GET /v1/models). */
  describe(): EnsembleSummary {
    const g = this.domainGate;
    return summarizeEnsemble(this.json, g ? { defaultMinProbability: g.defaultMinProbability, defaultPrune: g.defaultPrune } : null);
  }

  members(): EnsembleMemberInfo[] {
    return this.json.models.map((m, i) => ({
      name: m.name,
      layout: this.models[i].layout,
      vocabSize: this.models[i].vocabSize,
      blankId: this.models[i].blankId,
      vocabulary: this.models[i].vocabulary,
      lm: m.lm ? { path: resolveFrom(this.dir, m.lm.path), alpha: m.lm.alpha, beta: m.lm.beta } : null,
      domainGateVerifyFloor: this.domainGate ? this.domainGate.verifyFloor(i) : null,
    }));
  }

  /** The member's LM, loaded once on first use and shared by all requests. */
  lmOf(index: number): Promise<LanguageModelScorer> {
    const m = this.json.models[index];
    if (!m?.lm) throw new UserError(`member "${m?.name ?? index}" has no LM`, { code: 'E_NO_LM' });
    let p = this.lms.get(index);
    if (!p) {
      p = this.loadLm(resolveFrom(this.dir, m.lm.path)).catch((e: unknown) => {
        // E_LM_LOAD: the server answers 500 (its fault, not the request's) without the path.
        throw new UserError(`member "${m.name}": its language model could not be loaded: ${(e as Error)?.message ?? String(e)}`, {
          code: 'E_LM_LOAD',
          cause: e,
        });
      });
      this.lms.set(index, p);
      p.catch(() => this.lms.delete(index)); // a failed load is retried by the next request
    }
    return p;
  }

  /**
   * The early-routing prefix a request uses (null: full routing) and, when the selector was not trained for it, a
   * warning. `requested` undefined: the ensemble's own `early_route_seconds`; 0: full routing. A selector built
   * with `early_route_seconds` X saw confidences of X-second prefixes only, so any other setting is a UserError;
   * one built on whole utterances can route on a prefix, with a warning (its confidences are of another kind).
   */
  earlyRoute(requested?: number): { seconds: number | null; warning?: string } {
    return resolveEarlyRoute(this.json.earlyRouteSeconds ?? null, requested, this.dir);
  }

  /**
   * The cascade's probability floor a request uses (`TranscribeOptions.earlyRouteMinProb`; undefined: the
   * ensemble's `early_route_min_prob`, else `EARLY_ROUTE_DEFAULTS.minProbability`). A UserError outside [0, 1].
   */
  earlyRouteMinProbability(requested?: number): number {
    if (requested !== undefined && !(Number.isFinite(requested) && requested >= 0 && requested <= 1)) {
      throw new UserError(`early route minimum probability must be a number from 0 to 1, got ${requested}`, { code: 'E_OPTIONS' });
    }
    return requested ?? this.json.earlyRouteMinProb ?? EARLY_ROUTE_DEFAULTS.minProbability;
  }

  /**
   * The domain gate's floor a request uses (`TranscribeOptions.domainGateMinProb`; undefined: the gate's
   * `defaultMinProbability`, else `EARLY_ROUTE_DEFAULTS.domainGateMinProb`; 0 = off). A UserError for a value that
   * is not a number ≥ 0, and for a floor above 0 when the ensemble has no gate.
   */
  domainGateMinProbability(requested?: number): number {
    return resolveDomainGateMinProb(this.domainGate?.defaultMinProbability ?? null, this.domainGate !== null, requested, this.dir);
  }

  /**
   * The domain gate's pruning threshold a request uses (`TranscribeOptions.domainGatePrune`; undefined: the gate's
   * `defaultPrune`, else 0 = off). A UserError outside [0, 1).
   */
  domainGatePruneThreshold(requested?: number): number {
    if (requested !== undefined && !(typeof requested === 'number' && Number.isFinite(requested) && requested >= 0 && requested < 1)) {
      throw new UserError(`domain gate pruning threshold must be a number from 0 to below 1 (0 = off), got ${requested}`, { code: 'E_OPTIONS' });
    }
    return requested ?? this.domainGate?.defaultPrune ?? EARLY_ROUTE_DEFAULTS.domainGatePrune;
  }

  /**
   * The selector's choice among `candidates` (member indices) when only they ran: the other members' columns are
   * set to the training mean (standardised 0, the selector's least informative value) and the highest decision
   * value among the candidates wins. `conf` and `counts` hold values for the candidates (others are ignored).
   */
  selectAmong(
    candidates: readonly number[],
    conf: readonly number[],
    features: SelectorFeatureAccumulator | null,
  ): { modelIndex: number; probabilities: Record<string, number>; confidences: Record<string, number> } {
    const row = features ? features.row(conf) : [...conf];
    const names = this.names;
    const columns = this.selector.features?.names ?? names.map((n) => `confidence:${n}`);
    const out = new Set(names.filter((_, i) => !candidates.includes(i)));
    columns.forEach((c, j) => {
      const member = c.startsWith('acoustic:') ? null : c.slice(c.indexOf(':') + 1);
      if (member !== null && out.has(member)) row[j] = this.selector.mean[j];
    });
    const d = this.selector.decisionFunction([row])[0];
    const proba = this.selector.predictProba([row])[0];
    const col = (i: number): number => this.selector.classes.indexOf(i);
    // Two classes: one decision value d (> 0 → classes[1]).
    const score = (i: number): number => (d.length === 1 ? (col(i) === 1 ? d[0] : -d[0]) : (d[col(i)] ?? -Infinity));
    const modelIndex = candidates.reduce((b, i) => (score(i) > score(b) ? i : b), candidates[0]);
    const probabilities: Record<string, number> = {};
    const confidences: Record<string, number> = {};
    names.forEach((n, i) => {
      probabilities[n] = col(i) >= 0 ? proba[col(i)] : 0;
      if (candidates.includes(i)) confidences[n] = conf[i];
    });
    return { modelIndex, probabilities, confidences };
  }

  /** The loaded model of member `index` (long-form decoding needs its frame rate and vocabulary). */
  memberModel(index: number): CtcModel {
    const m = this.models[index];
    if (!m) throw new RangeError(`no member ${index}`);
    return m;
  }

  /**
   * The shortest input every member accepts, in seconds (the largest receptive field); shorter audio is
   * refused with "too short" rather than failing inside ONNX Runtime.
   */
  minSeconds(): number {
    return shortestInputSeconds(this.models);
  }

  /** A `UserError` when `samples` at `rate` is shorter than some member accepts. */
  checkLength(samples: number, rate: number, source?: string): void {
    const min = this.minSeconds();
    if (samples / rate < min) {
      const ms = (x: number): string => String(Math.round(x * 10000) / 10);
      throw new UserError(`too short: ${ms(samples / rate)} ms, the minimum is ${ms(min)} ms`, { source, code: 'E_TOO_SHORT' });
    }
  }

  /**
   * For a selector that reads more than the confidences (`selector.features`): an accumulator of its other
   * inputs for one routing decision (an utterance, a file, or a segment); null for NeMo's selector.
   */
  selectorFeatures(): SelectorFeatureAccumulator | null {
    const f = this.selector.features;
    return f && hasExtraFeatures(f.groups) ? new SelectorFeatureAccumulator(f.groups, this.models.length) : null;
  }

  /** Adds one segment (its audio and every member's posteriors, in member order) to `acc`. */
  addSelectorFeatures(acc: SelectorFeatureAccumulator | null, audio: DecodedAudio, lps: readonly Logprobs[]): void {
    if (!acc) return;
    const counts = lps.map((lp, i) => posteriorCounts(lp, this.models[i].blankId));
    acc.add(audio.seconds, counts, acc.needsAudio ? audio.at(ACOUSTIC_SUMMARY.sampleRate) : undefined, audio.acousticLogMel ?? undefined);
  }

  /** As `addSelectorFeatures` for a whole input whose acoustic summary is known (`acoustic`: of these very samples). */
  addSelectorFeaturesWhole(acc: SelectorFeatureAccumulator | null, audio: DecodedAudio, lps: readonly Logprobs[], acoustic: readonly number[]): void {
    if (!acc) return;
    acc.addWhole(
      audio.seconds,
      lps.map((lp, i) => posteriorCounts(lp, this.models[i].blankId)),
      acoustic,
    );
  }

  /**
   * Every member's posteriors and confidence on one segment (`audio`), and its selector inputs added to `acc` (as
   * `posteriors` + `computeConfidence` + `addSelectorFeatures`, or `addSelectorFeaturesWhole` with `acoustic`), with
   * the work overlapped: each member's confidence and counts are computed as its posteriors arrive and the acoustic
   * summary once the front ends exist, so with members on worker threads this thread works while they run instead of
   * after the last one (members in this thread are scored after the last one, as before). The same numbers whichever
   * member finishes first. `scoringMs`: this thread's time on the confidences and selector inputs.
   */
  async scoreMembers(
    audio: DecodedAudio,
    acc: SelectorFeatureAccumulator | null,
    timings?: RunTimings,
    acoustic?: readonly number[],
  ): Promise<{ lps: Logprobs[]; conf: number[]; scoringMs: number }> {
    const all = this.models.map((_, i) => i);
    const spec = this.json.confidence;
    const conf = new Array<number>(all.length);
    const counts = acc ? new Array<PosteriorCounts>(all.length) : null;
    let scoringMs = 0;
    const score = (i: number, lp: Logprobs): void => {
      const t = performance.now();
      conf[i] = computeConfidence(lp.data, lp.frames, lp.vocabSize, this.models[i].blankId, spec);
      if (counts) counts[i] = posteriorCounts(lp, this.models[i].blankId);
      scoringMs += performance.now() - t;
    };
    if (!this.models.some((m) => m.frontEndOffThread)) {
      // Members in this thread: nothing runs while this thread works, and work between their runs made the
      // request 2 % slower in CPU (`npm run bench -- runtime`, BENCH_BASE): score after the last one.
      const lps = await runMembers(this.models, all, audio, this.json.temperature, timings);
      lps.forEach((lp, i) => score(i, lp));
      const t = performance.now();
      if (acc && counts) {
        if (acoustic) acc.addWhole(audio.seconds, counts, acoustic);
        else acc.add(audio.seconds, counts, acc.needsAudio ? audio.at(ACOUSTIC_SUMMARY.sampleRate) : undefined, audio.acousticLogMel ?? undefined);
      }
      return { lps, conf, scoringMs: scoringMs + performance.now() - t };
    }
    const pending = runMembers(this.models, all, audio, this.json.temperature, timings, undefined, score);
    const t = performance.now();
    try {
      // The front ends ran before runMembers returned: the summary reads their frames while the members run.
      if (acc && !acoustic) acc.addAudio(acc.needsAudio ? audio.at(ACOUSTIC_SUMMARY.sampleRate) : undefined, audio.acousticLogMel ?? undefined);
    } catch (e) {
      pending.catch(() => undefined);
      throw e;
    }
    scoringMs += performance.now() - t;
    const lps = await pending;
    if (acc && counts) {
      if (acoustic) acc.addWhole(audio.seconds, counts, acoustic);
      else acc.addMemberCounts(audio.seconds, counts);
    }
    return { lps, conf, scoringMs };
  }

  /**
   * The selector's choice for one set of member confidences (in member order) and, for a selector with
   * `features`, the accumulator of its other inputs over the same audio.
   */
  select(
    conf: readonly number[],
    features: SelectorFeatureAccumulator | null = null,
  ): { modelIndex: number; probabilities: Record<string, number>; confidences: Record<string, number> } {
    const row = features ? features.row(conf) : [...conf];
    if (row.length !== this.selector.numFeatures) {
      throw new UserError(
        `this ensemble's selector reads ${this.selector.numFeatures} values (${this.selector.features?.groups.join(', ') ?? 'confidence'}), ` +
          `but ${row.length} were computed; the runtime did not provide its features`,
        { source: this.dir, code: 'E_SELECTOR_FEATURES' },
      );
    }
    // Classes are the member indices (NeMo labels datasets 0..M−1).
    const modelIndex = this.selector.predict([row])[0];
    const proba = this.selector.predictProba([row])[0];
    const probabilities: Record<string, number> = {};
    const confidences: Record<string, number> = {};
    this.names.forEach((n, i) => {
      confidences[n] = conf[i];
      const col = this.selector.classes.indexOf(i);
      probabilities[n] = col >= 0 ? proba[col] : 0;
    });
    return { modelIndex, probabilities, confidences };
  }

  /**
   * Like `memberText`, with the token ids and the frame span of each token, for timestamps: greedy gives
   * each token's run of argmax frames; beam search the frame at which the token entered the best beam
   * (its span is that one frame).
   */
  async memberTokens(
    index: number,
    lp: Logprobs,
    options: { lm?: boolean; beam?: number } = {},
  ): Promise<{ text: string; tokens: number[]; firstFrames: number[]; lastFrames: number[]; decoding: 'lm' | 'greedy' }> {
    const model = this.models[index];
    const lmCfg = this.json.models[index].lm;
    if (options.lm && lmCfg) {
      const lm = await this.lmOf(index);
      const beam = decodeBeamWithLm(lp, model.vocabulary, model.blankId, lm, {
        alpha: lmCfg.alpha,
        beta: lmCfg.beta,
        beamWidth: options.beam ?? DEFAULT_BEAM,
        lowerCase: model.tokenizer.lowerCase,
      });
      const frames = beam?.tokenFrames ?? [];
      return { text: beam?.text ?? '', tokens: beam?.tokens ?? [], firstFrames: frames, lastFrames: frames, decoding: 'lm' };
    }
    const ids = argmaxPerFrame(lp);
    const tokens: number[] = [];
    const firstFrames: number[] = [];
    const lastFrames: number[] = [];
    let prev = -1;
    for (let t = 0; t < ids.length; t++) {
      const id = ids[t];
      if (id !== model.blankId) {
        if (id !== prev) {
          tokens.push(id);
          firstFrames.push(t);
          lastFrames.push(t);
        } else lastFrames[lastFrames.length - 1] = t;
      }
      prev = id;
    }
    return { text: greedyDecode(lp, model.vocabulary, model.blankId, model.tokenizer), tokens, firstFrames, lastFrames, decoding: 'greedy' };
  }

  /** Member posteriors for raw input (no selection); used by tune-lm and tools. */
  async posteriors(audio: DecodedAudio, which?: number[], timings?: RunTimings): Promise<Logprobs[]> {
    const idx = which ?? this.models.map((_, i) => i);
    return runMembers(this.models, idx, audio, this.json.temperature, timings);
  }

  /** Transcript of one member's posteriors: greedy, or beam search with its LM and weights. */
  async memberText(index: number, lp: Logprobs, options: { lm?: boolean; beam?: number; alpha?: number; beta?: number } = {}): Promise<string> {
    const model = this.models[index];
    const lmCfg = this.json.models[index].lm;
    if (options.lm && lmCfg) {
      const lm = await this.lmOf(index);
      return decodeWithLm(lp, model.vocabulary, model.blankId, lm, {
        alpha: options.alpha ?? lmCfg.alpha,
        beta: options.beta ?? lmCfg.beta,
        beamWidth: options.beam ?? DEFAULT_BEAM,
        lowerCase: model.tokenizer.lowerCase,
      });
    }
    return greedyDecode(lp, model.vocabulary, model.blankId, model.tokenizer);
  }

  /**
   * Transcribe a file, encoded bytes or samples of any length: speech segments through the members one
   * at a time, routed per file (default) or per segment (`LongFormTranscriber`). Audio within the
   * maximum segment length is one segment, so a short utterance gets the classic single decision.
   */
  async transcribe(audio: Float32Array | Uint8Array | string, options: LongFormOptions = {}): Promise<LongFormResult> {
    if (this.disposed) throw new Error('the ensemble was disposed');
    const run = this.transcribeNow(audio, options);
    this.active.add(run);
    run.then(
      () => this.active.delete(run),
      () => this.active.delete(run),
    );
    return run;
  }

  private transcribeNow(audio: Float32Array | Uint8Array | string, options: LongFormOptions): Promise<LongFormResult> {
    const gate = this.domainGateMinProbability(options.domainGateMinProb);
    if (gate > 0) return this.transcribeGated(audio, options, gate);
    if (this.domainGatePruneThreshold(options.domainGatePrune) > 0 && options.domainGatePrune !== undefined) {
      throw new UserError('domain gate pruning needs the gate: give a floor too (--domain-gate P; above 1 to prune without gating)', { code: 'E_OPTIONS' });
    }
    const early = this.earlyRoute(options.earlyRouteSeconds).seconds;
    const minProb = this.earlyRouteMinProbability(options.earlyRouteMinProb);
    // A floor of 1 trusts no prefix: full routing from the start (no prefix pass wasted).
    if (early === null || minProb >= 1) return new LongFormTranscriber(this).transcribe(audio, options);
    return this.transcribeEarlyRouted(audio, options, early, minProb);
  }

  /**
   * The domain gate (beyond NeMo, ensemble/domain-gate.ts) in front of the configured path: the whole input's
   * acoustic summary names a member; at or above the floor only that member runs, on the whole input (one segment,
   * without word timings, as early routing); below it, or for audio beyond the maximum segment length, the input
   * goes the way it goes without the gate (the same call with the gate off: same result, plus `domainGate`).
   */
  private async transcribeGated(audio: Float32Array | Uint8Array | string, options: LongFormOptions, minProb: number): Promise<LongFormResult> {
    if (options.beam !== undefined && (!Number.isInteger(options.beam) || options.beam < 1)) {
      throw new UserError(`beam must be a positive integer, got ${options.beam}`, { code: 'E_OPTIONS' });
    }
    const gate = this.domainGate!;
    const t0 = performance.now();
    const maxSeconds = options.vad?.maxSegmentSeconds ?? VAD_DEFAULTS.maxSegmentSeconds;
    // Read at most just past the longest input the gate routes (a long recording is never held whole here).
    const decoded =
      audio instanceof Float32Array ? await DecodedAudio.from(audio, options.source, options.sampleRate ?? 16000) : await readSpan(audio, options, maxSeconds);
    const span = (options.offsetSeconds ?? 0) !== 0 || options.durationSeconds !== undefined;
    const fallback = async (domainGate: NonNullable<LongFormResult['domainGate']>, gateMs: number, acoustic?: number[]): Promise<LongFormResult> => {
      const spent = performance.now() - t0;
      const rest: LongFormOptions = { ...options, domainGateMinProb: 0, domainGatePrune: 0 };
      // A whole input read here goes on as these samples, with the gate's summary for the selector and its decoded audio
      // (resampled copies, front-end features, acoustic frames: not computed twice);
      // a manifest span goes on as it came (its reader applies the span).
      const r =
        acoustic && !span
          ? await this.transcribeNow(decoded.mono, {
              ...rest,
              sampleRate: decoded.sampleRate,
              source: options.source ?? (typeof audio === 'string' ? audio : undefined),
              acousticSummary: acoustic,
              wholeAudio: decoded,
            })
          : await this.transcribeNow(audio, rest);
      r.domainGate = domainGate;
      r.timingsMs.gate = gateMs;
      r.timingsMs.total = (r.timingsMs.total ?? 0) + spent;
      return r;
    };
    if (decoded.seconds > maxSeconds) return fallback({ minProbability: minProb, gated: false, passed: 'long', ran: [...this.names] }, 0);
    // One mel computation for the gate's summary and the members on that front end (en/vi in the demo).
    const tFrames = performance.now();
    keepAcousticFrames(this.models, decoded);
    const framesMs = performance.now() - tFrames;
    const decision = gate.decide(decoded.at(ACOUSTIC_SUMMARY.sampleRate), decoded.acousticLogMel);
    const d = { ...decision, ms: decision.ms + framesMs };
    const names = this.names;
    const all = this.models.map((_, i) => i);
    // Pruning: members the gate gives less than `prune` do not run (the gate's own member always does).
    const prune = this.domainGatePruneThreshold(options.domainGatePrune);
    const candidates = all.filter((i) => i === d.modelIndex || d.probabilities[names[i]] >= prune);
    const gated = d.probability >= minProb || (prune > 0 && candidates.length === 1);
    if (!gated && (prune === 0 || candidates.length === all.length)) {
      return fallback(
        { minProbability: minProb, gated: false, member: names[d.modelIndex], probability: d.probability, passed: 'low-probability', ran: [...names] },
        d.ms,
        d.acoustic,
      );
    }
    this.checkLength(decoded.mono.length, decoded.sampleRate, options.source);
    const chosenByGate = d.modelIndex;
    const ran = gated ? [chosenByGate] : candidates;
    const which = options.all ? all : ran;
    const timings: RunTimings = { resample: 0, features: 0, models: 0 };
    const t1 = performance.now();
    const lps = await runMembers(this.models, which, decoded, this.json.temperature, timings);
    const t2 = performance.now();
    const spec = this.json.confidence;
    let confidences: Record<string, number> = {};
    const conf = all.map(() => 0);
    which.forEach((i, j) => (conf[i] = computeConfidence(lps[j].data, lps[j].frames, lps[j].vocabSize, this.models[i].blankId, spec)));
    for (const i of ran) confidences[names[i]] = conf[i];
    // Verification: a gated member whose own confidence falls below the gate's floor for it (a confidence only a
    // small share of other domains' dev inputs reach) hands the input on to the fallback, as a low-probability
    // input would go.
    const floor = gated && options.domainGateVerify !== false ? gate.verifyFloor(chosenByGate) : null;
    if (floor !== null && conf[chosenByGate] < floor) {
      // The members that ran are not run again by the fallback (same samples, same temperature).
      which.forEach((i, j) => decoded.posteriors.set(this.models[i], { temperature: this.json.temperature, logprobs: lps[j] }));
      return fallback(
        {
          minProbability: minProb,
          gated: false,
          member: names[chosenByGate],
          probability: d.probability,
          passed: 'verify',
          confidence: conf[chosenByGate],
          floor,
          ran: [...names],
        },
        d.ms + (performance.now() - t1),
        d.acoustic,
      );
    }
    let chosen = chosenByGate;
    let probabilities = d.probabilities;
    const t3 = performance.now();
    if (!gated) {
      // The selector among the members that ran, on the whole input (their features; the others' at the training mean).
      const features = this.selectorFeatures();
      if (features) {
        const zero = { frames: 0, tokens: 0, spanFrames: 0, spanBlankFrames: 0 };
        const counts = all.map((i) => (which.includes(i) ? posteriorCounts(lps[which.indexOf(i)], this.models[i].blankId) : zero));
        // The gate's summary is of these very samples: the selector's acoustic inputs, not computed twice.
        features.addWhole(decoded.seconds, counts, d.acoustic);
      }
      const sel = this.selectAmong(ran, conf, features);
      ({ modelIndex: chosen, probabilities, confidences } = sel);
    }
    const t3b = performance.now();
    const useLm = options.lm === true;
    const texts = await Promise.all(which.map((i, j) => (options.all || i === chosen ? this.memberText(i, lps[j], { lm: useLm, beam: options.beam }) : '')));
    const text = texts[which.indexOf(chosen)];
    const t4 = performance.now();
    const result = wholeInputResult({
      text,
      modelIndex: chosen,
      model: names[chosen],
      probabilities,
      confidences,
      decoding: useLm && this.json.models[chosen].lm ? 'lm' : 'greedy',
      seconds: decoded.seconds,
      timingsMs: {
        decode: t1 - t0 - d.ms + timings.resample,
        features: timings.features,
        models: timings.models,
        confidence: t3 - t2,
        selector: t3b - t3,
        gate: d.ms,
        lm: t4 - t3b,
        total: t4 - t0,
      },
    });
    result.domainGate = gated
      ? { minProbability: minProb, gated: true, member: names[chosen], probability: d.probability, ran: [names[chosen]] }
      : {
          minProbability: minProb,
          gated: false,
          member: names[chosenByGate],
          probability: d.probability,
          passed: 'low-probability',
          prune,
          ran: ran.map((i) => names[i]),
        };
    if (options.all) result.transcripts = which.map((i, j) => ({ model: names[i], text: texts[j] }));
    return result;
  }

  /**
   * Early routing (beyond NeMo) of one utterance: every member on the first `route` seconds, the selector's choice,
   * then only the chosen member on the whole input. For utterances up to the maximum segment length; long-form
   * audio is routed per file or per segment instead (a UserError says so). The result has one segment, without
   * word timings.
   *
   * With a floor `minProb` > 0 it is a cascade: an input whose prefix leaves the selector's top probability below
   * the floor escalates to full routing (the prefix pass is then wasted: M·(S + L) member seconds), and an input no
   * longer than S·M/(M−1) is routed fully from the start (there M·S + L ≥ M·L). Floor 0 is plain early routing.
   */
  private async transcribeEarlyRouted(
    audio: Float32Array | Uint8Array | string,
    options: LongFormOptions,
    route: number,
    minProb: number,
  ): Promise<LongFormResult> {
    if (options.beam !== undefined && (!Number.isInteger(options.beam) || options.beam < 1)) {
      throw new UserError(`beam must be a positive integer, got ${options.beam}`, { code: 'E_OPTIONS' });
    }
    const t0 = performance.now();
    const maxSeconds = options.vad?.maxSegmentSeconds ?? VAD_DEFAULTS.maxSegmentSeconds;
    // Files, bytes and manifest spans (NeMo offset/duration, which the stream reader applies) are read at most just past
    // the maximum segment: a longer input is segmented and early-routed segment by segment (`earlyRouteLong`), never
    // held whole.
    const span = (options.offsetSeconds ?? 0) !== 0 || options.durationSeconds !== undefined;
    const decoded =
      audio instanceof Float32Array ? await DecodedAudio.from(audio, options.source, options.sampleRate ?? 16000) : await readSpan(audio, options, maxSeconds);
    if (decoded.seconds > maxSeconds) {
      return new LongFormTranscriber(this).transcribe(audio, { ...options, earlyRouteLong: { seconds: route, minProbability: minProb } });
    }
    // A prefix as long as the input is full routing: the ordinary path, exactly.
    const routeFully = (): Promise<LongFormResult> =>
      span
        ? new LongFormTranscriber(this).transcribe(audio, options)
        : new LongFormTranscriber(this).transcribe(decoded.mono, { ...options, sampleRate: decoded.sampleRate });
    if (decoded.seconds <= route) return routeFully();
    const M = this.models.length;
    const cascade = minProb > 0;
    const fullRouting = async (escalated: 'short' | 'low-probability', prefixProbability?: number, prefixTimings?: RunTimings): Promise<LongFormResult> => {
      const r = await routeFully();
      if (prefixTimings) {
        // The wasted prefix pass is part of what this input cost.
        r.timingsMs.features = (r.timingsMs.features ?? 0) + prefixTimings.features;
        r.timingsMs.models = (r.timingsMs.models ?? 0) + prefixTimings.models;
        r.timingsMs.prefixModels = prefixTimings.models;
        r.timingsMs.total = performance.now() - t0;
      }
      r.earlyRoute = { seconds: route, minProbability: minProb, escalated, ...(prefixProbability !== undefined ? { prefixProbability } : {}) };
      return r;
    };
    // The cascade's length rule: up to S·M/(M−1) early routing (M·S + L) costs at least full routing (M·L).
    if (cascade && M * decoded.seconds <= route * M + decoded.seconds) return fullRouting('short');
    this.checkLength(decoded.mono.length, decoded.sampleRate, options.source);
    const t1 = performance.now();
    const timings: RunTimings = { resample: 0, features: 0, models: 0 };
    const all = this.models.map((_, i) => i);
    // Every member on the first S seconds; the whole input only for the chosen one (below).
    const routed = decoded.prefix(Math.max(route, this.minSeconds())); // never shorter than every member accepts
    const early = routed !== decoded;
    const features = this.selectorFeatures();
    const scored = await this.scoreMembers(routed, features, timings);
    let lps = scored.lps;
    const conf = scored.conf;
    const prefixModelsMs = timings.models;
    const t3 = performance.now();
    const t2 = t3 - scored.scoringMs; // confidences and selector inputs, computed while the members ran
    const { modelIndex, probabilities, confidences } = this.select(conf, features);
    const t4 = performance.now();
    if (cascade) {
      const top = Math.max(...Object.values(probabilities));
      if (top < minProb) return fullRouting('low-probability', top, timings);
    }
    if (early) {
      const which = options.all ? all : [modelIndex];
      const full = await runMembers(this.models, which, decoded, this.json.temperature, timings);
      lps = all.map((i) => full[which.indexOf(i)] ?? lps[i]);
    }
    const t4b = performance.now();
    const names = this.names;
    const useLm = options.lm === true;
    let text: string;
    let transcripts: MemberTranscript[] | undefined;
    if (options.all) {
      const texts = await Promise.all(lps.map((lp, i) => this.memberText(i, lp, { lm: useLm, beam: options.beam })));
      transcripts = texts.map((t, i) => ({ model: names[i], text: t }));
      text = texts[modelIndex];
    } else {
      text = await this.memberText(modelIndex, lps[modelIndex], { lm: useLm, beam: options.beam });
    }
    const t5 = performance.now();
    const result = wholeInputResult({
      text,
      modelIndex,
      model: names[modelIndex],
      probabilities,
      confidences,
      decoding: useLm && this.json.models[modelIndex].lm ? 'lm' : 'greedy',
      seconds: decoded.seconds,
      timingsMs: {
        decode: t1 - t0 + timings.resample,
        features: timings.features,
        models: timings.models,
        confidence: t3 - t2,
        selector: t4 - t3,
        lm: t5 - t4b,
        total: t5 - t0,
        prefixModels: prefixModelsMs,
      },
    });
    result.earlyRoute = cascade ? { seconds: route, minProbability: minProb } : { seconds: route };
    if (transcripts) result.transcripts = transcripts;
    return result;
  }

  /** Release the models once the transcriptions in progress have ended (never under a running session). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.allSettled([...this.active]);
    await Promise.all(this.models.map((m) => m.dispose().catch(() => undefined)));
  }
}

/** One utterance routed as a whole (early routing, the domain gate): one segment, without word timings. */
function wholeInputResult(r: {
  text: string;
  model: string;
  modelIndex: number;
  probabilities: Record<string, number>;
  confidences: Record<string, number>;
  decoding: SegmentResult['decoding'];
  seconds: number;
  timingsMs: LongFormResult['timingsMs'];
}): LongFormResult {
  const { text, model, modelIndex, probabilities, confidences, decoding } = r;
  const segment: SegmentResult = { index: 0, start: 0, end: r.seconds, text, model, modelIndex, probabilities, confidences, decoding, words: [] };
  return { text, model, modelIndex, probabilities, confidences, audioSeconds: r.seconds, timingsMs: r.timingsMs, decoding, route: 'file', segments: [segment] };
}
