import type { FrontEndConfig, NemoFraming, NemoWindow } from './types.js';
import { UserError } from '../util/errors.js';
import { RealFft } from '../util/fft.js';
import { BLOCK_FRAMES, channelPower, kernelMelEnergies, kernelMelFeatures, kernelTables, type KernelTables } from './nemo-mel-kernel.js';

export type NemoFrontEndConfig = Extract<FrontEndConfig, { kind: 'nemo' }>;

/** Features of one utterance: row-major [nMels][frames]; frames ≥ validFrames are padding (0). */
export interface Features {
  data: Float32Array;
  nMels: number;
  frames: number;
  validFrames: number;
  /**
   * With `{ keepLogMel: true }`: the same computation's features before the per-feature normalisation (the log-mel,
   * or the energies when `log` is false), [nMels][frames], padding frames included (not zeroed).
   */
  logMel?: Float32Array;
  /**
   * With `{ melPower: true }`: per mel channel, the sum over the valid frames of what the log is taken of (energy +
   * guard; the energy without a log), summed before the log: Σ exp(log-mel) with no exponentials (to ~1e-7 relative).
   */
  melPower?: Float64Array;
}

/** Extra outputs of `nemoMelSpectrogram`. */
export interface MelOptions {
  /** Also return the features before normalisation (`Features.logMel`): one copy, no second STFT. */
  keepLogMel?: boolean;
  /** Also return `Features.melPower`. */
  melPower?: boolean;
}

/** NeMo Conformer/FastConformer CTC defaults (16 kHz, 80 mels, 25 ms Hann in 512, 10 ms hop, reflect framing). */
export function nemoFrontEnd(overrides: Partial<Omit<NemoFrontEndConfig, 'kind'>> = {}): NemoFrontEndConfig {
  return {
    kind: 'nemo',
    sampleRate: 16000,
    nMels: 80,
    windowSize: 400,
    hop: 160,
    nFft: 512,
    preemph: 0.97,
    normalize: 'per_feature',
    framing: 'reflect',
    ...overrides,
  };
}

const f32 = Math.fround;

// librosa's Slaney mel scale (htk=False).
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27;

export function hzToMelSlaney(f: number): number {
  return f >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOGSTEP : f / F_SP;
}

export function melToHzSlaney(m: number): number {
  return m >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL)) : F_SP * m;
}

/**
 * `librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm='slaney', dtype=float32)`, rounded
 * exactly as numpy does (float64 ramps stored into float32, then the float32 weights times the float64
 * Slaney norm stored as float32). Row-major [nMels][nFft/2+1].
 */
export function slaneyMelFilterbank(sampleRate: number, nFft: number, nMels: number, fmin = 0, fmax = sampleRate / 2): Float32Array {
  const nBins = Math.floor(nFft / 2) + 1;
  const fftFreqs = new Float64Array(nBins);
  for (let k = 0; k < nBins; k++) fftFreqs[k] = (k * sampleRate) / nFft;
  const melMin = hzToMelSlaney(fmin);
  const melMax = hzToMelSlaney(fmax);
  const melF = new Float64Array(nMels + 2);
  // np.linspace(min, max, n): min + i*step, last point exactly max.
  const step = (melMax - melMin) / (nMels + 1);
  for (let i = 0; i < nMels + 2; i++) melF[i] = melToHzSlaney(i === nMels + 1 ? melMax : melMin + i * step);
  const w = new Float32Array(nMels * nBins);
  for (let i = 0; i < nMels; i++) {
    const fd0 = melF[i + 1] - melF[i];
    const fd1 = melF[i + 2] - melF[i + 1];
    const enorm = 2 / (melF[i + 2] - melF[i]);
    for (let k = 0; k < nBins; k++) {
      const lower = -(melF[i] - fftFreqs[k]) / fd0;
      const upper = (melF[i + 2] - fftFreqs[k]) / fd1;
      const v = Math.max(0, Math.min(lower, upper));
      w[i * nBins + k] = f32(f32(v) * enorm);
    }
  }
  return w;
}

/** torch's symmetric windows as functions of x = n/(N−1) ∈ [0, 1]. */
const WINDOWS: Record<NemoWindow, (x: number) => number> = {
  hann: (x) => 0.5 - 0.5 * Math.cos(2 * Math.PI * x),
  hamming: (x) => 0.54 - 0.46 * Math.cos(2 * Math.PI * x),
  blackman: (x) => 0.42 - 0.5 * Math.cos(2 * Math.PI * x) + 0.08 * Math.cos(4 * Math.PI * x),
  bartlett: (x) => 1 - Math.abs(2 * x - 1),
};

