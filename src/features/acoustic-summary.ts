/**
 * A cheap acoustic signature of one input for the selector (beyond NeMo; `selector.features: [acoustic]`):
 * how long it is, how much energy lies above the telephone band, and the mean and spread of its log-mel
 * energies pooled into a few bands (a coarse language / channel / speaker fingerprint).
 *
 * Version 2 (issue 15/18) reads the NeMo-default log-mel front end before its normalisation (16 kHz, 80 Slaney
 * mels, 25 ms Hann in n_fft 512, 10 ms hop, pre-emphasis 0.97, reflect framing, ln(x + 2^-24);
 * `ACOUSTIC_FRONT_END`), the front end NeMo Conformer/FastConformer members use: when a member has it
 * (`sharesAcousticFrontEnd`) the summary reuses that member's frames (`addLogMel`, no second STFT); otherwise
 * it computes the same front end itself (`add`), with the same values either way. The 80 channels are pooled
 * into 10 bands of 8 adjacent channels (mean of their log values). Version 1 ran a second STFT of its own
 * (10 mels, no pre-emphasis); selectors built on it are refused at load (`readSelectorFeatures`).
 *
 * The statistics are sums, so several speech segments of one file combine into the same numbers a single
 * pass over their frames would give (`AcousticSummary.add` per segment); a short input is one segment,
 * exactly as in `ensemble build`.
 */
import { melToHzSlaney, hzToMelSlaney, nemoFrontEnd, nemoMelSpectrogram, type NemoFrontEndConfig } from './nemo-mel.js';
import { frontEndKey } from './front-end-key.js';
import type { FrontEndConfig } from './types.js';

/** Analysis settings of the summary; changing any changes the features (bump the version). */
export const ACOUSTIC_SUMMARY = Object.freeze({
  version: 2,
  sampleRate: 16000,
  /** Mel channels of the front end (`ACOUSTIC_FRONT_END`). */
  nMels: 80,
  /** Pooled bands: `nMels / bands` adjacent channels each. */
  bands: 10,
  hop: 160,
  /** Channels centred at or above this frequency count as "wideband" (telephone speech stops near 3.4–4 kHz). */
  highBandHz: 3800,
  /** Floor of the high-band share before its log10 (an 8 kHz input resampled to 16 kHz has ~0 there). */
  shareFloor: 1e-6,
});

/** The front end the summary reads (NeMo's default log-mel, before normalisation). */
export const ACOUSTIC_FRONT_END: Readonly<NemoFrontEndConfig> = Object.freeze(nemoFrontEnd({ normalize: 'none' }));

const ACOUSTIC_KEY = frontEndKey(ACOUSTIC_FRONT_END);

/** True when `fe` computes the summary's log-mel frames before its own normalisation (so they can be reused). */
export function sharesAcousticFrontEnd(fe: FrontEndConfig): boolean {
  return fe.kind === 'nemo' && frontEndKey({ ...fe, normalize: 'none' }) === ACOUSTIC_KEY;
}

/** Log-mel frames of `ACOUSTIC_FRONT_END` for one segment: row-major [nMels][frames], `validFrames` used. */
export interface AcousticLogMel {
  data: Float32Array;
  frames: number;
  validFrames: number;
  /**
   * Per channel, Σ over the valid frames of exp(log-mel): the same front end's `Features.melPower`, summed before the
   * log (the high-band share needs the linear power; an exponential per value cost 0.3 ms per 3 s).
   */
  power: Float64Array;
}

/**
 * The detailed signature the domain gate reads (`AcousticSummary.detailFeatures()`, beyond NeMo): the same log-mel
 * pooled into 20 bands of 4 channels, per band the gain-free mean, the spread over frames and the spread of its
 * frame-to-frame change (how fast the band moves: speaking rate, tone and prosody, which the static shape misses).
 * On the demo's dev mix a gate on it decided 72.7 % of the inputs at 99.8 % accuracy at P 0.97, against 54.9 % at
 * 99.2 % on `features()` (README "Domain gate, session 6"). Changing any value changes the features (bump the version).
 */
