/**
 * The NeMo mel front end's WebAssembly kernel (source: wasm/nemo-mel-kernel.ts): STFT power + sparse mel energies,
 * two frames per float64x2 SIMD lane pair. Every lane does the float64 operations of the JavaScript path in the
 * same order (WebAssembly has no fused multiply-add), so the energies are bit-identical to it (tested); it is
 * several times faster (`npm run bench -- frontend`).
 *
 * One instance per thread (module state), used synchronously. Its memory holds each front-end plan's tables
 * (a few KiB, kept) and one block of work (the padded signal of at most `BLOCK_FRAMES` frames and their
 * energies), so it stays bounded whatever the input's length: longer inputs go through in blocks.
 */
import { NEMO_MEL_KERNEL_WASM_BASE64 } from './nemo-mel-kernel-wasm.js';
import type { RealFft } from '../util/fft.js';
import { align16, ensureBytes, instantiateKernel, type WasmMemory } from '../util/wasm.js';

/** Frames per kernel call (20.48 s at a 10 ms hop): bounds the kernel's memory. */
export const BLOCK_FRAMES = 2048;

interface KernelExports {
  memory: WasmMemory;
  melEnergies(
    signal: number,
    frames: number,
    hop: number,
    m: number,
    window: number,
    rev: number,
    cos: number,
    sin: number,
    wr: number,
    wi: number,
    rowStart: number,
    rowOffset: number,
    weights: number,
    nMels: number,
    work: number,
    out: number,
  ): void;
  preemphasis(x: number, length: number, a: number, y: number): void;
  logEnergies(p: number, n: number, clamp: number, guard: number): void;
  normalizeRows(p: number, nMels: number, frames: number, valid: number): void;
  logFdlibm(x: number): number;
  logValues(p: number, n: number): void;
}

/** Byte offsets of one plan's tables in the kernel's memory. */
export interface KernelTables {
  readonly m: number;
  readonly nFft: number;
  readonly nMels: number;
  readonly window: number;
  readonly rev: number;
  readonly cos: number;
  readonly sin: number;
  readonly wr: number;
  readonly wi: number;
  readonly rowStart: number;
  readonly rowOffset: number;
  readonly weights: number;
}

let kernel: KernelExports | null = null;
/** End of the tables (bytes); the work block starts after it. */
let tablesEnd = 0;

function instance(): KernelExports {
  kernel ??= instantiateKernel<KernelExports>(NEMO_MEL_KERNEL_WASM_BASE64);
  return kernel;
}

/** Copies a plan's tables into the kernel's memory (once per plan). */
export function kernelTables(
  fft: RealFft,
  window: Float64Array,
  rowStart: Int32Array,
  rowOffset: Int32Array,
  weights: Float64Array,
  nMels: number,
): KernelTables {
  const k = instance();
  const { half, wr, wi } = fft.tables;
  const { cos, sin } = half.twiddles;
  const parts: Array<Float64Array | Int32Array | Uint32Array> = [window, half.reversed, cos, sin, wr, wi, rowStart, rowOffset, weights];
  const at: number[] = [];
  let end = align16(tablesEnd);
  for (const a of parts) {
    at.push(end);
    end = align16(end + a.byteLength);
  }
  ensureBytes(k.memory, end);
  parts.forEach((a, i) => new Uint8Array(k.memory.buffer, at[i], a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)));
  tablesEnd = end;
  const [w, rev, c, s, r, i, rs, ro, wt] = at;
  return { m: fft.n / 2, nFft: fft.n, nMels, window: w, rev, cos: c, sin: s, wr: r, wi: i, rowStart: rs, rowOffset: ro, weights: wt };
}

/**
 * float32 mel energies of frames [0, frames) of `padded` (frame t starts at t·hop; `padded` holds at least
 * (frames − 1)·hop + n_fft values) into `out` [nMels][frames], as the JavaScript path computes them.
 */
export function kernelMelEnergies(t: KernelTables, padded: Float64Array, frames: number, hop: number, out: Float32Array): void {
  const k = instance();
  const { m, nFft, nMels } = t;
  for (let t0 = 0; t0 < frames; t0 += BLOCK_FRAMES) {
    const n = Math.min(BLOCK_FRAMES, frames - t0);
    const work = align16(tablesEnd);
    const signal = align16(work + (3 * m + 1) * 16);
    const signalLength = (n - 1) * hop + nFft;
    const outAt = align16(signal + signalLength * 8);
    ensureBytes(k.memory, outAt + nMels * n * 4);
    const buffer = k.memory.buffer;
    new Float64Array(buffer, signal, signalLength).set(padded.subarray(t0 * hop, t0 * hop + signalLength));
    k.melEnergies(signal, n, hop, m, t.window, t.rev, t.cos, t.sin, t.wr, t.wi, t.rowStart, t.rowOffset, t.weights, nMels, work, outAt);
    const energies = new Float32Array(buffer, outAt, nMels * n);
    if (n === frames) out.set(energies);
    else for (let r = 0; r < nMels; r++) out.set(energies.subarray(r * n, (r + 1) * n), r * frames + t0);
  }
}

