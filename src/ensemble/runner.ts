/**
 * Runs several CTC models on one utterance with the shared work done once: the audio is decoded once
 * and resampled once per distinct sample rate; the front end (mel features / wav2vec2 normalisation)
 * runs once per distinct front-end configuration (`frontEndKey`: defaults filled in, order fixed) when the model exposes `computeFeatures` /
 * `runFeatures`; every member is started as soon as its features exist (a member alone with its front end, on a
 * worker thread that computes it, gets the samples first). In-thread ONNX sessions run one
 * after another (onnxruntime-node's `run` blocks its thread); members on worker threads
 * (`runtime/member-workers`) run at the same time.
 */
import { decodeAudio } from '../audio/load.js';
import { resample } from '../audio/resample.js';
import { selectChannels } from '../audio/wav.js';
import { sharesAcousticFrontEnd, type AcousticLogMel } from '../features/acoustic-summary.js';
import { frontEndKey } from '../features/front-end-key.js';
import { nemoMelSpectrogram } from '../features/nemo-mel.js';
import type { CtcModel, Logprobs, ModelFeatures } from '../models/types.js';

/** Decoded mono audio with per-rate resampled copies made on demand. */
export class DecodedAudio {
  private readonly byRate = new Map<number, Float32Array>();
  /**
   * The acoustic summary's log-mel frames (before normalisation) of these samples, kept by `runMembers` when a member's
   * front end computed them (`sharesAcousticFrontEnd`), so the summary needs no STFT of its own.
   */
  acousticLogMel: AcousticLogMel | null = null;
  /**
   * Front-end features of these samples computed before the members ran (by `keepAcousticFrames`, for the domain
   * gate), by `frontEndKey`: `runMembers` uses them instead of computing the front end again.
   */
  readonly features = new Map<string, ModelFeatures>();
  /**
   * Posteriors of these very samples a member already produced (the domain gate's member, before verification
   * handed the input on), with their temperature: `runMembers` returns them instead of running that member again.
   */
  readonly posteriors = new Map<CtcModel, { temperature: number; logprobs: Logprobs }>();
  constructor(
    readonly mono: Float32Array,
    readonly sampleRate: number,
  ) {
    this.byRate.set(sampleRate, mono);
  }

  /** `channelSelector`: NeMo's `channel_selector` (default null: average all channels). */
  static async from(
    input: string | Uint8Array | Float32Array,
    source?: string,
    rateOfSamples = 16000,
    channelSelector: null | 'average' | number | readonly number[] = null,
  ): Promise<DecodedAudio> {
    if (input instanceof Float32Array) return new DecodedAudio(input, rateOfSamples);
    const d = await decodeAudio(input, source);
    return new DecodedAudio(selectChannels(d.channels, channelSelector, source ?? (typeof input === 'string' ? input : '<buffer>')), d.sampleRate);
  }

  get seconds(): number {
    return this.mono.length / this.sampleRate;
  }

  /** The first `seconds` of the audio (all of it when shorter); this object itself when nothing is cut. */
  prefix(seconds: number): DecodedAudio {
    const n = Math.round(seconds * this.sampleRate);
    return n >= this.mono.length ? this : new DecodedAudio(this.mono.subarray(0, Math.max(1, n)), this.sampleRate);
  }

  at(rate: number): Float32Array {
    let s = this.byRate.get(rate);
    if (!s) {
      s = resample(this.mono, this.sampleRate, rate);
      this.byRate.set(rate, s);
    }
    return s;
  }
}

/** The shortest input every one of `models` accepts, in seconds (the largest receptive field). */
export function shortestInputSeconds(models: readonly CtcModel[]): number {
  return Math.max(0, ...models.map((m) => (m.minSamples ?? 1) / m.frontEnd.sampleRate));
}

export interface RunTimings {
  /** Resampling (ms). */
  resample: number;
  /** Front ends (ms); 0 when the models only offer `run` (then it is inside `models`). */
  features: number;
  /** Wall time of the concurrent model runs (ms). */
  models: number;
}

export interface RunStats {
  /** Model passes (ONNX runs). */
  modelPasses: number;
  /** Front-end computations. */
  frontEndPasses: number;
}

/** Front ends in the order to compute them: wav2vec2 normalisation (one pass over the samples) before mel. */
function cheapness(m: CtcModel): number {
  return m.frontEnd.kind === 'wav2vec2' ? 0 : 1;
}

/**
 * Whether the one member of a front-end group computes that front end on its own thread (`frontEndOffThread`): this
 * thread then only posts the samples. Not when the features are already here, nor when this thread needs the acoustic
 * summary's frames from that front end.
 */
function offThread(m: CtcModel, key: string, audio: DecodedAudio): boolean {
  return m.frontEndOffThread === true && !audio.features.has(key) && (audio.acousticLogMel !== null || !sharesAcousticFrontEnd(m.frontEnd));
}

/**
 * The acoustic summary's frames of `audio` through `model`'s front end, which must share them
 * (`sharesAcousticFrontEnd`): one mel computation gives the model's features and the frames before normalisation.
 */
