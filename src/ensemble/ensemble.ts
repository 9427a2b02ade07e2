/**
 * A loaded confidence ensemble (spec §2.1): every member runs on the input, each member's confidence
 * under the ensemble's spec feeds the selector, and the chosen member's transcript is returned —
 * greedy, or with `lm` decoded by prefix beam search fused with that member's n-gram LM.
 *
 * Safe for concurrent `transcribe` calls: per-request state lives in the call; models are shared
 * (ONNX Runtime sessions accept concurrent runs); LMs load once, lazily, behind a shared promise.
 */
import { computeConfidence, type ConfidenceSpec } from '../confidence/index.js';
import { decodeWithLm } from '../decoding/prefix-beam-search.js';
import { loadLanguageModel } from '../lm/index.js';
import type { LanguageModelScorer } from '../lm/types.js';
import { greedyDecode } from '../models/greedy.js';
import { loadCtcModel } from '../models/load.js';
import type { CtcModel, Logprobs } from '../models/types.js';
import type { Selector } from '../selector/index.js';
import { UserError } from '../util/errors.js';
import { readEnsembleJson, resolveFrom, type EnsembleJson } from './format.js';
import { DecodedAudio, runMembers, type RunTimings } from './runner.js';
import type { EnsembleMemberInfo, EnsembleResult, MemberTranscript, TranscribeOptions } from './types.js';

export interface EnsembleLoadOptions {
  /** Model loader (tests inject counting wrappers). */
  loadModel?: (dir: string) => Promise<CtcModel>;
  /** Load every member's LM now instead of on first use. */
  preloadLms?: boolean;
  /** LM loader by resolved path (worker threads pass one that uses LMs shared by the pool). */
  loadLm?: (file: string) => Promise<LanguageModelScorer>;
}

/** Default beam width for LM decoding (pyctcdecode's). */
export const DEFAULT_BEAM = 100;

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
    const e = new Ensemble(dir, json, selector, models, options.loadLm ?? ((f) => loadLanguageModel(f)));
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

  /** Member posteriors for raw input (no selection); used by tune-lm and tools. */
  async posteriors(audio: DecodedAudio, which?: number[]): Promise<Logprobs[]> {
    const idx = which ?? this.models.map((_, i) => i);
    return runMembers(this.models, idx, audio, this.json.temperature);
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

  async transcribe(audio: Float32Array | Uint8Array | string, options: TranscribeOptions = {}): Promise<EnsembleResult> {
    if (this.disposed) throw new Error('the ensemble was disposed');
    if (options.beam !== undefined && (!Number.isInteger(options.beam) || options.beam < 1)) {
      throw new UserError(`beam must be a positive integer, got ${options.beam}`, { code: 'E_OPTIONS' });
    }
    const t0 = performance.now();
    const decoded = await DecodedAudio.from(audio, options.source, options.sampleRate ?? 16000);
    const t1 = performance.now();
    const timings: RunTimings = { resample: 0, features: 0, models: 0 };
    const lps = await runMembers(this.models, this.models.map((_, i) => i), decoded, this.json.temperature, timings);
    const t2 = performance.now();
    const spec = this.json.confidence;
    const conf = lps.map((lp, i) => computeConfidence(lp.data, lp.frames, lp.vocabSize, this.models[i]!.blankId, spec));
    const t3 = performance.now();
    const chosenClass = this.selector.predict([conf])[0]!;
    const proba = this.selector.predictProba([conf])[0]!;
    const t4 = performance.now();
    // Classes are the member indices (NeMo labels datasets 0..M−1).
    const modelIndex = chosenClass;
    const names = this.names;
    const useLm = options.lm === true;
    let text: string;
    let transcripts: MemberTranscript[] | undefined;
    if (options.all) {
      const texts = await Promise.all(lps.map((lp, i) => this.memberText(i, lp, { lm: useLm, beam: options.beam })));
      transcripts = texts.map((t, i) => ({ model: names[i]!, text: t }));
      text = texts[modelIndex]!;
    } else {
      text = await this.memberText(modelIndex, lps[modelIndex]!, { lm: useLm, beam: options.beam });
    }
    const t5 = performance.now();
    const probabilities: Record<string, number> = {};
    const confidences: Record<string, number> = {};
    names.forEach((n, i) => {
      confidences[n] = conf[i]!;
      const col = this.selector.classes.indexOf(i);
      probabilities[n] = col >= 0 ? proba[col]! : 0;
    });
    const result: EnsembleResult = {
      text,
      model: names[modelIndex]!,
      modelIndex,
      probabilities,
      confidences,
      audioSeconds: decoded.seconds,
      timingsMs: {
        decode: t1 - t0 + timings.resample,
        features: timings.features,
        models: timings.models,
        confidence: t3 - t2,
        selector: t4 - t3,
        lm: t5 - t4,
        total: t5 - t0,
      },
      decoding: useLm && this.json.models[modelIndex]!.lm ? 'lm' : 'greedy',
    };
    if (transcripts) result.transcripts = transcripts;
    return result;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.models.map((m) => m.dispose().catch(() => undefined)));
  }
}
