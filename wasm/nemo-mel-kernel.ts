// AssemblyScript source of the NeMo mel front end's WebAssembly kernel (src/features/nemo-mel.ts runs it);
// `npm run build:wasm` compiles it into src/features/nemo-mel-wasm.ts (base64, committed; a test rebuilds it
// and compares the bytes).
//
// One call turns a block of STFT frames of the padded, pre-emphasised float64 signal into float32 mel energies:
// window, real FFT (half-size complex FFT + split), float32 power, sparse mel rows. Two frames at a time, one in
// each float64 lane of a v128: every lane performs exactly the float64 operations of the JavaScript code
// (src/util/fft.ts `RealFft.powerWindowed` with `Fft.transformReordered`, then the mel sums of nemo-mel.ts), in the
// same order, and WebAssembly has no fused multiply-add, so the energies are bit-identical to the JavaScript ones.
// All tables (window, bit reversal, twiddles, mel rows) come from JavaScript, computed there with Math.cos etc.
// No allocation: every argument is a byte offset into the module's memory, laid out by the caller.

/** Frames [0, frames) of the block starting at `signal` (frame t reads signal[t·hop ..]), mel energies into `out` [nMels][frames]. */
export function melEnergies(
  signal: usize, // f64: the padded signal from the block's first frame on
  frames: i32,
  hop: i32,
  m: i32, // n_fft / 2: the half-size complex FFT
  window: usize, // f64[n_fft]
  rev: usize, // u32[m]: bit-reversed positions of the half-size FFT
  cosT: usize, // f64[m/2]: cos(2πi/m)
  sinT: usize, // f64[m/2]: −sin(2πi/m)
  wr: usize, // f64[m+1]: cos(2πk/n_fft)
  wi: usize, // f64[m+1]: −sin(2πk/n_fft)
  rowStart: usize, // i32[nMels]
  rowOffset: usize, // i32[nMels+1]
  weights: usize, // f64[]: the packed float32 filterbank weights
  nMels: i32,
  work: usize, // 16-byte aligned scratch: 3·(m+1) v128
  out: usize, // f32[nMels][frames]
): void {
  const zr = work;
  const zi = work + (<usize>m << 4);
  const power = zi + (<usize>m << 4);
  for (let t = 0; t < frames; t += 2) {
    const o0 = signal + ((<usize>(t * hop)) << 3);
    const o1 = t + 1 < frames ? o0 + ((<usize>hop) << 3) : o0; // an odd last frame: lane 1 repeats it, not stored
    // Windowed frame, even samples as real parts, odd as imaginary, stored bit-reversed.
    for (let k = 0; k < m; k++) {
      const r = (<usize>load<u32>(rev + (<usize>k << 2))) << 4;
      const w0 = f64x2.splat(load<f64>(window + (<usize>k << 4)));
      const w1 = f64x2.splat(load<f64>(window + (<usize>k << 4) + 8));
      const s = <usize>k << 4;
      const a = f64x2.replace_lane(f64x2.splat(load<f64>(o0 + s)), 1, load<f64>(o1 + s));
      const b = f64x2.replace_lane(f64x2.splat(load<f64>(o0 + s + 8)), 1, load<f64>(o1 + s + 8));
      v128.store(zr + r, f64x2.mul(a, w0));
      v128.store(zi + r, f64x2.mul(b, w1));
    }
    butterflies(zr, zi, m, cosT, sinT);
    splitPower(zr, zi, m, wr, wi, power);
    // Mel rows over their non-zero bins: s += w·p in bin order, stored as float32.
    for (let mm = 0; mm < nMels; mm++) {
      let acc = f64x2.splat(0);
      const j1 = load<i32>(rowOffset + ((<usize>mm + 1) << 2));
      let k = load<i32>(rowStart + (<usize>mm << 2));
      for (let j = load<i32>(rowOffset + (<usize>mm << 2)); j < j1; j++, k++) {
        acc = f64x2.add(acc, f64x2.mul(f64x2.splat(load<f64>(weights + (<usize>j << 3))), v128.load(power + (<usize>k << 4))));
      }
      const f = f32x4.demote_f64x2_zero(acc);
      const at = out + ((<usize>(mm * frames + t)) << 2);
      store<f32>(at, f32x4.extract_lane(f, 0));
      if (t + 1 < frames) store<f32>(at + 4, f32x4.extract_lane(f, 1));
    }
  }
}

// @ts-ignore: decorator
@inline
function ld(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline
function st(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 4), v);
}

/** `Fft.transformReordered` (radix-2 stages two at a time, unit twiddles skipped) on two transforms at once. */
function butterflies(re: usize, im: usize, n: i32, cosT: usize, sinT: usize): void {
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
    for (let i0 = 0; i0 < n; i0 += 4 * q) {
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
    for (let k = 1; k < q; k++) {
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

/** `RealFft.powerWindowed`'s split step: float32(|X[k]|²) for k = 0..m, kept as float64. */
function splitPower(zr: usize, zi: usize, m: i32, wr: usize, wi: usize, power: usize): void {
  const half = f64x2.splat(0.5);
  const minusHalf = f64x2.splat(-0.5);
  for (let k = 0; k <= m; k++) {
    const a = k == m ? 0 : k;
    const b = k == 0 ? 0 : m - k;
    const ar = ld(zr, a);
    const ai = ld(zi, a);
    const br = ld(zr, b);
    const bi = ld(zi, b);
    const er = f64x2.mul(half, f64x2.add(ar, br));
    const ei = f64x2.mul(half, f64x2.sub(ai, bi));
    const or = f64x2.mul(half, f64x2.add(ai, bi));
    const oi = f64x2.mul(minusHalf, f64x2.sub(ar, br));
    const c = f64x2.splat(load<f64>(wr + (<usize>k << 3)));
    const s = f64x2.splat(load<f64>(wi + (<usize>k << 3)));
    const xr = f64x2.sub(f64x2.add(er, f64x2.mul(c, or)), f64x2.mul(s, oi));
    const xi = f64x2.add(f64x2.add(ei, f64x2.mul(c, oi)), f64x2.mul(s, or));
    const p = f64x2.add(f64x2.mul(xr, xr), f64x2.mul(xi, xi));
    st(power, k, f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(p)));
  }
}
