import { describe, expect, it } from 'vitest';
import { resample } from '../../src/audio/resample.js';
import {
  ACOUSTIC_DETAIL,
  ACOUSTIC_FRONT_END,
  ACOUSTIC_SUMMARY,
  AcousticSummary,
  acousticDetailFeatureNames,
  acousticFeatureNames,
  sharesAcousticFrontEnd,
} from '../../src/features/acoustic-summary.js';
import { nemoFrontEnd, nemoMelSpectrogram } from '../../src/features/nemo-mel.js';

function noise(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 2 ** 32 - 0.5) * 0.2;
  });
}

describe('acoustic summary (selector features)', () => {
  it('has one value per name, all finite', () => {
    const f = new AcousticSummary().add(noise(16000, 1)).features();
    expect(f).toHaveLength(acousticFeatureNames().length);
    expect(f).toHaveLength(2 + 2 * ACOUSTIC_SUMMARY.bands);
    for (const v of f) expect(Number.isFinite(v)).toBe(true);
    expect(f[0]).toBeCloseTo(Math.log(1), 12); // ln seconds
  });

  it('tells telephone-band audio from wideband audio', () => {
    const wide = noise(32000, 2);
    const narrow = resample(resample(wide, 16000, 8000), 8000, 16000);
    const share = (x: Float32Array) => new AcousticSummary().add(x).features()[1];
    expect(share(wide)).toBeGreaterThan(-1); // Slaney filters are area-normalised: a share of mel-weighted power
    expect(share(narrow)).toBeLessThan(share(wide) - 1.5);
  });

  it('is gain-free in its band shape and adds segments up as one pass over their frames would', () => {
    const x = noise(16000, 3);
    const louder = x.map((v) => v * 4);
    const a = new AcousticSummary().add(x).features();
    const b = new AcousticSummary().add(louder).features();
    // up to NeMo's log guard (ln(x + 2^-24)): pre-emphasis leaves the lowest mel channels little power
    for (let i = 2; i < a.length; i++) expect(Math.abs(b[i] - a[i])).toBeLessThan(0.01);
    // the same segment twice: same means and spreads, twice the seconds
    const twice = new AcousticSummary().add(x).add(x).features();
    expect(twice[0]).toBeCloseTo(Math.log(2), 12);
    for (let i = 1; i < a.length; i++) expect(twice[i]).toBeCloseTo(a[i], 9);
  });

  it("reads NeMo's default log-mel before normalisation: a member's frames give exactly what its own front end gives", () => {
    expect(ACOUSTIC_SUMMARY.version).toBe(2);
    expect(sharesAcousticFrontEnd(nemoFrontEnd())).toBe(true); // the en/vi members' front end (per-feature normalised)
    expect(sharesAcousticFrontEnd(nemoFrontEnd({ normalize: 'none' }))).toBe(true);
    expect(sharesAcousticFrontEnd(nemoFrontEnd({ framing: 'zero-pad' }))).toBe(false);
    expect(sharesAcousticFrontEnd(nemoFrontEnd({ nMels: 64 }))).toBe(false);
    expect(sharesAcousticFrontEnd(nemoFrontEnd({ preemph: 0 }))).toBe(false);
    expect(sharesAcousticFrontEnd({ kind: 'wav2vec2', sampleRate: 16000, doNormalize: true })).toBe(false);
    for (const [n, seed] of [
      [16000, 4],
      [12345, 5],
      [160, 6],
    ]) {
      const x = noise(n, seed);
      const m = nemoMelSpectrogram(x, nemoFrontEnd(), { keepLogMel: true, melPower: true });
      // the member's normalised features are unchanged by keeping the log-mel and its power
      expect(Array.from(m.data)).toEqual(Array.from(nemoMelSpectrogram(x, nemoFrontEnd()).data));
      const plain = nemoMelSpectrogram(x, ACOUSTIC_FRONT_END, { melPower: true });
      expect(Array.from(m.logMel!)).toEqual(Array.from(plain.data));
      expect(m.melPower).toEqual(plain.melPower);
      const frames = { data: m.logMel!, frames: m.frames, validFrames: m.validFrames, power: m.melPower! };
      const reused = new AcousticSummary().addLogMel(x.length, frames).features();
      expect(reused).toEqual(new AcousticSummary().add(x).features());
    }
    expect(() => new AcousticSummary().addLogMel(16000, { ...nemoMelSpectrogram(noise(16000, 8), ACOUSTIC_FRONT_END), power: new Float64Array(3) })).toThrow(
      /expected 80 channel powers, got 3/,
    );
    // shorter than a hop: only the length counts, either way
    const tiny = noise(100, 7);
    expect(new AcousticSummary().addLogMel(tiny.length, null).features()).toEqual(new AcousticSummary().add(tiny).features());
    expect(() => new AcousticSummary().addLogMel(16000, null)).toThrow(/log-mel frames/);
  });

  it('pools the 80 channels into bands: a tone lifts the band holding its frequency', () => {
    const tone = Float32Array.from({ length: 16000 }, (_, t) => 0.3 * Math.sin((2 * Math.PI * 1000 * t) / 16000) + (noise(1, t + 1)[0] ?? 0) * 0.01);
    const f = new AcousticSummary().add(tone).features();
    const means = f.slice(2, 2 + ACOUSTIC_SUMMARY.bands);
    const top = means.indexOf(Math.max(...means));
    expect(top).toBeGreaterThan(0); // 1 kHz is above the lowest band (0–~200 Hz)
    expect(top).toBeLessThan(ACOUSTIC_SUMMARY.bands / 2);
  });

  it("detail (the domain gate's inputs): per 20-band mean shape, spread and frame-to-frame change, straight from the frames", () => {
    expect(() => new AcousticSummary().add(noise(1600, 8)).detailFeatures()).toThrow(/detail: true/);
    const a = noise(16000, 9);
    const b = noise(8000, 10).map((v, t) => v * (1 + Math.sin(t / 300)));
    const s = new AcousticSummary({ detail: true }).add(a).add(b);
    const f = s.detailFeatures();
    expect(f).toHaveLength(acousticDetailFeatureNames().length);
    expect(f).toHaveLength(2 + 3 * ACOUSTIC_DETAIL.bands);
    // the first two values are the summary's; the summary itself is unchanged by `detail`
    expect(f.slice(0, 2)).toEqual(s.features().slice(0, 2));
    expect(s.features()).toEqual(new AcousticSummary().add(a).add(b).features());
    // a direct computation from the frames of both segments (deltas within a segment only)
    const per = ACOUSTIC_SUMMARY.nMels / ACOUSTIC_DETAIL.bands;
    const bands: number[][] = Array.from({ length: ACOUSTIC_DETAIL.bands }, () => []);
    const deltas: number[][] = Array.from({ length: ACOUSTIC_DETAIL.bands }, () => []);
    for (const x of [a, b]) {
      const m = nemoMelSpectrogram(x, ACOUSTIC_FRONT_END);
      for (let k = 0; k < ACOUSTIC_DETAIL.bands; k++) {
        const v = Array.from({ length: m.validFrames }, (_, t) => {
          let sum = 0;
          for (let c = k * per; c < (k + 1) * per; c++) sum += m.data[c * m.frames + t];
          return sum / per;
        });
        bands[k].push(...v);
        for (let t = 1; t < v.length; t++) deltas[k].push(v[t] - v[t - 1]);
      }
    }
    const mean = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
    const std = (v: number[]) => Math.sqrt(mean(v.map((q) => (q - mean(v)) ** 2)));
    const means = bands.map(mean);
    const overall = mean(means);
    const B = ACOUSTIC_DETAIL.bands;
    for (let k = 0; k < B; k++) {
      expect(f[2 + k]).toBeCloseTo(means[k] - overall, 9);
      expect(f[2 + B + k]).toBeCloseTo(std(bands[k]), 9);
      expect(f[2 + 2 * B + k]).toBeCloseTo(std(deltas[k]), 9);
    }
    // a faster-moving input has larger frame-to-frame change in every band
    const steady = new AcousticSummary({ detail: true }).add(noise(16000, 11)).detailFeatures();
    const choppy = new AcousticSummary({ detail: true }).add(noise(16000, 11).map((v, t) => (Math.floor(t / 800) % 2 ? v : v * 0.01))).detailFeatures();
    for (let k = 0; k < B; k++) expect(choppy[2 + 2 * B + k]).toBeGreaterThan(steady[2 + 2 * B + k]);
  });
});
