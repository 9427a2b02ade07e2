import { describe, expect, it } from 'vitest';
import { nemoFramingForVersion, nemoMelSpectrogram, slaneyMelFilterbank, nemoValidFrames, hzToMelSlaney, melToHzSlaney } from '../../src/features/nemo-mel.js';
import { wav2vec2Normalize } from '../../src/features/wav2vec2.js';
import { Fft, RealFft } from '../../src/util/fft.js';
import { UserError } from '../../src/util/errors.js';
import { sine, nemoReferenceSignal as referenceSignal } from '../helpers/wav.js';

// Reference values from running NeMo's verbatim FilterbankFeatures (v2.3.0 and HEAD) under torch 1.13.
const REF = {
  reflect: { valid: 51, frame0: [4.375894, 4.362009, 4.399568, 4.434407], frame2: [0.02171, 0.034034, -0.074096, -0.159643] },
  'zero-pad': { valid: 50, frame0: [6.323349, 6.368652, 6.357411, 6.240309], frame2: [0.237773, 0.242112, 0.04908, -0.08776] },
} as const;

describe('Slaney mel filterbank (librosa algorithm)', () => {
  it('matches the reference numbers (80 x 257, 16 kHz, n_fft 512)', () => {
    const fb = slaneyMelFilterbank(16000, 512, 80);
    expect(fb.length).toBe(80 * 257);
    const row0 = Array.from(fb.subarray(0, 257));
    expect(row0.flatMap((v, i) => (v !== 0 ? [i] : []))).toEqual([1, 2]);
    expect(row0[1]).toBeCloseTo(0.02253456, 8);
    expect(row0[2]).toBeCloseTo(0.00863771, 8);
    let sum = 0;
    for (const v of fb) sum += v;
    expect(sum).toBeCloseTo(2.55826078, 6);
  });
  it('mel scale is linear below 1 kHz and logarithmic above', () => {
    expect(hzToMelSlaney(1000)).toBeCloseTo(15, 12);
    expect(hzToMelSlaney(200 / 3)).toBeCloseTo(1, 12);
    for (const f of [10, 500, 999, 1000, 4000, 8000]) expect(melToHzSlaney(hzToMelSlaney(f))).toBeCloseTo(f, 9);
  });
});

describe('NeMo AudioToMelSpectrogramPreprocessor', () => {
  for (const version of ['reflect', 'zero-pad'] as const) {
    it(`reproduces the NeMo reference values (${version} framing: v2.3.0 / v2.5.0rc0 features.py) within 1e-4`, () => {
      const f = nemoMelSpectrogram(referenceSignal(), { framing: version });
      expect([f.nMels, f.frames, f.validFrames]).toEqual([80, 51, REF[version].valid]);
      const at = (m: number, t: number) => f.data[m * f.frames + t];
      for (let m = 0; m < 4; m++) {
        expect(Math.abs(at(m, 0) - REF[version].frame0[m])).toBeLessThan(1e-4);
        expect(Math.abs(at(m, 2) - REF[version].frame2[m])).toBeLessThan(1e-4);
      }
      if (version === 'zero-pad') for (let m = 0; m < 80; m++) expect(at(m, 50)).toBe(0);
    });
  }

  it('issue 14.7: NeMo versions map to their framing: ≤ 2.4.x reflect (0fd4de534b is not in v2.4.0/v2.4.1), ≥ 2.5.0rc0 zero-pad', () => {
    for (const v of ['1.19', '1.23.0', '2.0', '2.3', '2.3.2', '2.4', '2.4.0', '2.4.1', 'v2.4.0rc2']) expect(nemoFramingForVersion(v), v).toBe('reflect');
    for (const v of ['2.5', '2.5.0rc0', '2.5.0', '2.6', '3.0', 'v2.5.0']) expect(nemoFramingForVersion(v), v).toBe('zero-pad');
    expect(nemoFramingForVersion('latest')).toBeNull();
  });

  it('valid frames: reflect L//160 + 1, zero-pad L//160; STFT frames 1 + L//160 in both', () => {
    for (const L of [160, 161, 319, 320, 16000, 16159]) {
      expect(nemoValidFrames(L, { hop: 160, framing: 'reflect' })).toBe(Math.floor(L / 160) + 1);
      expect(nemoValidFrames(L, { hop: 160, framing: 'zero-pad' })).toBe(Math.floor(L / 160));
      expect(nemoMelSpectrogram(sine(300, L / 16000, 16000, 0.1), { framing: 'zero-pad' }).frames).toBe(1 + Math.floor(L / 160));
    }
  });

  it('per_feature normalisation: zero mean, unbiased std ≈ 1 over the valid frames', () => {
    const f = nemoMelSpectrogram(referenceSignal(), { framing: 'zero-pad' });
    for (const m of [0, 10, 79]) {
      const row = Array.from(f.data.subarray(m * f.frames, m * f.frames + f.validFrames));
      const mean = row.reduce((a, b) => a + b, 0) / row.length;
      const sd = Math.sqrt(row.reduce((a, b) => a + (b - mean) ** 2, 0) / (row.length - 1));
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(sd).toBeGreaterThan(0.99);
      expect(sd).toBeLessThanOrEqual(1);
    }
  });

  it('normalize none gives ln(mel + 2^-24); digital silence is ln(2^-24)', () => {
    const f = nemoMelSpectrogram(new Float32Array(1600), { normalize: 'none' });
    expect(f.data[0]).toBeCloseTo(Math.log(2 ** -24), 5);
    const g = nemoMelSpectrogram(sine(1000, 0.1, 16000, 0.3), { normalize: 'none' });
    expect(g.frames).toBe(11);
    expect(Math.max(...g.data)).toBeGreaterThan(0);
  });

  it('configurable mels, window, hop and n_fft', () => {
    const f = nemoMelSpectrogram(sine(440, 1, 8000, 0.3), { sampleRate: 8000, nMels: 64, windowSize: 160, hop: 80, nFft: 256 });
    expect([f.nMels, f.frames, f.validFrames]).toEqual([64, 101, 101]);
    expect(() => nemoMelSpectrogram(sine(440, 0.1), { nFft: 500 })).toThrow(UserError);
  });

  it('single frame and too-short input', () => {
    const one = nemoMelSpectrogram(sine(440, 0.005), { framing: 'reflect' }); // 80 samples: 1 frame
    expect([one.frames, one.validFrames]).toEqual([1, 1]);
    expect(one.data.every((v) => Number.isFinite(v))).toBe(true);
    expect(() => nemoMelSpectrogram(sine(440, 0.005), { framing: 'zero-pad' })).toThrow(/too short/);
    expect(() => nemoMelSpectrogram(new Float32Array(0))).toThrow(UserError);
  });
});