export const ACOUSTIC_DETAIL = Object.freeze({
  version: 1,
  bands: 20,
});

/** The duration and high-band share, then per statistic the `n` bands' values (`band{b}_{statistic}`). */
function bandFeatureNames(n: number, statistics: readonly string[]): string[] {
  return ['log_seconds', 'log10_high_band_share', ...statistics.flatMap((st) => Array.from({ length: n }, (_, b) => `band${b}_${st}`))];
}

/** Names of the values `AcousticSummary.features()` returns, in order. */
export function acousticFeatureNames(): string[] {
  return bandFeatureNames(ACOUSTIC_SUMMARY.bands, ['mean_rel', 'std']);
}

/** Names of the values `AcousticSummary.detailFeatures()` returns, in order. */
export function acousticDetailFeatureNames(): string[] {
  return bandFeatureNames(ACOUSTIC_DETAIL.bands, ['mean_rel', 'std', 'delta_std']);
}

let highChannels: boolean[] | null = null;

/** Per mel channel: centred at or above `highBandHz` (Slaney mel; channel m is point m+1 of nMels+2). */
function highChannelMask(): boolean[] {
  const { nMels, sampleRate, highBandHz } = ACOUSTIC_SUMMARY;
  const melMax = hzToMelSlaney(sampleRate / 2);
  return Array.from({ length: nMels }, (_, m) => melToHzSlaney(((m + 1) * melMax) / (nMels + 1)) >= highBandHz);
}

/** Into `band` (one value per valid frame): the sum of the log-mel channels of band `b` (`per` channels each), in channel order. */
function poolBand({ data, frames, validFrames }: AcousticLogMel, b: number, per: number, band: Float64Array): void {
  band.fill(0);
  for (let m = b * per; m < (b + 1) * per; m++) {
    const row = m * frames;
    for (let t = 0; t < validFrames; t++) band[t] += data[row + t];
  }
}

/** Accumulates the summary over one or more segments of 16 kHz samples. */
export class AcousticSummary {
  private seconds = 0;
  private frames = 0;
  private readonly sum = new Float64Array(ACOUSTIC_SUMMARY.bands);
  private readonly sumSq = new Float64Array(ACOUSTIC_SUMMARY.bands);
  private highPower = 0;
  private totalPower = 0;
  /** Detail statistics (`detail: true` only): per 20-band sums of values, squares, deltas and squared deltas. */
  private readonly detail: { sum: Float64Array; sumSq: Float64Array; dSum: Float64Array; dSumSq: Float64Array; deltas: number } | null;

  /** `detail`: also accumulate what `detailFeatures()` needs (the domain gate's inputs). */
  constructor(options: { detail?: boolean } = {}) {
    const n = ACOUSTIC_DETAIL.bands;
    this.detail = options.detail
      ? { sum: new Float64Array(n), sumSq: new Float64Array(n), dSum: new Float64Array(n), dSumSq: new Float64Array(n), deltas: 0 }
      : null;
  }

  /** Adds one segment (mono, 16 kHz), computing `ACOUSTIC_FRONT_END` itself. */
  add(samples16k: Float32Array): this {
    if (samples16k.length < ACOUSTIC_SUMMARY.hop) return this.addLogMel(samples16k.length, null);
    const f = nemoMelSpectrogram(samples16k, ACOUSTIC_FRONT_END, { melPower: true });
    return this.addLogMel(samples16k.length, { data: f.data, frames: f.frames, validFrames: f.validFrames, power: f.melPower! });
  }