/**
 * Everything one front-end configuration needs, built once and reused: the real FFT, the non-zero
 * span of the window, the filterbank rows packed to their non-zero bins, and float64 work buffers
 * (the centred, padded signal grows to the longest input seen up to `KEEP_SIGNAL_SAMPLES`).
 * Synchronous use only, so one plan per thread is safe.
 */
interface Plan {
  fft: RealFft;
  window: Float64Array; // n_fft values: the win window values from winStart, zeros around them (torch.stft's centring)
  rowStart: Int32Array; // first non-zero bin of each mel row
  rowOffset: Int32Array; // where each row's weights start in `weights` (length nMels + 1)
  weights: Float64Array; // the float32 filterbank weights of all rows, packed
  nBins: number;
  re: Float64Array;
  im: Float64Array;
  power: Float64Array;
  signal: Float64Array;
  kernel: KernelTables | null; // the WebAssembly kernel's copy of the tables, made on first use
}

/** Padded-signal buffers up to this many samples stay with the plan; longer inputs get a one-off buffer. */
const KEEP_SIGNAL_SAMPLES = 1 << 22;
const plans = new Map<string, Plan>();

function plan(cfg: NemoFrontEndConfig): Plan {
  const key = `${cfg.sampleRate}/${cfg.nFft}/${cfg.windowSize}/${cfg.nMels}/${cfg.window ?? 'hann'}/${cfg.lowFreq ?? 0}/${cfg.highFreq ?? ''}`;
  const cached = plans.get(key);
  if (cached) return cached;
  const { nFft, windowSize: win } = cfg;
  if (!(nFft >= 4) || (nFft & (nFft - 1)) !== 0) {
    throw new UserError(`n_fft must be a power of two, got ${nFft}`, { code: 'E_CONFIG' });
  }
  if (!(win >= 1 && win <= nFft)) throw new UserError(`window size ${win} must be between 1 and n_fft ${nFft}`, { code: 'E_CONFIG' });
  // torch.<window>_window(win, periodic=False), zero-padded centrally to n_fft by torch.stft.
  const winStart = Math.floor((nFft - win) / 2);
  const window = new Float64Array(nFft);
  const shape = WINDOWS[cfg.window ?? 'hann'];
  for (let n = 0; n < win; n++) window[winStart + n] = win === 1 ? 1 : f32(shape(n / (win - 1)));
  const nBins = nFft / 2 + 1;
  const fb = slaneyMelFilterbank(cfg.sampleRate, nFft, cfg.nMels, cfg.lowFreq ?? 0, cfg.highFreq ?? cfg.sampleRate / 2);
  const rowStart = new Int32Array(cfg.nMels);
  const rowOffset = new Int32Array(cfg.nMels + 1);
  const packed: number[] = [];
  for (let m = 0; m < cfg.nMels; m++) {
    let s = nBins;
    let e = 0;
    for (let k = 0; k < nBins; k++) {
      if (fb[m * nBins + k] !== 0) {
        if (k < s) s = k;
        e = k + 1;
      }
    }
    if (s >= e) s = e = 0;
    rowStart[m] = s;
    rowOffset[m] = packed.length;
    for (let k = s; k < e; k++) packed.push(fb[m * nBins + k]);
  }
  rowOffset[cfg.nMels] = packed.length;
  const p: Plan = {
    fft: new RealFft(nFft),
    window,
    rowStart,
    rowOffset,
    weights: Float64Array.from(packed),
    nBins,
    re: new Float64Array(nBins),
    im: new Float64Array(nBins),
    power: new Float64Array(nBins),
    signal: new Float64Array(0),
    kernel: null,
  };
  plans.set(key, p);
  return p;
}

/**
 * float32 mel energies [nMels][frames] of the STFT frames of `padded` (the centred, pre-emphasised signal;
 * frame t starts at t·hop) in JavaScript: float64 FFT, |X|^magPower stored as float32, the sparse mel sums
 * stored as float32. The reference for `melEnergiesWasm`, and the path for magPower ≠ 2.
 */
