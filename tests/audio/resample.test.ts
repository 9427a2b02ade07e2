import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resample } from '../../src/audio/resample.js';
import { decodeWav, encodeWav } from '../../src/audio/wav.js';
import { sine } from '../helpers/wav.js';
import { hasSox } from '../helpers/tools.js';

const OUT = 16000;
const db = (r: number) => 10 * Math.log10(r);

/** Error energy vs the ideal 16 kHz tone over the interior 0.1–0.9 s, relative to the tone energy. */
function errVsIdeal(y: Float32Array, f: number, amp: number): number {
  let e = 0;
  let s = 0;
  for (let i = 1600; i < 14400; i++) {
    const ideal = amp * Math.sin((2 * Math.PI * f * i) / OUT);
    e += (y[i] - ideal) ** 2;
    s += ideal ** 2;
  }
  return db(e / s);
}

function residual(y: Float32Array, amp: number): number {
  let s = 0;
  for (let i = 1600; i < 14400; i++) s += y[i] ** 2;
  return db(s / 12800 / ((amp * amp) / 2));
}

/** Rate pairs the FFT convolution serves (at most 2 phases), up and down. */
const FFT_RATE_PAIRS = [
  [8000, 16000],
  [48000, 16000],
  [32000, 16000],
  [16000, 8000],
  [11025, 22050],
] as const;

describe('resample', () => {
  it('is the identity at equal rates and gives ceil(n·to/from) samples', () => {
    const x = sine(100, 0.01, 16000);
    expect(resample(x, 16000, 16000)).toBe(x);
    expect(resample(new Float32Array(441), 44100, 16000).length).toBe(160);
    expect(resample(new Float32Array(100), 44100, 16000).length).toBe(Math.ceil((100 * 16000) / 44100));
    expect(resample(new Float32Array(3), 8000, 16000).length).toBe(6);
  });

  for (const sr of [8000, 11025, 22050, 44100, 48000]) {
    it(`${sr} Hz -> 16 kHz keeps pass-band tones within -100 dB of the ideal tone`, () => {
      for (const f of [440, 1000, 3000, 6000, 7000]) {
        if (f > 0.45 * Math.min(sr, OUT)) continue;
        const y = resample(sine(f, 1, sr, 0.5), sr, OUT);
        expect(y.length).toBe(OUT);
        expect(errVsIdeal(y, f, 0.5)).toBeLessThan(-100);
      }
    });
  }

  it('rejects tones above the new Nyquist frequency by more than 100 dB', () => {
    for (const [sr, f] of [
      [44100, 8500],
      [44100, 12000],
      [48000, 9000],
      [22050, 9000],
      [48000, 20000],
    ] as const) {
      expect(residual(resample(sine(f, 1, sr, 0.5), sr, OUT), 0.5)).toBeLessThan(-100);
    }
  });

  it('the FFT convolution (≤ 2 phases) gives the direct polyphase result', () => {
    for (const [from, to] of FFT_RATE_PAIRS) {
      for (const n of [1, 3, 200, 4000, 12345]) {
        const x = Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin(i * 0.31) + 0.2 * Math.sin(i * 2.9) + (i % 7 === 0 ? 0.1 : 0));
        const fast = resample(x, from, to);
        const direct = resample(x, from, to, { method: 'direct' });
        expect(fast.length).toBe(direct.length);
        let worst = 0;
        for (let i = 0; i < fast.length; i++) worst = Math.max(worst, Math.abs(fast[i] - direct[i]));
        expect(worst).toBeLessThan(1e-6);
      }
    }
  });

  it('the FFT convolution in WebAssembly gives the JavaScript samples bit for bit', () => {
    for (const [from, to] of FFT_RATE_PAIRS) {
      // One block, an odd number of blocks, many blocks; exact zeros and a full-scale burst.
      for (const n of [300, 4000, 12345, 40001]) {
        const x = Float32Array.from({ length: n }, (_, i) =>
          i > n / 3 && i < n / 2 ? 0 : 0.4 * Math.sin(i * 0.31) + 0.2 * Math.sin(i * 2.9) + (i % 97 === 0 ? 0.5 : 0),
        );
        const wasm = resample(x, from, to);
        const js = resample(x, from, to, { method: 'fft-js' });
        expect(wasm.length).toBe(js.length);
        expect(Buffer.from(wasm.buffer).equals(Buffer.from(js.buffer)), `${from} -> ${to}, ${n} samples`).toBe(true);
      }
    }
  });

  it('handles awkward rate ratios (large reduced up-factor) with the interpolated kernel', () => {
    const y = resample(sine(1000, 1, 44101, 0.5), 44101, OUT);
    expect(y.length).toBe(Math.ceil((44101 * OUT) / 44101));
    expect(errVsIdeal(y, 1000, 0.5)).toBeLessThan(-90);
  });
});

describe.skipIf(!hasSox)('resample agrees with Debian sox (rate -h) on test tones', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'resample-sox-'));
  function sox(x: Float32Array, sr: number): Float32Array {
    const inp = path.join(dir, 'in.wav');
    const out = path.join(dir, 'out.wav');
    writeFileSync(inp, encodeWav(x, sr, { encoding: 'float32' }));
    execFileSync('sox', [inp, '-e', 'floating-point', '-b', '32', out, 'rate', String(OUT)]);
    return decodeWav(readFileSync(out)).channels[0];
  }
  for (const sr of [8000, 22050, 44100, 48000]) {
    it(`${sr} Hz -> 16 kHz: same length, difference below -90 dB for tones up to 6 kHz`, () => {
      for (const f of [440, 1000, 3000, 6000]) {
        if (f > 0.45 * Math.min(sr, OUT)) continue;
        const x = sine(f, 1, sr, 0.5);
        const mine = resample(x, sr, OUT);
        const ref = sox(x, sr);
        expect(mine.length).toBe(ref.length);
        let e = 0;
        let s = 0;
        for (let i = 1600; i < 14400; i++) {
          e += (mine[i] - ref[i]) ** 2;
          s += ref[i] ** 2;
        }
        expect(db(e / s)).toBeLessThan(-90);
      }
    });
  }
});