function nemoFeaturesKeepingFrames(model: CtcModel, audio: DecodedAudio): ModelFeatures {
  const fe = model.frontEnd;
  if (fe.kind !== 'nemo') throw new Error('the acoustic summary shares only a NeMo front end');
  const samples = audio.at(fe.sampleRate);
  const m = nemoMelSpectrogram(samples, fe, { keepLogMel: true, melPower: true });
  audio.acousticLogMel = { data: m.logMel!, frames: m.frames, validFrames: m.validFrames, power: m.melPower! };
  return { kind: 'nemo', samples: samples.length, data: m.data, nMels: m.nMels, frames: m.frames, validFrames: m.validFrames };
}

/**
 * Before any member runs (the domain gate): computes the acoustic summary's frames of `audio` through the first
 * member front end that shares them and keeps that front end's features on `audio` for `runMembers`, so the
 * summary and the members that use that front end need one mel computation between them. False when no member
 * has that front end (the summary then computes it itself).
 */
export function keepAcousticFrames(models: readonly CtcModel[], audio: DecodedAudio): boolean {
  if (audio.acousticLogMel) return true;
  const m = models.find((x) => x.computeFeatures && x.runFeatures && sharesAcousticFrontEnd(x.frontEnd));
  if (!m) return false;
  audio.features.set(frontEndKey(m.frontEnd), nemoFeaturesKeepingFrames(m, audio));
  return true;
}

/**
 * Run `models[i]` for every i in `which` on `audio`; returns posteriors in `which` order.
 * `stats` (optional) is incremented. `each` (optional) is called with every member's posteriors as they arrive
 * (position in `which`, in order of completion), so per-member work overlaps the members still running on worker
 * threads. The front ends are computed before this returns its promise (nothing is awaited before them).
 */
export async function runMembers(
  models: readonly CtcModel[],
  which: readonly number[],
  audio: DecodedAudio,
  temperature: number,
  timings?: RunTimings,
  stats?: RunStats,
  each?: (position: number, lp: Logprobs) => void,
): Promise<Logprobs[]> {
  const runs: Array<Promise<Logprobs>> = new Array(which.length);
  const handOn = (pos: number, run: Promise<Logprobs>): void => {
    runs[pos] = each ? run.then((lp) => (each(pos, lp), lp)) : run;
    runs[pos].catch(() => undefined); // awaited below; a later front end may throw first
  };
  // Members whose posteriors of these samples exist already are not run (nor their audio resampled).
  const todo: number[] = [];
  which.forEach((i, pos) => {
    const done = audio.posteriors.get(models[i]);
    if (done && done.temperature === temperature) handOn(pos, Promise.resolve(done.logprobs));
    else todo.push(pos);
  });
  let t0 = performance.now();
  const samplesFor = new Map<number, Float32Array>();
  for (const pos of todo) {
    const rate = models[which[pos]].frontEnd.sampleRate;
    if (!samplesFor.has(rate)) samplesFor.set(rate, audio.at(rate));
  }
  if (timings) timings.resample += performance.now() - t0;

  // Front ends, once per distinct configuration among the split-capable models; each member starts as soon
  // as its features exist (cheap wav2vec2 normalisation first), so members on worker threads
  // (runtime/member-workers) run while the next front end is computed.
  const groups = new Map<string, number[]>(); // front-end key -> positions in `which`
  todo.forEach((pos) => {
    const m = models[which[pos]];
    const key = m.computeFeatures && m.runFeatures ? frontEndKey(m.frontEnd) : `run:${pos}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(pos);
  });
  // A member alone with its front end on a thread of its own gets the samples first (nothing to compute here).
  const alone = new Set([...groups].filter(([key, g]) => g.length === 1 && offThread(models[which[g[0]]], key, audio)).map(([key]) => key));
  const rank = (key: string, g: number[]): number => (alone.has(key) ? -1 : cheapness(models[which[g[0]]]));
  const order = [...groups.entries()].sort(([ka, a], [kb, b]) => rank(ka, a) - rank(kb, b));
  let featureMs = 0;
  const started = performance.now();
  for (const [key, positions] of order) {
    const first = models[which[positions[0]]];
    const samples = samplesFor.get(first.frontEnd.sampleRate)!;
    let f: ModelFeatures | undefined;
    if (alone.has(key)) {
      // Its front end is computed by its worker (same code, same features): below, `run` on the samples.
    } else if (first.computeFeatures && first.runFeatures) {
      t0 = performance.now();
      f = audio.features.get(key);
      if (!f) {
        // The same features as computeFeatures, plus (once) the frames before normalisation for the acoustic summary.
        f = !audio.acousticLogMel && sharesAcousticFrontEnd(first.frontEnd) ? nemoFeaturesKeepingFrames(first, audio) : first.computeFeatures(samples);
        if (stats) stats.frontEndPasses++;
      }
      featureMs += performance.now() - t0;
    }
    for (const pos of positions) {
      const m = models[which[pos]];
      if (stats) stats.modelPasses++;
      if (f && m.runFeatures) handOn(pos, m.runFeatures(f, { temperature }));
      else {
        if (stats) stats.frontEndPasses++;
        handOn(pos, m.run(samples, { temperature }));
      }
    }
  }
  if (timings) timings.features += featureMs;
  t0 = started + featureMs; // model time: the wall time of the runs beyond the front ends
  const out = await Promise.all(runs);
  if (timings) timings.models += performance.now() - t0;
  return out;
}
