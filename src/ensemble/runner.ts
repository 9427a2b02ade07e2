/**
 * Runs several CTC models on one utterance with the shared work done once: the audio is decoded once
 * and resampled once per distinct sample rate; the front end (mel features / wav2vec2 normalisation)
 * runs once per distinct front-end configuration when the model exposes `computeFeatures` /
 * `runFeatures`; the ONNX sessions of all members run concurrently (ONNX Runtime runs them on its own
 * threads).
 */
import { decodeAudio } from '../audio/load.js';
import { resample } from '../audio/resample.js';
import { selectChannels } from '../audio/wav.js';
import type { CtcModel, Logprobs, ModelFeatures } from '../models/types.js';

/** Decoded mono audio with per-rate resampled copies made on demand. */
export class DecodedAudio {
  private readonly byRate = new Map<number, Float32Array>();
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

  at(rate: number): Float32Array {
    let s = this.byRate.get(rate);
    if (!s) {
      s = resample(this.mono, this.sampleRate, rate);
      this.byRate.set(rate, s);
    }
    return s;
  }
}

export function frontEndKey(m: CtcModel): string {
  return JSON.stringify(m.frontEnd);
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

/**
 * Run `models[i]` for every i in `which` on `audio`; returns posteriors in `which` order.
 * `stats` (optional) is incremented.
 */
export async function runMembers(
  models: readonly CtcModel[],
  which: readonly number[],
  audio: DecodedAudio,
  temperature: number,
  timings?: RunTimings,
  stats?: RunStats,
): Promise<Logprobs[]> {
  let t0 = performance.now();
  const samplesFor = new Map<number, Float32Array>();
  for (const i of which) {
    const rate = models[i]!.frontEnd.sampleRate;
    if (!samplesFor.has(rate)) samplesFor.set(rate, audio.at(rate));
  }
  let t1 = performance.now();
  if (timings) timings.resample += t1 - t0;

  // Front ends, once per distinct configuration among the split-capable models.
  const features = new Map<string, ModelFeatures>();
  t0 = performance.now();
  for (const i of which) {
    const m = models[i]!;
    if (!m.computeFeatures || !m.runFeatures) continue;
    const key = frontEndKey(m);
    if (features.has(key)) continue;
    features.set(key, m.computeFeatures(samplesFor.get(m.frontEnd.sampleRate)!));
    if (stats) stats.frontEndPasses++;
  }
  t1 = performance.now();
  if (timings) timings.features += t1 - t0;

  t0 = performance.now();
  const out = await Promise.all(
    which.map((i) => {
      const m = models[i]!;
      if (stats) stats.modelPasses++;
      const f = features.get(frontEndKey(m));
      if (f && m.runFeatures) return m.runFeatures(f, { temperature });
      if (stats) stats.frontEndPasses++;
      return m.run(samplesFor.get(m.frontEnd.sampleRate)!, { temperature });
    }),
  );
  if (timings) timings.models += performance.now() - t0;
  return out;
}