/** fdlibm's natural logarithm as compiled into the kernel (V8's Math.log is fdlibm's: the tests compare them). */
export function kernelLog(x: number): number {
  return instance().logFdlibm(x);
}

/** `kernelLog` of every value, through the kernel's two-lane logarithm (the one the front end uses). */
export function kernelLogPairs(xs: Float64Array): Float64Array {
  const k = instance();
  const at = align16(tablesEnd);
  ensureBytes(k.memory, at + xs.byteLength);
  const view = new Float64Array(k.memory.buffer, at, xs.length);
  view.set(xs);
  k.logValues(at, xs.length);
  return Float64Array.from(view);
}

/**
 * Per mel channel, the sum over frames [0, valid) of what the log is taken of: e + guard (`clamp`: max(e, guard)),
 * or e without a log (`guard` null), in float64 in frame order. `Features.melPower`: Σ exp(log-mel) without an
 * exponential per value (the same to about 1e-7 relative, the float32 rounding of the log).
 */
export function channelPower(
  energies: Float32Array,
  nMels: number,
  frames: number,
  valid: number,
  guard: { clamp: boolean; guard: number } | null,
): Float64Array {
  const out = new Float64Array(nMels);
  for (let m = 0; m < nMels; m++) {
    const row = m * frames;
    let s = 0;
    if (!guard) for (let t = 0; t < valid; t++) s += energies[row + t];
    else if (guard.clamp) for (let t = 0; t < valid; t++) s += Math.max(energies[row + t], guard.guard);
    else for (let t = 0; t < valid; t++) s += energies[row + t] + guard.guard;
    out[m] = s;
  }
  return out;
}

/** What `kernelMelFeatures` does after the energies. */
export interface KernelFeatureSteps {
  preemph: number;
  /** Centre padding: 'reflect' or zeros. */
  reflect: boolean;
  /** null: no log. */
  log: { clamp: boolean; guard: number } | null;
  normalize: boolean;
  validFrames: number;
  /** Also return the values before normalisation. */
  logMel: boolean;
  /** Also return `channelPower` of the energies. */
  power: boolean;
}

/**
 * The whole front end for inputs of at most `BLOCK_FRAMES` frames in the kernel: pre-emphasis into the centred
 * signal, centre padding (the indices by `reflectIndex`), the energies, log, per-feature normalisation and the
 * zeroed padding frames. Returns the features [nMels][frames] (a new array) and, with `steps.logMel`, a copy
 * of them before the normalisation; with `steps.power`, `channelPower` of the energies.
 */
export function kernelMelFeatures(
  t: KernelTables,
  samples: Float32Array,
  frames: number,
  hop: number,
  steps: KernelFeatureSteps,
  reflectIndex: (i: number, length: number) => number,
): { data: Float32Array; logMel?: Float32Array; power?: Float64Array } {
  const k = instance();
  const { m, nFft, nMels } = t;
  if (frames > BLOCK_FRAMES) throw new RangeError(`kernelMelFeatures takes at most ${BLOCK_FRAMES} frames, got ${frames}`);
  const L = samples.length;
  const pad = nFft / 2;
  const work = align16(tablesEnd);
  const input = align16(work + (3 * m + 1) * 16);
  const signal = align16(input + L * 4);
  const need = L + 2 * pad;
  const outAt = align16(signal + need * 8);
  ensureBytes(k.memory, outAt + nMels * frames * 4);
  const buffer = k.memory.buffer;
  new Float32Array(buffer, input, L).set(samples);
  k.preemphasis(input, L, steps.preemph, signal + pad * 8);
  const x = new Float64Array(buffer, signal, need);
  if (steps.reflect) {
    for (let i = 0; i < pad; i++) {
      x[i] = x[pad + reflectIndex(i - pad, L)];
      x[pad + L + i] = x[pad + reflectIndex(L + i, L)];
    }
  } else {
    x.fill(0, 0, pad);
    x.fill(0, pad + L, need);
  }
  k.melEnergies(signal, frames, hop, m, t.window, t.rev, t.cos, t.sin, t.wr, t.wi, t.rowStart, t.rowOffset, t.weights, nMels, work, outAt);
  const n = nMels * frames;
  const power = steps.power ? channelPower(new Float32Array(buffer, outAt, n), nMels, frames, steps.validFrames, steps.log) : undefined;
  if (steps.log) k.logEnergies(outAt, n, steps.log.clamp ? 1 : 0, steps.log.guard);
  const logMel = steps.logMel ? new Float32Array(buffer.slice(outAt, outAt + n * 4)) : undefined;
  if (steps.normalize) k.normalizeRows(outAt, nMels, frames, steps.validFrames);
  const out = new Float32Array(n);
  out.set(new Float32Array(buffer, outAt, n));
  for (let r = 0; r < nMels; r++) out.fill(0, r * frames + steps.validFrames, (r + 1) * frames);
  return { data: out, ...(logMel ? { logMel } : {}), ...(power ? { power } : {}) };
}
