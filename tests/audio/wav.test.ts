import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeWav, encodeWav, mixToMono, mulawToLinear, alawToLinear, linearToMulaw, linearToAlaw, type WavEncoding } from '../../src/audio/wav.js';
import { UserError } from '../../src/util/errors.js';
import { sine } from '../helpers/wav.js';

const hasSox =
  existsSync('/usr/bin/sox') ||
  (() => {
    try {
      execFileSync('sox', ['--version']);
      return true;
    } catch {
      return false;
    }
  })();

function maxErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const tolerance: Record<WavEncoding, number> = {
  pcm8: 1 / 128,
  pcm16: 1 / 32768,
  pcm24: 1 / 8388608,
  pcm32: 1e-7,
  float32: 0,
  float64: 0,
  mulaw: 0.02,
  alaw: 0.02,
};

function expectUserError(fn: () => unknown, pattern: RegExp): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(pattern);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('decodeWav / encodeWav', () => {
  const x = sine(440, 0.05, 16000, 0.7);
  for (const enc of Object.keys(tolerance) as WavEncoding[]) {
    for (const extensible of [false, true]) {
      it(`round-trips ${enc}${extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''}`, () => {
        const d = decodeWav(encodeWav(x, 16000, { encoding: enc, extensible }), 'x.wav');
        expect(d.sampleRate).toBe(16000);
        expect(d.channels).toHaveLength(1);
        expect(maxErr(d.channels[0], x)).toBeLessThanOrEqual(tolerance[enc] * 0.5 + 1e-9 + (enc === 'mulaw' || enc === 'alaw' ? tolerance[enc] : 0));
      });
    }
  }

  it('accepts sample rates from 1 kHz to 384 kHz only (a header must not make the work unbounded)', () => {
    const x = sine(440, 0.01, 16000);
    for (const rate of [1000, 8000, 384000]) expect(decodeWav(encodeWav(x, rate)).sampleRate).toBe(rate);
    for (const rate of [1, 999, 384001, 4294967291]) {
      const bytes = encodeWav(x, 16000);
      new DataView(bytes.buffer).setUint32(24, rate, true);
      expect(() => decodeWav(bytes, 'odd.wav')).toThrow(
        new RegExp(`^odd\\.wav: "fmt " chunk declares a sample rate of ${rate} Hz; expected 1000 to 384000 Hz$`),
      );
    }
  });

  it('scales integer PCM by 1/2^(bits-1) (NeMo convention) and 8-bit as unsigned', () => {
    const bytes = encodeWav(new Float32Array([-1, -0.5, 0, 0.5]), 8000, { encoding: 'pcm16' });
    expect(Array.from(decodeWav(bytes).channels[0])).toEqual([-1, -0.5, 0, 0.5]);
    const b8 = encodeWav(new Float32Array([-1, 0, 0.5]), 8000, { encoding: 'pcm8' });
    expect(Array.from(b8.subarray(44, 47))).toEqual([0, 128, 192]);
    expect(b8.length).toBe(48); // odd data chunk padded to even
    expect(Array.from(decodeWav(b8).channels[0])).toEqual([-1, 0, 0.5]);
  });

  it('reads mono 16-bit PCM the same at any byte offset (typed-array fast path or DataView)', () => {
    const values = Int16Array.from({ length: 1001 }, (_, i) => ((i * 7919) % 65536) - 32768);
    const bytes = encodeWav(
      Float32Array.from(values, (v) => v / 32768),
      16000,
      { encoding: 'pcm16' },
    );
    const odd = new Uint8Array(bytes.length + 1).subarray(1);
    odd.set(bytes);
    const expected = Float32Array.from(values, (v) => v / 32768);
    for (const b of [bytes, odd]) expect(decodeWav(b).channels[0]).toEqual(expected);
    expect(Array.from(expected.subarray(0, 2))).toEqual([-1, (7919 - 32768) / 32768]);
  });

  it('G.711 tables are the ITU ones', () => {
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x00)).toBeCloseTo(-32124 / 32768, 10);
    expect(mulawToLinear(0x80)).toBeCloseTo(32124 / 32768, 10);
    expect(alawToLinear(0xd5)).toBeCloseTo(8 / 32768, 10);
    expect(alawToLinear(0xaa)).toBeCloseTo(32256 / 32768, 10);
    for (let b = 0; b < 256; b++) {
      expect(linearToMulaw(mulawToLinear(b))).toBe(b === 0x7f ? 0xff : b);
      expect(linearToAlaw(alawToLinear(b))).toBe(b);
    }
  });

  it('reads several channels and mixes by averaging', () => {
    const l = new Float32Array([0.5, 0.25, -1]);
    const r = new Float32Array([0.25, -0.25, 0]);
    const c = new Float32Array([0, 0.5, 0.5]);
    const d = decodeWav(encodeWav([l, r, c], 22050, { encoding: 'float32' }));
    expect(d.channels).toHaveLength(3);
    expect(d.sampleRate).toBe(22050);
    expect(Array.from(mixToMono(d.channels))).toEqual([0.25, 0.5 / 3, -0.5 / 3].map(Math.fround));
  });

  it('skips unknown chunks (odd sizes padded) before and after data', () => {
    const base = encodeWav(new Float32Array([0.5, -0.5]), 16000);
    const fmtEnd = 12 + 8 + 16;
    const list = new Uint8Array([...'LIST'].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 1, 2, 3, 0]));
    const tail = new Uint8Array([...'id3 '].map((c) => c.charCodeAt(0)).concat([2, 0, 0, 0, 9, 9]));
    const bytes = new Uint8Array(base.length + list.length + tail.length);
    bytes.set(base.subarray(0, fmtEnd));
    bytes.set(list, fmtEnd);
    bytes.set(base.subarray(fmtEnd), fmtEnd + list.length);
    bytes.set(tail, fmtEnd + list.length + base.length - fmtEnd);
    expect(Array.from(decodeWav(bytes).channels[0])).toEqual([0.5, -0.5]);
  });

  it('accepts a streaming header (data size 0xFFFFFFFF)', () => {
    const bytes = encodeWav(new Float32Array([0.25, 0.5]), 16000);
    new DataView(bytes.buffer).setUint32(40, 0xffffffff, true);
    expect(Array.from(decodeWav(bytes).channels[0])).toEqual([0.25, 0.5]);
  });

  describe('errors name the file and what was expected', () => {
    const good = encodeWav(sine(440, 0.01), 16000);
    it('truncated header', () => {
      const e = expectUserError(() => decodeWav(good.subarray(0, 8), 'short.wav'), /short\.wav: .*truncated/);
      expect(e.source).toBe('short.wav');
    });
    it('truncated data chunk', () => {
      expectUserError(
        () => decodeWav(good.subarray(0, good.length - 10), 'cut.wav'),
        /cut\.wav: truncated file: the data chunk declares 320 bytes but only 310/,
      );
    });
    it('no data chunk', () => {
      expectUserError(() => decodeWav(good.subarray(0, 36), 'nodata.wav'), /nodata\.wav: no "data" chunk/);
    });
    it('non-RIFF', () => {
      expectUserError(() => decodeWav(new TextEncoder().encode('hello, this is text'), 'a.txt'), /a\.txt: not a RIFF\/WAVE file \(starts with "hell"\)/);
      expectUserError(() => decodeWav(new Uint8Array([0x52, 0x49, 0x46, 0x46, 4, 0, 0, 0, 0x41, 0x56, 0x49, 0x20]), 'v.avi'), /form type "AVI "/);
      expectUserError(() => decodeWav(new Uint8Array(0), 'empty.wav'), /empty\.wav: empty file/);
    });
    it('zero samples', () => {
      expectUserError(() => decodeWav(encodeWav(new Float32Array(0), 16000), 'silent.wav'), /silent\.wav: contains zero samples/);
    });
    it('NaN and Inf samples', () => {
      expectUserError(
        () => decodeWav(encodeWav(new Float32Array([0, NaN]), 16000, { encoding: 'float32' }), 'nan.wav'),
        /nan\.wav: sample 1 of channel 0 is NaN/,
      );
      expectUserError(
        () => decodeWav(encodeWav(new Float32Array([Infinity]), 16000, { encoding: 'float64' }), 'inf.wav'),
        /inf\.wav: sample 0 of channel 0 is Infinity/,
      );
    });
    it('unsupported encodings', () => {
      const adpcm = encodeWav(sine(440, 0.01), 16000);
      new DataView(adpcm.buffer).setUint16(20, 2, true);
      expectUserError(() => decodeWav(adpcm, 'adpcm.wav'), /adpcm\.wav: unsupported WAV encoding Microsoft ADPCM; expected PCM/);
      const pcm12 = encodeWav(sine(440, 0.01), 16000);
      new DataView(pcm12.buffer).setUint16(34, 12, true);
      expectUserError(() => decodeWav(pcm12, '12bit.wav'), /unsupported PCM bit depth 12/);
      const rifx = encodeWav(sine(440, 0.01), 16000);
      rifx[3] = 0x58;
      expectUserError(() => decodeWav(rifx, 'be.wav'), /RIFX/);
    });
  });
});