  /**
   * Adds one segment of `samples` 16 kHz samples from its `ACOUSTIC_FRONT_END` log-mel frames (a member's
   * frames before normalisation, see `sharesAcousticFrontEnd`); the same as `add` on the samples. `null`
   * frames are accepted only for a segment too short for a frame (< one hop), where only its length counts.
   */
  addLogMel(samples: number, logMel: AcousticLogMel | null): this {
    const { bands, nMels, sampleRate, hop } = ACOUSTIC_SUMMARY;
    this.seconds += samples / sampleRate;
    if (samples < hop) return this; // too short for a frame: only its length counts (as `add`)
    if (!logMel) throw new Error('the acoustic summary needs the log-mel frames of a segment of one hop or more');
    if (logMel.data.length !== nMels * logMel.frames) throw new RangeError(`expected ${nMels} × ${logMel.frames} log-mel values, got ${logMel.data.length}`);
    if (logMel.power.length !== nMels) throw new RangeError(`expected ${nMels} channel powers, got ${logMel.power.length}`);
    highChannels ??= highChannelMask();
    for (let m = 0; m < nMels; m++) {
      this.totalPower += logMel.power[m];
      if (highChannels[m]) this.highPower += logMel.power[m];
    }
    const per = nMels / bands;
    const { validFrames } = logMel;
    const band = new Float64Array(validFrames);
    for (let b = 0; b < bands; b++) {
      poolBand(logMel, b, per, band);
      let s = 0;
      let ss = 0;
      for (let t = 0; t < validFrames; t++) {
        const v = band[t] / per;
        s += v;
        ss += v * v;
      }
      this.sum[b] += s;
      this.sumSq[b] += ss;
    }
    this.frames += validFrames;
    if (this.detail) this.addDetail(logMel);
    return this;
  }

  /** The 20-band statistics of one segment; deltas stay within the segment (none across a segment boundary). */
  private addDetail(logMel: AcousticLogMel): void {
    const d = this.detail!;
    const { nMels } = ACOUSTIC_SUMMARY;
    const bands = ACOUSTIC_DETAIL.bands;
    const per = nMels / bands;
    const { validFrames } = logMel;
    const band = new Float64Array(validFrames);
    for (let b = 0; b < bands; b++) {
      poolBand(logMel, b, per, band);
      let s = 0;
      let ss = 0;
      let ds = 0;
      let dss = 0;
      let prev = 0;
      for (let t = 0; t < validFrames; t++) {
        const v = band[t] / per;
        s += v;
        ss += v * v;
        if (t > 0) {
          const dv = v - prev;
          ds += dv;
          dss += dv * dv;
        }
        prev = v;
      }
      d.sum[b] += s;
      d.sumSq[b] += ss;
      d.dSum[b] += ds;
      d.dSumSq[b] += dss;
    }
    d.deltas += Math.max(0, validFrames - 1);
  }

  /**
   * `acousticFeatureNames()` values: ln(seconds), log10 of the share of mel power in the channels centred at or
   * above `highBandHz`, per band the mean log-mel minus the mean over all bands (spectral shape, free of the
   * input's gain up to the log guard 2^-24), and per band the standard deviation of its log-mel over frames.
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

  /**
   * `acousticDetailFeatureNames()` values: ln(seconds) and the high-band share as in `features()`, then per 20-band
   * the mean log-mel minus the mean over all bands, its standard deviation over frames, and the standard deviation
   * of its change from one frame to the next. Needs `new AcousticSummary({ detail: true })`.
   */
  detailFeatures(): number[] {
    const d = this.detail;
    if (!d) throw new Error('detailFeatures() needs an AcousticSummary made with { detail: true }');
    const bands = ACOUSTIC_DETAIL.bands;
    const [logSeconds, share] = this.features();
    const out = [logSeconds, share];
    const n = Math.max(1, this.frames);
    const nd = Math.max(1, d.deltas);
    const means = Array.from(d.sum, (s) => s / n);
    const overall = means.reduce((a, b) => a + b, 0) / bands;
    for (let b = 0; b < bands; b++) out.push(means[b] - overall);
    for (let b = 0; b < bands; b++) out.push(Math.sqrt(Math.max(0, d.sumSq[b] / n - means[b] * means[b])));
    for (let b = 0; b < bands; b++) {
      const dm = d.dSum[b] / nd;
      out.push(Math.sqrt(Math.max(0, d.dSumSq[b] / nd - dm * dm)));
    }
    return out;
  }
}