/** Bin k of the DFT of x, summed directly (the reference the FFTs are checked against). */
function directDftBin(x: ArrayLike<number>, k: number): [number, number] {
  const n = x.length;
  let sr = 0;
  let si = 0;
  for (let t = 0; t < n; t++) {
    sr += x[t] * Math.cos((-2 * Math.PI * k * t) / n);
    si += x[t] * Math.sin((-2 * Math.PI * k * t) / n);
  }
  return [sr, si];
}

describe('FFT', () => {
  it('matches a direct DFT', () => {
    const n = 64;
    const re = new Float64Array(n).map((_, i) => Math.sin(i * 0.7) + (i % 5) * 0.1);
    const im = new Float64Array(n);
    const x = Float64Array.from(re);
    new Fft(n).transform(re, im);
    for (const k of [0, 1, 7, 31, 32, 63]) {
      const [sr, si] = directDftBin(x, k);
      expect(re[k]).toBeCloseTo(sr, 9);
      expect(im[k]).toBeCloseTo(si, 9);
    }
  });
});

describe('real FFT (half-size complex FFT + split)', () => {
  for (const n of [4, 8, 64, 512]) {
    it(`n = ${n}: bins 0..n/2 match a direct DFT`, () => {
      const x = new Float64Array(n).map((_, i) => Math.sin(i * 0.37) + ((i * 7) % 5) * 0.2 - 0.3);
      const re = new Float64Array(n / 2 + 1);
      const im = new Float64Array(n / 2 + 1);
      new RealFft(n).transform(x, re, im);
      for (let k = 0; k <= n / 2; k++) {
        const [sr, si] = directDftBin(x, k);
        expect(re[k]).toBeCloseTo(sr, 9);
        expect(im[k]).toBeCloseTo(si, 9);
      }
    });
  }
});

describe('front-end plan reuse', () => {
  it('reused work buffers give the same features as a first call, whatever came before', () => {
    const short = sine(523, 0.37, 16000, 0.2);
    const long = sine(311, 2.5, 16000, 0.4);
    for (const version of ['2.3', '2.4'] as const) {
      const first = nemoMelSpectrogram(short, { nemoVersion: version, nMels: 72 });
      nemoMelSpectrogram(long, { nemoVersion: version, nMels: 72 });
      nemoMelSpectrogram(long, { nemoVersion: version });
      const again = nemoMelSpectrogram(short, { nemoVersion: version, nMels: 72 });
      expect(again.data).toEqual(first.data);
      expect(again.data).not.toBe(first.data);
    }
  });
});

describe('wav2vec2 normalisation', () => {
  it('(x − mean)/sqrt(var + 1e-7), population variance', () => {
    const x = new Float32Array([1, 2, 3, 4]);
    const y = wav2vec2Normalize(x);
    const d = Math.sqrt(1.25 + 1e-7);
    expect(Array.from(y)).toEqual([-1.5 / d, -0.5 / d, 0.5 / d, 1.5 / d].map(Math.fround));
    expect(wav2vec2Normalize(x, false)).toBe(x);
    expect(Array.from(wav2vec2Normalize(new Float32Array(5)))).toEqual([0, 0, 0, 0, 0]);
  });
});
