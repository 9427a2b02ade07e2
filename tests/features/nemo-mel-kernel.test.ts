import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeWav, mixToMono } from '../../src/audio/wav.js';
import { resample } from '../../src/audio/resample.js';
import {
  melEnergiesJs,
  melEnergiesWasm,
  nemoFrontEnd,
  nemoMelSpectrogram,
  nemoMelSpectrogramJs,
  type NemoFrontEndConfig,
} from '../../src/features/nemo-mel.js';
import { BLOCK_FRAMES, kernelLog, kernelLogPairs } from '../../src/features/nemo-mel-kernel.js';
import { gauss, rng } from '../helpers/random.js';
import { nemoReferenceSignal } from '../helpers/wav.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A padded signal for `frames` frames: Gaussian noise at a few levels, some exact zeros and a loud burst. */
function paddedSignal(frames: number, cfg: NemoFrontEndConfig, seed: number): Float64Array {
  const next = rng(seed);
  const x = new Float64Array((frames - 1) * cfg.hop + cfg.nFft);
  for (let i = 0; i < x.length; i++) {
    const level = i < x.length / 4 ? 1e-4 : i < x.length / 2 ? 0.05 : 0.7;
    x[i] = Math.fround(level * gauss(next));
  }
  x.fill(0, Math.floor(x.length * 0.3), Math.floor(x.length * 0.35)); // silence: zero energies, signed zeros
  return x;
}

function both(config: Partial<NemoFrontEndConfig>, frames: number, seed: number): [Float32Array, Float32Array] {
  const cfg = nemoFrontEnd(config);
  const x = paddedSignal(frames, cfg, seed);
  const js = new Float32Array(cfg.nMels * frames).fill(NaN);
  const wasm = new Float32Array(cfg.nMels * frames).fill(NaN);
  melEnergiesJs(cfg, x, frames, js);
  melEnergiesWasm(cfg, x, frames, wasm);
  return [js, wasm];
}

