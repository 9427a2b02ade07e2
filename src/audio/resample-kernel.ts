/**
 * The resampler's WebAssembly kernel (source: wasm/resample-kernel.ts): two overlap-save blocks of the FFT
 * convolution at once, one per float64 SIMD lane, with the operations of `Fft.transform` in the same order, so
 * the resampled samples are bit-identical to the JavaScript path (tested). One instance per thread, used
 * synchronously; its memory holds one call's tables and two blocks, whatever the input's length.
 */
import { RESAMPLE_KERNEL_WASM_BASE64 } from './resample-kernel-wasm.js';
import type { Fft } from '../util/fft.js';
import { align16, ensureBytes, instantiateKernel, type WasmMemory } from '../util/wasm.js';

interface KernelExports {
  memory: WasmMemory;
  convolvePair(x0: number, x1: number, n: number, rev: number, cos: number, sin: number, gRe: number, gIm: number, re: number, im: number): void;
}

let kernel: KernelExports | null = null;

/** A prepared FFT convolution: the transform's and the filter's tables copied into the kernel's memory. */
export class BlockConvolver {
  private readonly k: KernelExports;
  private readonly at: { x0: number; x1: number; rev: number; cos: number; sin: number; gRe: number; gIm: number; re: number; im: number };

  /** `fft` of size n; the filter spectrum (gRe, gIm) of length n. */
  constructor(
    private readonly fft: Fft,
    gRe: Float64Array,
    gIm: Float64Array,
  ) {
    kernel ??= instantiateKernel<KernelExports>(RESAMPLE_KERNEL_WASM_BASE64);
    this.k = kernel;
    const n = fft.n;
    const { cos, sin } = fft.twiddles;
    const sizes = { x0: n * 8, x1: n * 8, rev: n * 4, cos: cos.byteLength, sin: sin.byteLength, gRe: n * 8, gIm: n * 8, re: n * 16, im: n * 16 };
    let end = 0;
    const at = {} as Record<keyof typeof sizes, number>;
    for (const [name, bytes] of Object.entries(sizes) as Array<[keyof typeof sizes, number]>) {
      at[name] = end;
      end = align16(end + bytes);
    }
    this.at = at;
    ensureBytes(this.k.memory, end);
    const buffer = this.k.memory.buffer;
    new Uint32Array(buffer, at.rev, n).set(fft.reversed);
    new Float64Array(buffer, at.cos, cos.length).set(cos);
    new Float64Array(buffer, at.sin, sin.length).set(sin);
    new Float64Array(buffer, at.gRe, n).set(gRe);
    new Float64Array(buffer, at.gIm, n).set(gIm);
  }

  /**
   * For the blocks x[s0 .. s0 + n) and x[s1 .. s1 + n) (zeros past the end of x): Z = FFT(conj(FFT(block)·G)),
   * as `Fft.transform` computes it. Returns the kernel's (re, im) arrays, lane l of bin i at index 2i + l;
   * valid until the next call.
   */
  convolvePair(x: Float64Array, s0: number, s1: number): { re: Float64Array; im: Float64Array } {
    const n = this.fft.n;
    const { at, k } = this;
    // Copying the tables in costs less than keeping them: one convolver per call (see fftPolyphase), any number of rate pairs.
    const buffer = k.memory.buffer;
    for (const [s, ptr] of [
      [s0, at.x0],
      [s1, at.x1],
    ]) {
      const block = new Float64Array(buffer, ptr, n);
      const avail = Math.max(0, Math.min(n, x.length - s));
      block.set(x.subarray(s, s + avail));
      block.fill(0, avail);
    }
    k.convolvePair(at.x0, at.x1, n, at.rev, at.cos, at.sin, at.gRe, at.gIm, at.re, at.im);
    return { re: new Float64Array(buffer, at.re, 2 * n), im: new Float64Array(buffer, at.im, 2 * n) };
  }
}