export function melEnergiesJs(config: Partial<NemoFrontEndConfig>, padded: Float64Array, frames: number, out: Float32Array): void {
  const cfg = nemoFrontEnd(config);
  const p = plan(cfg);
  const { re, im, power, window, rowStart, rowOffset, weights, fft, nBins } = p;
  const { hop, nMels } = cfg;
  const magPower = cfg.magPower ?? 2;
  for (let t = 0; t < frames; t++) {
    if (magPower === 2) fft.powerWindowed(padded, t * hop, window, power);
    else {
      fft.transformWindowed(padded, t * hop, window, re, im);
      for (let k = 0; k < nBins; k++) power[k] = f32(Math.sqrt(re[k] * re[k] + im[k] * im[k]) ** magPower);
    }
    for (let m = 0; m < nMels; m++) {
      let s = 0;
      const w0 = rowOffset[m];
      const w1 = rowOffset[m + 1];
      for (let j = w0, k = rowStart[m]; j < w1; j++, k++) s += weights[j] * power[k];
      out[m * frames + t] = s; // stored as float32: the mel energy NeMo takes the log of
    }
  }
}

/** `melEnergiesJs` for the power spectrum (magPower 2) in WebAssembly (`nemo-mel-kernel.ts`): bit-identical, faster. */
export function melEnergiesWasm(config: Partial<NemoFrontEndConfig>, padded: Float64Array, frames: number, out: Float32Array): void {
  const cfg = nemoFrontEnd(config);
  if ((cfg.magPower ?? 2) !== 2) throw new RangeError('the WebAssembly mel kernel computes the power spectrum (magPower 2) only');
  kernelMelEnergies(kernelOf(plan(cfg), cfg), padded, frames, cfg.hop, out);
}

/** Index into x (length L) with reflection (no edge repeat), folding repeatedly for very short inputs. */
function reflectIndex(i: number, L: number): number {
  if (L === 1) return 0;
  const period = 2 * (L - 1);
  let j = ((i % period) + period) % period;
  if (j >= L) j = period - j;
  return j;
}

function kernelOf(p: Plan, cfg: NemoFrontEndConfig): KernelTables {
  return (p.kernel ??= kernelTables(p.fft, p.window, p.rowStart, p.rowOffset, p.weights, cfg.nMels));
}

export const NEMO_FRAMINGS: readonly NemoFraming[] = ['reflect', 'zero-pad'];

/**
 * The framing a NeMo version's preprocessor uses: ≤ 2.4.x reflect, ≥ 2.5 (2.5.0rc0 included) zero-pad.
 * The values '2.3'/'2.4' of earlier releases of this tool are versions too, so '2.4' now means reflect.
 * Null when `v` is not a version.
 */
export function nemoFramingForVersion(v: string): NemoFraming | null {
  const m = /^\s*v?(\d+)(?:\.(\d+))?/.exec(v);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2] ?? 0);
  return major > 2 || (major === 2 && minor >= 5) ? 'zero-pad' : 'reflect';
}

/** Valid feature frames for L samples: reflect `L//hop + 1`, zero-pad `L//hop`. */
export function nemoValidFrames(samples: number, cfg: Pick<NemoFrontEndConfig, 'hop' | 'framing'>): number {
  return cfg.framing === 'zero-pad' ? Math.floor(samples / cfg.hop) : Math.floor(samples / cfg.hop) + 1;
}

/**
 * NeMo `AudioToMelSpectrogramPreprocessor` (FilterbankFeatures) at inference, B = 1, dither 0:
 * preemphasis, centred STFT (reflect padding up to NeMo 2.4.x / zero padding from 2.5), symmetric Hann, power spectrum,
 * Slaney mel, ln(x + 2^-24), per-feature normalisation (unbiased std + 1e-5) over the valid frames,
 * frames ≥ validFrames set to 0.
 */
export function nemoMelSpectrogram(samples: Float32Array, config: Partial<NemoFrontEndConfig> = {}, options: MelOptions = {}): Features {
  return melSpectrogram(samples, config, 'fast', options);
}

/**
 * `nemoMelSpectrogram` computed in JavaScript only (float64, the operations the WebAssembly kernel repeats): the
 * reference the tests hold the kernel to, bit for bit.
 */
export function nemoMelSpectrogramJs(samples: Float32Array, config: Partial<NemoFrontEndConfig> = {}, options: MelOptions = {}): Features {
  return melSpectrogram(samples, config, 'js', options);
}

