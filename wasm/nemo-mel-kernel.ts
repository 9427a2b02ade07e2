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

import { butterflies, ld, st } from './fft';

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
    butterflies(zr, zi, m, cosT, sinT, true);
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

/** Pre-emphasis as torch computes it in float32: y[0] = x[0], y[t] = f32(x[t] − f32(a·x[t−1])), stored as float64. */
export function preemphasis(x: usize, length: i32, a: f64, y: usize): void {
  if (length < 1) return;
  store<f64>(y, <f64>load<f32>(x));
  let t = 1;
  if (a != 0) {
    const av = f64x2.splat(a);
    for (; t + 1 < length; t += 2) {
      const at = x + (<usize>t << 2);
      const cur = f64x2.promote_low_f32x4(v128.load64_zero(at));
      const prev = f64x2.promote_low_f32x4(v128.load64_zero(at - 4));
      const scaled = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(f64x2.mul(av, prev)));
      v128.store(y + (<usize>t << 3), f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(f64x2.sub(cur, scaled))));
    }
  }
  for (; t < length; t++) {
    const cur = <f64>load<f32>(x + (<usize>t << 2));
    const prev = <f64>load<f32>(x + (<usize>(t - 1) << 2));
    store<f64>(y + (<usize>t << 3), a != 0 ? <f64>(<f32>(cur - <f64>(<f32>(a * prev)))) : cur);
  }
}

/** In place on float32 energies: f32(ln(e + guard)), or f32(ln(max(e, guard))) with `clamp`; two at a time. */
export function logEnergies(p: usize, n: i32, clamp: bool, guard: f64): void {
  const g = f64x2.splat(guard);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const at = p + (<usize>i << 2);
    const e = f64x2.promote_low_f32x4(v128.load64_zero(at));
    const x = clamp ? f64x2.max(e, g) : f64x2.add(e, g);
    v128.store64_lane(at, f32x4.demote_f64x2_zero(logFdlibm2(x)), 0);
  }
  for (; i < n; i++) {
    const at = p + (<usize>i << 2);
    const e = <f64>load<f32>(at);
    store<f32>(at, <f32>logFdlibm(clamp ? max(e, guard) : e + guard));
  }
}

/**
 * NeMo's per-feature normalisation in place on [nMels][frames] float32 values over the first `valid` frames
 * (float64 sums in frame order, unbiased std stored as float32, + 1e-5), frames ≥ valid set to 0.
 */
export function normalizeRows(p: usize, nMels: i32, frames: i32, valid: i32): void {
  const n = <f64>valid;
  for (let m = 0; m < nMels; m++) {
    const row = p + ((<usize>(m * frames)) << 2);
    let sum = 0.0;
    for (let t = 0; t < valid; t++) sum += <f64>load<f32>(row + (<usize>t << 2));
    const mean = sum / n;
    let ss = 0.0;
    for (let t = 0; t < valid; t++) {
      const d = <f64>load<f32>(row + (<usize>t << 2)) - mean;
      ss += d * d;
    }
    let std = valid > 1 ? Math.sqrt(ss / (n - 1)) : 0.0;
    std = <f64>(<f32>std) + 1e-5;
    for (let t = 0; t < valid; t++) {
      const at = row + (<usize>t << 2);
      store<f32>(at, <f32>((<f64>load<f32>(at) - mean) / std));
    }
  }
}

// fdlibm's __ieee754_log (e_log.c), which V8's Math.log is: the same operations, so the same results (tested
// against Math.log bit for bit). AssemblyScript's own Math.log is musl's table-driven one, which can differ
// in the last bit.
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const TWO54: f64 = 1.80143985094819840000e16;
const LG1: f64 = 6.666666666666735130e-1;
const LG2: f64 = 3.999999999940941908e-1;
const LG3: f64 = 2.857142874366239149e-1;
const LG4: f64 = 2.222219843214978396e-1;
const LG5: f64 = 1.818357216161805012e-1;
const LG6: f64 = 1.531383769920937332e-1;
const LG7: f64 = 1.479819860511658591e-1;

// @ts-ignore: decorator
@inline
function withHigh(x: f64, hi: i32): f64 {
  return reinterpret<f64>((<u64>(<u32>hi) << 32) | (reinterpret<u64>(x) & 0xffffffff));
}

export function logFdlibm(x: f64): f64 {
  let hx = <i32>(reinterpret<u64>(x) >> 32);
  const lx = <u32>reinterpret<u64>(x);
  let k: i32 = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) == 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    hx = <i32>(reinterpret<u64>(x) >> 32);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  x = withHigh(x, hx | (i ^ 0x3ff00000));
  k += i >> 20;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f == 0.0) {
      if (k == 0) return 0.0;
      const dk = <f64>k;
      return dk * LN2_HI + dk * LN2_LO;
    }
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - R;
    const dk = <f64>k;
    return dk * LN2_HI - (R - dk * LN2_LO - f);
  }
  const s = f / (2.0 + f);
  const dk = <f64>k;
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + R));
    return dk * LN2_HI - (hfsq - (s * (hfsq + R) + dk * LN2_LO) - f);
  }
  if (k == 0) return f - s * (f - R);
  return dk * LN2_HI - (s * (f - R) - dk * LN2_LO - f);
}

