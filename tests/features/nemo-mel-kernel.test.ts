import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { melEnergiesJs, melEnergiesWasm, nemoFrontEnd, type NemoFrontEndConfig } from '../../src/features/nemo-mel.js';
import { BLOCK_FRAMES } from '../../src/features/nemo-mel-kernel.js';
import { gauss, rng } from '../helpers/random.js';

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

  it('the committed bytes are what wasm/nemo-mel-kernel.ts compiles to (npm run build:wasm)', async () => {
    const build = (await import(path.join(root, 'wasm', 'build.mjs'))) as { compileKernel(): Promise<Buffer>; moduleText(b: Buffer): string };
    const committed = readFileSync(path.join(root, 'src', 'features', 'nemo-mel-kernel-wasm.ts'), 'utf8');
    expect(build.moduleText(await build.compileKernel())).toBe(committed);
  }, 60_000);
});
