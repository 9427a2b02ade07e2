/**
 * A cheap acoustic signature of one input for the selector (beyond NeMo; `selector.features: [acoustic]`):
 * how long it is, how much energy lies above the telephone band, and the mean and spread of its log-mel
 * energies pooled into a few bands (a coarse language / channel / speaker fingerprint).
 *
 * Computed on the 16 kHz samples (the rate the members' mel front ends use, so the resampled copy is
 * shared with them). The statistics are sums, so several speech segments of one file combine into the
 * same numbers a single pass over their frames would give (`AcousticSummary.add` per segment); a short
 * input is one segment, exactly as in `ensemble build`.
 */
import { hzToMelSlaney, melToHzSlaney, nemoMelSpectrogram } from './nemo-mel.js';

/** Analysis settings of the summary; changing any changes the features (bump ACOUSTIC_SUMMARY_VERSION). */
export const ACOUSTIC_SUMMARY = Object.freeze({
  version: 1,
  sampleRate: 16000,
  bands: 10,
  windowSize: 400,
  hop: 160,
  nFft: 512,
  /** Energy at and above this frequency counts as "wideband" (telephone speech stops near 3.4–4 kHz). */
  highBandHz: 3800,
  /** Floor of the high-band share before its log10 (an 8 kHz input resampled to 16 kHz has ~0 there). */
  shareFloor: 1e-6,
  /** Added to band power before the log (the summary's own guard; inputs are float samples in [-1, 1]). */
  powerFloor: 1e-10,
});

/** Names of the values `AcousticSummary.features()` returns, in order. */
export function acousticFeatureNames(): string[] {
  const n = ACOUSTIC_SUMMARY.bands;
  return [
    'log_seconds',
    'log10_high_band_share',
    ...Array.from({ length: n }, (_, b) => `band${b}_mean_rel`),
    ...Array.from({ length: n }, (_, b) => `band${b}_std`),
  ];
}

/** Centre frequency of each summary band (Slaney mel, as the members' front ends: point b+1 of bands+2). */
function bandCentres(): number[] {
  const { bands, sampleRate } = ACOUSTIC_SUMMARY;
  const melMax = hzToMelSlaney(sampleRate / 2);
  return Array.from({ length: bands }, (_, b) => melToHzSlaney(((b + 1) * melMax) / (bands + 1)));
}

let highBands: boolean[] | null = null;

/** Accumulates the summary over one or more segments of 16 kHz samples. */
export class AcousticSummary {
  private seconds = 0;
  private frames = 0;
  private readonly sum = new Float64Array(ACOUSTIC_SUMMARY.bands);
  private readonly sumSq = new Float64Array(ACOUSTIC_SUMMARY.bands);
  private highPower = 0;
  private totalPower = 0;

  /** Adds one segment (mono, 16 kHz). */
  add(samples16k: Float32Array): this {
    const { bands, windowSize, hop, nFft, sampleRate, highBandHz, powerFloor } = ACOUSTIC_SUMMARY;
    this.seconds += samples16k.length / sampleRate;
    if (samples16k.length < hop) return this; // too short for a frame: only its length counts
    highBands ??= bandCentres().map((c) => c >= highBandHz);
    const f = nemoMelSpectrogram(samples16k, {
      sampleRate,
      nMels: bands,
      windowSize,
      hop,
      nFft,
      preemph: 0,
      normalize: 'none',
      framing: 'reflect',
      log: false,
    });
    for (let t = 0; t < f.validFrames; t++) {
      for (let b = 0; b < bands; b++) {
        const p = f.data[b * f.frames + t];
        const l = Math.log(p + powerFloor);
        this.sum[b] += l;
        this.sumSq[b] += l * l;
        this.totalPower += p;
        if (highBands[b]) this.highPower += p;
      }
    }
    this.frames += f.validFrames;
    return this;
  }

  /**
   * `acousticFeatureNames()` values: ln(seconds), log10 of the share of power in the bands centred at or
   * above `highBandHz`, per band the mean log power minus the mean over all bands (spectral shape, free of
   * the input's gain), and per band the standard deviation of log power over frames.
   */
  features(): number[] {
    const { bands, shareFloor } = ACOUSTIC_SUMMARY;
    const out: number[] = [Math.log(Math.max(this.seconds, 1e-3))];
    const share = this.totalPower > 0 ? this.highPower / this.totalPower : 0;
    out.push(Math.log10(Math.max(share, shareFloor)));
    const n = Math.max(1, this.frames);
    const means = Array.from(this.sum, (s) => s / n);
    const overall = means.reduce((a, b) => a + b, 0) / bands;
    for (let b = 0; b < bands; b++) out.push(means[b] - overall);
    for (let b = 0; b < bands; b++) out.push(Math.sqrt(Math.max(0, this.sumSq[b] / n - means[b] * means[b])));
    return out;
  }
}