/**
 * `logFdlibm` of both lanes: the same operations per lane (the integer steps per lane, the float steps in f64x2,
 * each lane's branch picked by a mask). Lanes that need fdlibm's rarer paths (zero, negative, subnormal, infinite
 * or NaN input, |x − 2^k| tiny) go through `logFdlibm` one by one.
 */
function logFdlibm2(x: v128): v128 {
  const b0 = f64x2.extract_lane(x, 0);
  const b1 = f64x2.extract_lane(x, 1);
  let h0 = <i32>(reinterpret<u64>(b0) >> 32);
  let h1 = <i32>(reinterpret<u64>(b1) >> 32);
  if (h0 < 0x00100000 || h0 >= 0x7ff00000 || h1 < 0x00100000 || h1 >= 0x7ff00000) {
    return f64x2.replace_lane(f64x2.splat(logFdlibm(b0)), 1, logFdlibm(b1));
  }
  let k0 = (h0 >> 20) - 1023;
  let k1 = (h1 >> 20) - 1023;
  h0 &= 0x000fffff;
  h1 &= 0x000fffff;
  if ((0x000fffff & (2 + h0)) < 3 || (0x000fffff & (2 + h1)) < 3) {
    return f64x2.replace_lane(f64x2.splat(logFdlibm(b0)), 1, logFdlibm(b1));
  }
  const i0 = (h0 + 0x95f64) & 0x100000;
  const i1 = (h1 + 0x95f64) & 0x100000;
  k0 += i0 >> 20;
  k1 += i1 >> 20;
  const xn = f64x2.replace_lane(f64x2.splat(withHigh(b0, h0 | (i0 ^ 0x3ff00000))), 1, withHigh(b1, h1 | (i1 ^ 0x3ff00000)));
  // Per lane: which of fdlibm's four final expressions (i > 0 or not) × (k = 0 or not).
  const pos0 = ((h0 - 0x6147a) | (0x6b851 - h0)) > 0;
  const pos1 = ((h1 - 0x6147a) | (0x6b851 - h1)) > 0;
  const one = f64x2.splat(1.0);
  const f = f64x2.sub(xn, one);
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const dk = f64x2.replace_lane(f64x2.splat(<f64>k0), 1, <f64>k1);
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(f64x2.splat(LG2), f64x2.mul(w, f64x2.add(f64x2.splat(LG4), f64x2.mul(w, f64x2.splat(LG6))))));
  const t2 = f64x2.mul(
    z,
    f64x2.add(f64x2.splat(LG1), f64x2.mul(w, f64x2.add(f64x2.splat(LG3), f64x2.mul(w, f64x2.add(f64x2.splat(LG5), f64x2.mul(w, f64x2.splat(LG7))))))),
  );
  const R = f64x2.add(t2, t1);
  const hi = f64x2.mul(dk, f64x2.splat(LN2_HI));
  const lo = f64x2.mul(dk, f64x2.splat(LN2_LO));
  // i > 0
  const hfsq = f64x2.mul(f64x2.mul(f64x2.splat(0.5), f), f);
  const sh = f64x2.mul(s, f64x2.add(hfsq, R));
  const pK0 = f64x2.sub(f, f64x2.sub(hfsq, sh));
  const pK = f64x2.sub(hi, f64x2.sub(f64x2.sub(hfsq, f64x2.add(sh, lo)), f));
  // i ≤ 0
  const sf = f64x2.mul(s, f64x2.sub(f, R));
  const nK0 = f64x2.sub(f, sf);
  const nK = f64x2.sub(hi, f64x2.sub(f64x2.sub(sf, lo), f));
  const posMask = i64x2.replace_lane(i64x2.splat(pos0 ? -1 : 0), 1, pos1 ? -1 : 0);
  const k0Mask = i64x2.replace_lane(i64x2.splat(k0 == 0 ? -1 : 0), 1, k1 == 0 ? -1 : 0);
  return v128.bitselect(v128.bitselect(pK0, pK, k0Mask), v128.bitselect(nK0, nK, k0Mask), posMask);
}

/** In place on n float64 values: `logFdlibm2` two at a time (the last one alone when n is odd); for the tests. */
export function logValues(p: usize, n: i32): void {
  let i = 0;
  for (; i + 1 < n; i += 2) v128.store(p + (<usize>i << 3), logFdlibm2(v128.load(p + (<usize>i << 3))));
  if (i < n) store<f64>(p + (<usize>i << 3), logFdlibm(load<f64>(p + (<usize>i << 3))));
}