function melSpectrogram(samples: Float32Array, config: Partial<NemoFrontEndConfig>, how: 'fast' | 'js', options: MelOptions): Features {
  const cfg = nemoFrontEnd(config);
  const L = samples.length;
  if (L === 0) throw new UserError('no audio samples to compute features from', { code: 'E_AUDIO_EMPTY' });
  const p = plan(cfg);
  const { nFft, hop, nMels } = cfg;
  const pad = Math.floor(nFft / 2);
  const frames = 1 + Math.floor(L / hop);
  const validFrames = nemoValidFrames(L, cfg);
  if (validFrames < 1) {
    throw new UserError(`audio is too short (${L} samples); NeMo ${cfg.framing} framing needs at least ${hop} samples`, {
      code: 'E_AUDIO_SHORT',
    });
  }
  const magPower = cfg.magPower ?? 2;
  const guard = cfg.logZeroGuard ?? { type: 'add', value: 2 ** -24 };
  const log = (cfg.log ?? true) ? { clamp: guard.type === 'clamp', guard: guard.value } : null;
  const extras = (logMel: Float32Array | undefined, melPower: Float64Array | undefined): Partial<Features> => ({
    ...(logMel ? { logMel } : {}),
    ...(melPower ? { melPower } : {}),
  });
  if (how === 'fast' && magPower === 2 && frames <= BLOCK_FRAMES) {
    // Up to one kernel block (20 s at a 10 ms hop: every segment the ensemble runs) all of it in WebAssembly.
    const { data, logMel, power } = kernelMelFeatures(
      kernelOf(p, cfg),
      samples,
      frames,
      hop,
      {
        preemph: cfg.preemph,
        reflect: cfg.framing !== 'zero-pad',
        log,
        normalize: cfg.normalize === 'per_feature',
        validFrames,
        logMel: options.keepLogMel === true,
        power: options.melPower === true,
      },
      reflectIndex,
    );
    return { data, nMels, frames, validFrames, ...extras(logMel, power) };
  }

  // Preemphasis in float32 like torch (y[0] = x[0], y[t] = x[t] - a*x[t-1]), written straight into the
  // centred signal; then the centre padding: reflect (torch default, NeMo ≤ 2.4.x) or zeros (NeMo ≥ 2.5).
  const need = L + 2 * pad;
  let padded = p.signal;
  if (padded.length < need) {
    padded = new Float64Array(need);
    if (need <= KEEP_SIGNAL_SAMPLES) p.signal = padded;
  }
  const a = cfg.preemph;
  padded[pad] = samples[0];
  if (a) for (let t = 1; t < L; t++) padded[pad + t] = f32(samples[t] - f32(a * samples[t - 1]));
  else for (let t = 1; t < L; t++) padded[pad + t] = samples[t];
  if (cfg.framing !== 'zero-pad') {
    for (let i = 0; i < pad; i++) {
      padded[i] = padded[pad + reflectIndex(i - pad, L)];
      padded[pad + L + i] = padded[pad + reflectIndex(L + i, L)];
    }
  } else {
    padded.fill(0, 0, pad);
    padded.fill(0, pad + L, need);
  }

  const out = new Float32Array(nMels * frames);
  // Longer inputs: the energies in WebAssembly block by block (bounded memory), the rest here.
  if (how === 'fast' && magPower === 2) melEnergiesWasm(cfg, padded, frames, out);
  else melEnergiesJs(cfg, padded, frames, out);
  const melPower = options.melPower ? channelPower(out, nMels, frames, validFrames, log) : undefined;
  // The log in one pass over the (float32) energies: the same values as taking it frame by frame.
  if (log) {
    const g = guard.value;
    const n = out.length;
    if (guard.type === 'add') for (let i = 0; i < n; i++) out[i] = Math.log(out[i] + g);
    else for (let i = 0; i < n; i++) out[i] = Math.log(Math.max(out[i], g));
  }

  const logMel = options.keepLogMel ? Float32Array.from(out) : undefined;
  if (cfg.normalize === 'per_feature') {
    const n = validFrames;
    for (let m = 0; m < nMels; m++) {
      const row = m * frames;
      let sum = 0;
      for (let t = 0; t < n; t++) sum += out[row + t];
      const mean = sum / n;
      let ss = 0;
      for (let t = 0; t < n; t++) {
        const d = out[row + t] - mean;
        ss += d * d;
      }
      let std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0; // zero-pad framing (NeMo ≥ 2.5): NaN -> 0 for one frame
      std = f32(std) + 1e-5;
      for (let t = 0; t < n; t++) out[row + t] = (out[row + t] - mean) / std;
    }
  }
  for (let m = 0; m < nMels; m++) out.fill(0, m * frames + validFrames, (m + 1) * frames);
  return { data: out, nMels, frames, validFrames, ...extras(logMel, melPower) };
}
