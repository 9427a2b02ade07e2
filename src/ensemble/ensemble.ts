/**
 * A loaded confidence ensemble (NeMo `confidence_ensemble.py`, `ConfidenceEnsembleModel.transcribe`): every member runs on the input, each member's confidence
 * under the ensemble's spec feeds the selector, and the chosen member's transcript is returned —
 * greedy, or with `lm` decoded by prefix beam search fused with that member's n-gram LM.
 *
 * Safe for concurrent `transcribe` calls: per-request state lives in the call; models are shared
 * (ONNX Runtime sessions accept concurrent runs); LMs load once, lazily, behind a shared promise.
 */
import { DECODING_DEFAULTS } from '../defaults.js';
import { summarizeEnsemble, type EnsembleSummary } from './summary.js';
import type { ConfidenceSpec } from '../confidence/index.js';
import { decodeBeamWithLm, decodeWithLm } from '../decoding/prefix-beam-search.js';
import { loadLanguageModel } from '../lm/index.js';
import type { LanguageModelScorer } from '../lm/types.js';
import { greedyDecode } from '../decoding/greedy.js';
import { argmaxPerFrame } from '../models/greedy.js';
import { loadCtcModel } from '../models/load.js';
import type { CtcModel, Logprobs } from '../models/types.js';
import type { Selector } from '../selector/index.js';
import { UserError } from '../util/errors.js';
import { readEnsembleJson, resolveFrom, type EnsembleJson } from './format.js';
import { type DecodedAudio, runMembers, type RunTimings } from './runner.js';
import { LongFormTranscriber, type LongFormOptions, type LongFormResult } from './longform.js';
import type { EnsembleMemberInfo } from './types.js';

export interface EnsembleLoadOptions {
  /** Model loader (tests inject counting wrappers). */
  loadModel?: (dir: string) => Promise<CtcModel>;
  /** Load every member's LM now instead of on first use. */
  preloadLms?: boolean;
}

/** Default beam width for LM decoding (pyctcdecode's). */
export const DEFAULT_BEAM = DECODING_DEFAULTS.beamWidth;

export class Ensemble {
  private readonly lms = new Map<number, Promise<LanguageModelScorer>>();
  private disposed = false;

  private constructor(
    readonly dir: string,
    readonly json: EnsembleJson,
    readonly selector: Selector,
    private readonly models: readonly CtcModel[],
    private readonly loadLm: (file: string) => Promise<LanguageModelScorer>,
  ) {}

  static async load(dir: string, options: EnsembleLoadOptions = {}): Promise<Ensemble> {
    const { json, selector } = await readEnsembleJson(dir);
    const load = options.loadModel ?? ((d: string) => loadCtcModel(d));
    const settled = await Promise.allSettled(json.models.map((m) => load(resolveFrom(dir, m.path))));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.dispose().catch(() => undefined) : undefined)));
      throw failed.reason;
    }
    const models = settled.map((s) => (s as PromiseFulfilledResult<CtcModel>).value);
    models.forEach((m, i) => {
      const want = json.models[i]!;
      if (m.vocabSize !== want.vocabSize || m.blankId !== want.blankId) {
        throw new UserError(
          `model "${want.name}" (${m.dir}) has vocabulary size ${m.vocabSize} / blank ${m.blankId}, but the ensemble was built with ${want.vocabSize} / ${want.blankId}; rebuild the ensemble`,
          { source: dir, code: 'E_ENSEMBLE_MODEL_CHANGED' },
        );
      }
    });
    const e = new Ensemble(dir, json, selector, models, (f) => loadLanguageModel(f));
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
    return summarizeEnsemble(this.json);
  }

  members(): EnsembleMemberInfo[] {
    return this.json.models.map((m, i) => ({
      name: m.name,
      layout: this.models[i]!.layout,
      vocabSize: this.models[i]!.vocabSize,
      blankId: this.models[i]!.blankId,
      vocabulary: this.models[i]!.vocabulary,
      lm: m.lm ? { path: resolveFrom(this.dir, m.lm.path), alpha: m.lm.alpha, beta: m.lm.beta } : null,
    }));
  }

  /** The member's LM, loaded once on first use and shared by all requests. */
  lmOf(index: number): Promise<LanguageModelScorer> {
    const m = this.json.models[index];
    if (!m?.lm) throw new UserError(`member "${m?.name ?? index}" has no LM`, { code: 'E_NO_LM' });
    let p = this.lms.get(index);
    if (!p) {
      p = this.loadLm(resolveFrom(this.dir, m.lm.path));
      this.lms.set(index, p);
      p.catch(() => this.lms.delete(index)); // a failed load is retried by the next request
    }
    return p;
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
    return Math.max(0, ...this.models.map((m) => (m.minSamples ?? 1) / m.frontEnd.sampleRate));
  }

  /** A `UserError` when `samples` at `rate` is shorter than some member accepts. */
  checkLength(samples: number, rate: number, source?: string): void {
    const min = this.minSeconds();
    if (samples / rate < min) {
      const ms = (x: number): string => String(Math.round(x * 10000) / 10);
      throw new UserError(`too short: ${ms(samples / rate)} ms, the minimum is ${ms(min)} ms`, { source, code: 'E_TOO_SHORT' });
    }
  }

  /** The selector's choice for one set of member confidences (in member order). */
  select(conf: readonly number[]): { modelIndex: number; probabilities: Record<string, number>; confidences: Record<string, number> } {
    // Classes are the member indices (NeMo labels datasets 0..M−1).
    const modelIndex = this.selector.predict([conf as number[]])[0]!;
    const proba = this.selector.predictProba([conf as number[]])[0]!;
    const probabilities: Record<string, number> = {};
    const confidences: Record<string, number> = {};
    this.names.forEach((n, i) => {
      confidences[n] = conf[i]!;
      const col = this.selector.classes.indexOf(i);
      probabilities[n] = col >= 0 ? proba[col]! : 0;
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
    const model = this.models[index]!;
    const lmCfg = this.json.models[index]!.lm;
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
      const id = ids[t]!;
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
    const model = this.models[index]!;
    const lmCfg = this.json.models[index]!.lm;
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
    return new LongFormTranscriber(this).transcribe(audio, options);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.models.map((m) => m.dispose().catch(() => undefined)));
  }
}
