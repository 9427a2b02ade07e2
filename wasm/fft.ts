// The float64 FFT butterflies of src/util/fft.ts for two transforms at once (one per f64x2 lane), shared by the
// WebAssembly kernels (wasm/nemo-mel-kernel.ts, wasm/resample-kernel.ts). Same operations, same order, no fused
// multiply-add: each lane's values are bit-identical to the JavaScript transform's.

// @ts-ignore: decorator
@inline
export function ld(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline
export function st(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 4), v);
}

/**
 * src/util/fft.ts `Fft`'s butterflies (radix-2 stages two at a time) on two transforms at once, one per float64
 * lane of (re, im) (v128 arrays of n): `transformReordered` with `skipUnitTwiddles`, `transform`'s without.
 */
export function butterflies(re: usize, im: usize, n: i32, cosT: usize, sinT: usize, skipUnitTwiddles: bool): void {
  let q = 1;
  if ((ctz(n) & 1) == 1) {
    for (let a = 0; a < n; a += 2) {
      const br = ld(re, a + 1);
      const bi = ld(im, a + 1);
      const ar = ld(re, a);
      const ai = ld(im, a);
      st(re, a + 1, f64x2.sub(ar, br));
      st(im, a + 1, f64x2.sub(ai, bi));
      st(re, a, f64x2.add(ar, br));
      st(im, a, f64x2.add(ai, bi));
    }
    q = 2;
  }
  for (; 4 * q <= n; q *= 4) {
    const s1 = n / (2 * q);
    const s2 = n / (4 * q);
    for (let i0 = 0; skipUnitTwiddles && i0 < n; i0 += 4 * q) {
      const i1 = i0 + q;
      const i2 = i1 + q;
      const i3 = i2 + q;
      const x0r = ld(re, i0);
      const x0i = ld(im, i0);
      const x1r = ld(re, i1);
      const x1i = ld(im, i1);
      const x2r = ld(re, i2);
      const x2i = ld(im, i2);
      const x3r = ld(re, i3);
      const x3i = ld(im, i3);
      const y0r = f64x2.add(x0r, x1r);
      const y0i = f64x2.add(x0i, x1i);
      const y1r = f64x2.sub(x0r, x1r);
      const y1i = f64x2.sub(x0i, x1i);
      const y2r = f64x2.add(x2r, x3r);
      const y2i = f64x2.add(x2i, x3i);
      const y3r = f64x2.sub(x2r, x3r);
      const y3i = f64x2.sub(x2i, x3i);
      st(re, i0, f64x2.add(y0r, y2r));
      st(im, i0, f64x2.add(y0i, y2i));
      st(re, i2, f64x2.sub(y0r, y2r));
      st(im, i2, f64x2.sub(y0i, y2i));
      st(re, i1, f64x2.add(y1r, y3i));
      st(im, i1, f64x2.sub(y1i, y3r));
      st(re, i3, f64x2.sub(y1r, y3i));
      st(im, i3, f64x2.add(y1i, y3r));
    }
    for (let k = skipUnitTwiddles ? 1 : 0; k < q; k++) {
      const w1r = f64x2.splat(load<f64>(cosT + ((<usize>(k * s1)) << 3)));
      const w1i = f64x2.splat(load<f64>(sinT + ((<usize>(k * s1)) << 3)));
      const w2r = f64x2.splat(load<f64>(cosT + ((<usize>(k * s2)) << 3)));
      const w2i = f64x2.splat(load<f64>(sinT + ((<usize>(k * s2)) << 3)));
      for (let i0 = k; i0 < n; i0 += 4 * q) {
        const i1 = i0 + q;
        const i2 = i1 + q;
        const i3 = i2 + q;
        let r = ld(re, i1);
        let mi = ld(im, i1);
        const t1r = f64x2.sub(f64x2.mul(r, w1r), f64x2.mul(mi, w1i));
        const t1i = f64x2.add(f64x2.mul(r, w1i), f64x2.mul(mi, w1r));
        r = ld(re, i3);
        mi = ld(im, i3);
        const t3r = f64x2.sub(f64x2.mul(r, w1r), f64x2.mul(mi, w1i));
        const t3i = f64x2.add(f64x2.mul(r, w1i), f64x2.mul(mi, w1r));
        const x0r = ld(re, i0);
        const x0i = ld(im, i0);
        const x2r = ld(re, i2);
        const x2i = ld(im, i2);
        const y0r = f64x2.add(x0r, t1r);
        const y0i = f64x2.add(x0i, t1i);
        const y1r = f64x2.sub(x0r, t1r);
        const y1i = f64x2.sub(x0i, t1i);
        const y2r = f64x2.add(x2r, t3r);
        const y2i = f64x2.add(x2i, t3i);
        const y3r = f64x2.sub(x2r, t3r);
        const y3i = f64x2.sub(x2i, t3i);
        const v2r = f64x2.sub(f64x2.mul(y2r, w2r), f64x2.mul(y2i, w2i));
        const v2i = f64x2.add(f64x2.mul(y2r, w2i), f64x2.mul(y2i, w2r));
        const u3r = f64x2.sub(f64x2.mul(y3r, w2r), f64x2.mul(y3i, w2i));
        const u3i = f64x2.add(f64x2.mul(y3r, w2i), f64x2.mul(y3i, w2r));
        st(re, i0, f64x2.add(y0r, v2r));
        st(im, i0, f64x2.add(y0i, v2i));
        st(re, i2, f64x2.sub(y0r, v2r));
        st(im, i2, f64x2.sub(y0i, v2i));
        st(re, i1, f64x2.add(y1r, u3i));
        st(im, i1, f64x2.sub(y1i, u3r));
        st(re, i3, f64x2.sub(y1r, u3i));
        st(im, i3, f64x2.add(y1i, u3r));
      }
    }
  }
}

