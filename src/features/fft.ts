/** In-place iterative radix-2 complex FFT (float64) with cached twiddles and bit-reversal tables. */
export class Fft {
  readonly n: number;
  private readonly rev: Uint32Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(n: number) {
    if (!(n >= 2) || (n & (n - 1)) !== 0) throw new RangeError(`FFT size must be a power of two ≥ 2, got ${n}`);
    this.n = n;
    const bits = Math.log2(n);
    this.rev = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.cos = new Float64Array(n / 2);
    this.sin = new Float64Array(n / 2);
    for (let i = 0; i < n / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / n);
      this.sin[i] = -Math.sin((2 * Math.PI * i) / n);
    }
  }

  /** Forward transform X[k] = Σ x[n] e^{-2πikn/N}, in place on (re, im). */
  transform(re: Float64Array, im: Float64Array): void {
    const n = this.n;
    const rev = this.rev;
    const cos = this.cos;
    const sin = this.sin;
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        let t = re[i]!;
        re[i] = re[j]!;
        re[j] = t;
        t = im[i]!;
        im[i] = im[j]!;
        im[j] = t;
      }
    }
    // Size-2 butterflies need no twiddles.
    for (let a = 0; a < n; a += 2) {
      const br = re[a + 1]!;
      const bi = im[a + 1]!;
      re[a + 1] = re[a]! - br;
      im[a + 1] = im[a]! - bi;
      re[a] = re[a]! + br;
      im[a] = im[a]! + bi;
    }
    for (let size = 4; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!;
        const wi = sin[k * step]!;
        for (let a = k; a < n; a += size) {
          const b = a + half;
          const rb = re[b]!;
          const ib = im[b]!;
          const xr = rb * wr - ib * wi;
          const xi = rb * wi + ib * wr;
          const ra = re[a]!;
          const ia = im[a]!;
          re[b] = ra - xr;
          im[b] = ia - xi;
          re[a] = ra + xr;
          im[a] = ia + xi;
        }
      }
    }
  }
}

/**
 * Forward FFT of a real sequence of length n through one complex FFT of length n/2: the even samples
 * are the real parts, the odd samples the imaginary parts, and a split step separates the two spectra.
 * Bins 0..n/2 (the rest are their conjugates). Owns its work buffers: not re-entrant, one per thread.
 */
export class RealFft {
  readonly n: number;
  private readonly half: Fft;
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;

  constructor(n: number) {
    if (!(n >= 4) || (n & (n - 1)) !== 0) throw new RangeError(`real FFT size must be a power of two ≥ 4, got ${n}`);
    this.n = n;
    const m = n / 2;
    this.half = new Fft(m);
    this.zr = new Float64Array(m);
    this.zi = new Float64Array(m);
    this.wr = new Float64Array(m + 1);
    this.wi = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.wr[k] = Math.cos((2 * Math.PI * k) / n);
      this.wi[k] = -Math.sin((2 * Math.PI * k) / n);
    }
  }

  /** X[k] = Σ x[t] e^{-2πikt/n} for k = 0..n/2 into (re, im) (length ≥ n/2 + 1); `x` has length ≥ n. */
  transform(x: Float64Array, re: Float64Array, im: Float64Array): void {
    const m = this.n / 2;
    const zr = this.zr;
    const zi = this.zi;
    for (let k = 0; k < m; k++) {
      zr[k] = x[2 * k]!;
      zi[k] = x[2 * k + 1]!;
    }
    this.half.transform(zr, zi);
    const wr = this.wr;
    const wi = this.wi;
    // X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[m−k]) / 2, O = (Z[k] − conj Z[m−k]) / 2i, Z[m] = Z[0].
    for (let k = 0; k <= m; k++) {
      const a = k === m ? 0 : k;
      const b = k === 0 ? 0 : m - k;
      const ar = zr[a]!;
      const ai = zi[a]!;
      const br = zr[b]!;
      const bi = zi[b]!;
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai - bi);
      const or = 0.5 * (ai + bi);
      const oi = -0.5 * (ar - br);
      const c = wr[k]!;
      const s = wi[k]!;
      re[k] = er + c * or - s * oi;
      im[k] = ei + c * oi + s * or;
    }
  }
}