describe('WebAssembly mel kernel', () => {
  // Bit-identical: the same float64 operations in the same order, two frames per f64x2 (so odd frame counts too).
  const cases: Array<[string, Partial<NemoFrontEndConfig>, number]> = [
    ['NeMo mel 80, n_fft 512', {}, 301],
    ['one frame', {}, 1],
    ['two frames', {}, 2],
    ['mel 64, n_fft 256, hop 128, hamming', { nMels: 64, nFft: 256, windowSize: 200, hop: 128, window: 'hamming' }, 57],
    [
      'n_fft 1024 (odd number of half-size FFT stages), 8 kHz, 40 mels 100–3800 Hz',
      { sampleRate: 8000, nFft: 1024, windowSize: 400, nMels: 40, lowFreq: 100, highFreq: 3800 },
      33,
    ],
    ['n_fft 8 (no radix-4 twiddles), 2 mels', { nFft: 8, windowSize: 8, hop: 4, nMels: 2 }, 19],
    ['the acoustic summary: 10 bands', { nMels: 10 }, 100],
  ];
  for (const [name, cfg, frames] of cases) {
    it(`equals the JavaScript energies bit for bit: ${name}, ${frames} frame(s)`, () => {
      const [js, wasm] = both(cfg, frames, frames * 7 + 1);
      expect(js.some((v) => v > 0)).toBe(true);
      expect(Buffer.from(wasm.buffer).equals(Buffer.from(js.buffer))).toBe(true);
    });
  }

  it('goes through long inputs block by block with the same result', () => {
    const frames = 2 * BLOCK_FRAMES + 3;
    const [js, wasm] = both({}, frames, 5);
    expect(Buffer.from(wasm.buffer).equals(Buffer.from(js.buffer))).toBe(true);
  });

  it('keeps every plan: alternating configurations give the same energies as the first call', () => {
    const a = both({}, 40, 1)[1];
    both({ nMels: 10 }, 40, 2);
    both({ nFft: 1024, windowSize: 1024, nMels: 128 }, 40, 3);
    expect(both({}, 40, 1)[1]).toEqual(a);
  });

  it('refuses magnitude powers other than 2 (the JavaScript path computes those)', () => {
    const cfg = nemoFrontEnd({ magPower: 1 });
    expect(() => melEnergiesWasm(cfg, new Float64Array(1024), 2, new Float32Array(160))).toThrow(/magPower 2/);
  });

  it("computes V8's Math.log bit for bit (fdlibm's algorithm)", () => {
    const next = rng(11);
    const buf = new DataView(new ArrayBuffer(8));
    const xs: number[] = [
      0,
      -0,
      -1,
      1,
      2,
      0.5,
      Infinity,
      -Infinity,
      NaN,
      2 ** -24,
      5e-324,
      2.2250738585072014e-308,
      Number.MAX_VALUE,
      1 + 2 ** -52,
      1 - 2 ** -53,
    ];
    for (let i = 0; i < 200_000; i++) {
      // Random bit patterns of positive doubles (every exponent), values near 1, and float32 energies + 2^-24.
      buf.setUint32(0, Math.floor(next() * 0x7ff00000));
      buf.setUint32(4, Math.floor(next() * 2 ** 32));
      xs.push(buf.getFloat64(0), 1 + (next() - 0.5) * 2 ** -18, 0.5 + 1.5 * next(), Math.fround(next() ** 8 * 1e3) + 2 ** -24);
    }
    const differ = xs.filter((x) => !Object.is(kernelLog(x), Math.log(x)));
    expect(differ).toEqual([]);
    // The two-lane version, on the same values paired up every way the rare paths can meet the common one.
    const shifted = [...xs.slice(1), xs[0]];
    for (const list of [xs, shifted, xs.slice(0, 999)]) {
      const got = kernelLogPairs(Float64Array.from(list));
      expect(list.filter((x, i) => !Object.is(got[i], Math.log(x)))).toEqual([]);
    }
  });

  describe('the whole front end in WebAssembly equals the JavaScript one bit for bit', () => {
    const next = rng(3);
    const noisy = (n: number, level: number): Float32Array => Float32Array.from({ length: n }, () => level * gauss(next));
    const inputs: Array<[string, Float32Array]> = [
      ['NeMo reference signal', nemoReferenceSignal()],
      ['1 sample', noisy(1, 0.1)],
      ['100 samples (reflection folds)', noisy(100, 0.1)],
      ['161 samples', noisy(161, 0.3)],
      ['silence', new Float32Array(4000)],
      ['3 s of noise', noisy(48000, 0.05)],
    ];
    for (const f of ['en_1', 'vi_2', 'digits_1']) {
      const file = path.join(root, 'samples', `${f}.wav`);
      const d = decodeWav(readFileSync(file), file);
      inputs.push([`samples/${f}.wav`, resample(mixToMono(d.channels), d.sampleRate, 16000)]);
    }
    const configs: Array<[string, Partial<NemoFrontEndConfig>]> = [
      ['NeMo 2.3 mel 80', { framing: 'reflect' }],
      ['zero-pad framing', { framing: 'zero-pad' }],
      ['no pre-emphasis, no normalisation, no log (the acoustic summary)', { nMels: 10, preemph: 0, normalize: 'none', log: false }],
      ['clamp guard 1e-5, mel 64, n_fft 1024', { nMels: 64, nFft: 1024, windowSize: 400, logZeroGuard: { type: 'clamp', value: 1e-5 } }],
      ['magnitude (magPower 1: JavaScript energies)', { magPower: 1 }],
    ];
    for (const [cname, cfg] of configs) {
      it(cname, () => {
        for (const [iname, x] of inputs) {
          if (cfg.framing === 'zero-pad' && x.length < 160) continue;
          const a = nemoMelSpectrogram(x, cfg);
          const b = nemoMelSpectrogramJs(x, cfg);
          expect([a.nMels, a.frames, a.validFrames], iname).toEqual([b.nMels, b.frames, b.validFrames]);
          expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer)), iname).toBe(true);
        }
      });
    }
    it('gives the features before normalisation from the same computation (logMel)', () => {
      for (const [iname, x] of inputs) {
        for (const mel of [nemoMelSpectrogram, nemoMelSpectrogramJs]) {
          const a = mel(x, {}, { keepLogMel: true });
          const raw = nemoMelSpectrogramJs(x, { normalize: 'none' });
          expect(a.logMel, iname).toBeDefined();
          // The unnormalised front end zeroes its padding frames; logMel keeps them.
          for (let m = 0; m < raw.nMels; m++) a.logMel!.fill(0, m * a.frames + a.validFrames, (m + 1) * a.frames);
          expect(Buffer.from(a.logMel!.buffer).equals(Buffer.from(raw.data.buffer)), iname).toBe(true);
          expect(Buffer.from(a.data.buffer).equals(Buffer.from(nemoMelSpectrogramJs(x).data.buffer)), iname).toBe(true);
        }
      }
      expect(nemoMelSpectrogram(inputs[0][1]).logMel).toBeUndefined();
    });

    it(`longer than one kernel block (${BLOCK_FRAMES} frames)`, () => {
      const x = noisy((BLOCK_FRAMES + 50) * 160, 0.1);
      const a = nemoMelSpectrogram(x);
      expect(Buffer.from(a.data.buffer).equals(Buffer.from(nemoMelSpectrogramJs(x).data.buffer))).toBe(true);
    });

    it('sums each channel before the log (melPower): Σ exp(log-mel) over the valid frames, the same on every path', () => {
      const long = noisy((BLOCK_FRAMES + 50) * 160, 0.1);
      for (const cfg of [{}, { normalize: 'none' as const }, { logZeroGuard: { type: 'clamp' as const, value: 1e-5 } }, { nMels: 10, log: false }]) {
        for (const [iname, x] of [...inputs, ['longer than a kernel block', long] as [string, Float32Array]]) {
          const a = nemoMelSpectrogram(x, cfg, { keepLogMel: true, melPower: true });
          const b = nemoMelSpectrogramJs(x, cfg, { keepLogMel: true, melPower: true });
          expect(a.melPower, iname).toEqual(b.melPower);
          expect(a.melPower, iname).toHaveLength(a.nMels);
          for (let m = 0; m < a.nMels; m++) {
            let s = 0;
            for (let t = 0; t < a.validFrames; t++) s += cfg.log === false ? a.logMel![m * a.frames + t] : Math.exp(a.logMel![m * a.frames + t]);
            // exp of a float32 log: the same to the log's rounding (|ln x| · 2^-24 relative)
            expect(Math.abs(a.melPower![m] - s), `${iname} channel ${m}`).toBeLessThanOrEqual(2e-6 * s);
          }
        }
      }
      expect(nemoMelSpectrogram(inputs[0][1], {}, { keepLogMel: true }).melPower).toBeUndefined();
    });
  });
});