describe.skipIf(!hasSox)('decodeWav agrees with sox on files sox wrote', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wav-sox-'));
  const cases: Array<[string, string[]]> = [
    ['u8', ['-e', 'unsigned-integer', '-b', '8']],
    ['s16', ['-e', 'signed-integer', '-b', '16']],
    ['s24', ['-e', 'signed-integer', '-b', '24']],
    ['s32', ['-e', 'signed-integer', '-b', '32']],
    ['f32', ['-e', 'floating-point', '-b', '32']],
    ['f64', ['-e', 'floating-point', '-b', '64']],
    ['ulaw', ['-e', 'u-law']],
    ['alaw', ['-e', 'a-law']],
  ];
  for (const [name, args] of cases) {
    it(`${name} stereo`, () => {
      const src = path.join(dir, `${name}.wav`);
      execFileSync('sox', ['-n', '-r', '11025', '-c', '2', ...args, src, 'synth', '0.05', 'sine', '300', 'sine', '1234', 'vol', '0.6']);
      const ref = path.join(dir, `${name}.f64.raw`);
      execFileSync('sox', [src, '-t', 'raw', '-e', 'floating-point', '-b', '64', '-L', ref]);
      const raw = readFileSync(ref);
      const sox = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      const d = decodeWav(readFileSync(src), src);
      expect(d.sampleRate).toBe(11025);
      expect(d.channels).toHaveLength(2);
      let err = 0;
      for (let i = 0; i < d.channels[0].length; i++) {
        err = Math.max(err, Math.abs(d.channels[0][i] - sox[2 * i]), Math.abs(d.channels[1][i] - sox[2 * i + 1]));
      }
      expect(err).toBeLessThan(1e-6);
    });
  }
});
