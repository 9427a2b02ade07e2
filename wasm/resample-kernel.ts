// AssemblyScript source of the resampler's WebAssembly kernel (src/audio/resample.ts runs it); `npm run build:wasm`
// compiles it into src/audio/resample-kernel-wasm.ts (base64, committed; a test rebuilds it and compares the bytes).
//
// Two overlap-save blocks of the FFT convolution at once, one per float64 lane: the forward transform of the
// block, the product with the filter spectrum, and the second transform, exactly as `fftPolyphase` does them
// with src/util/fft.ts `Fft.transform` (the same operations in the same order, no fused multiply-add), so the
// resampled samples are bit-identical to the JavaScript ones. No allocation: arguments are byte offsets.

import { butterflies, ld, st } from './fft';

/**
 * Blocks x0 and x1 (n float64 each) -> in (re, im) (v128 arrays of n, lane 0 from x0, lane 1 from x1):
 * Z = FFT(conj(FFT(x) · G)), G = gRe + i·gIm; `rev` is the bit reversal (u32[n]), cosT/sinT the twiddles (f64[n/2]).
 */
export function convolvePair(x0: usize, x1: usize, n: i32, rev: usize, cosT: usize, sinT: usize, gRe: usize, gIm: usize, re: usize, im: usize): void {
  const zero = f64x2.splat(0);
  // The input in bit-reversed order (what Fft.transform's swap permutation produces), imaginary parts zero.
  for (let j = 0; j < n; j++) {
    const r = <i32>load<u32>(rev + (<usize>j << 2));
    const o = <usize>j << 3;
    st(re, r, f64x2.replace_lane(f64x2.splat(load<f64>(x0 + o)), 1, load<f64>(x1 + o)));
    st(im, r, zero);
  }
  butterflies(re, im, n, cosT, sinT, false);
  // Y = X·G, conjugated: re = a·c − b·d, im = −(a·d + b·c).
  for (let k = 0; k < n; k++) {
    const a = ld(re, k);
    const b = ld(im, k);
    const c = f64x2.splat(load<f64>(gRe + (<usize>k << 3)));
    const d = f64x2.splat(load<f64>(gIm + (<usize>k << 3)));
    st(re, k, f64x2.sub(f64x2.mul(a, c), f64x2.mul(b, d)));
    st(im, k, f64x2.neg(f64x2.add(f64x2.mul(a, d), f64x2.mul(b, c))));
  }
  // Fft.transform's swap permutation, then the butterflies.
  for (let i = 0; i < n; i++) {
    const j = <i32>load<u32>(rev + (<usize>i << 2));
    if (j > i) {
      let t = ld(re, i);
      st(re, i, ld(re, j));
      st(re, j, t);
      t = ld(im, i);
      st(im, i, ld(im, j));
      st(im, j, t);
    }
  }
  butterflies(re, im, n, cosT, sinT, false);
}
