/** FFTs (float64) with cached twiddles and bit-reversal tables: the mel front end and the resampler use them. */
/** In-place iterative radix-2 complex FFT. */
export class Fft {
    n;
    rev;
    cos;
    sin;
    constructor(n) {
        if (!(n >= 2) || (n & (n - 1)) !== 0)
            throw new RangeError(`FFT size must be a power of two ≥ 2, got ${n}`);
        this.n = n;
        const bits = Math.log2(n);
        this.rev = new Uint32Array(n);
        for (let i = 0; i < n; i++) {
            let r = 0;
            for (let b = 0; b < bits; b++)
                r |= ((i >> b) & 1) << (bits - 1 - b);
            this.rev[i] = r;
        }
        this.cos = new Float64Array(n / 2);
        this.sin = new Float64Array(n / 2);
        for (let i = 0; i < n / 2; i++) {
            this.cos[i] = Math.cos((2 * Math.PI * i) / n);
            this.sin[i] = -Math.sin((2 * Math.PI * i) / n);
        }
    }
    /** Bit-reversal permutation: position i of the input goes to `reversed[i]` before `transformReordered`. */
    get reversed() {
        return this.rev;
    }
    /** Forward transform X[k] = Σ x[n] e^{-2πikn/N}, in place on (re, im). */
    transform(re, im) {
        const n = this.n;
        const rev = this.rev;
        for (let i = 0; i < n; i++) {
            const j = rev[i];
            if (j > i) {
                let t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        this.butterflies(re, im, false);
    }
    /**
     * `transform` of an input already stored in bit-reversed order (x[i] at `reversed[i]`): callers that fill
     * the buffers themselves save the permutation pass. The same values, except that the unit twiddles are not
     * multiplied, so an exact zero may come out as −0 where `transform` gives +0 (or the reverse): no non-zero
     * value and no |X[k]| changes. (`transform` keeps every sign: resampled samples stay bit-identical.)
     */
    transformReordered(re, im) {
        this.butterflies(re, im, true);
    }
    butterflies(re, im, skipUnitTwiddles) {
        const n = this.n;
        const cos = this.cos;
        const sin = this.sin;
        // Radix-2 stages taken two at a time (sizes 2q and 4q in one pass over the data): half the passes.
        let q = 1;
        if (Math.log2(n) % 2 === 1) {
            // Odd number of stages: the size-2 stage alone (no twiddles).
            for (let a = 0; a < n; a += 2) {
                const br = re[a + 1];
                const bi = im[a + 1];
                re[a + 1] = re[a] - br;
                im[a + 1] = im[a] - bi;
                re[a] = re[a] + br;
                im[a] = im[a] + bi;
            }
            q = 2;
        }
        for (; 4 * q <= n; q *= 4) {
            const s1 = n / (2 * q); // twiddle stride of the size-2q stage
            const s2 = n / (4 * q); // and of the size-4q stage
            // k = 0: both twiddles are 1, so no multiplications (x·1 − y·0 = x: the same values; only the sign of
            // an exact zero can differ, which changes no non-zero output and no |X|).
            for (let i0 = 0; skipUnitTwiddles && i0 < n; i0 += 4 * q) {
                const i1 = i0 + q;
                const i2 = i1 + q;
                const i3 = i2 + q;
                const x0r = re[i0];
                const x0i = im[i0];
                const x1r = re[i1];
                const x1i = im[i1];
                const x2r = re[i2];
                const x2i = im[i2];
                const x3r = re[i3];
                const x3i = im[i3];
                const y0r = x0r + x1r;
                const y0i = x0i + x1i;
                const y1r = x0r - x1r;
                const y1i = x0i - x1i;
                const y2r = x2r + x3r;
                const y2i = x2i + x3i;
                const y3r = x2r - x3r;
                const y3i = x2i - x3i;
                re[i0] = y0r + y2r;
                im[i0] = y0i + y2i;
                re[i2] = y0r - y2r;
                im[i2] = y0i - y2i;
                re[i1] = y1r + y3i;
                im[i1] = y1i - y3r;
                re[i3] = y1r - y3i;
                im[i3] = y1i + y3r;
            }
            for (let k = skipUnitTwiddles ? 1 : 0; k < q; k++) {
                const w1r = cos[k * s1];
                const w1i = sin[k * s1];
                const w2r = cos[k * s2];
                const w2i = sin[k * s2];
                for (let i0 = k; i0 < n; i0 += 4 * q) {
                    const i1 = i0 + q;
                    const i2 = i1 + q;
                    const i3 = i2 + q;
                    // Size 2q: (x0, x1) and (x2, x3) with W_{2q}^k.
                    let r = re[i1];
                    let m = im[i1];
                    const t1r = r * w1r - m * w1i;
                    const t1i = r * w1i + m * w1r;
                    r = re[i3];
                    m = im[i3];
                    const t3r = r * w1r - m * w1i;
                    const t3i = r * w1i + m * w1r;
                    const x0r = re[i0];
                    const x0i = im[i0];
                    const x2r = re[i2];
                    const x2i = im[i2];
                    const y0r = x0r + t1r;
                    const y0i = x0i + t1i;
                    const y1r = x0r - t1r;
                    const y1i = x0i - t1i;
                    const y2r = x2r + t3r;
                    const y2i = x2i + t3i;
                    const y3r = x2r - t3r;
                    const y3i = x2i - t3i;
                    // Size 4q: (y0, y2) with W_{4q}^k, (y1, y3) with W_{4q}^{k+q} = −i·W_{4q}^k.
                    const v2r = y2r * w2r - y2i * w2i;
                    const v2i = y2r * w2i + y2i * w2r;
                    const u3r = y3r * w2r - y3i * w2i;
                    const u3i = y3r * w2i + y3i * w2r;
                    // −i·(u3r + i·u3i) = u3i − i·u3r
                    re[i0] = y0r + v2r;
                    im[i0] = y0i + v2i;
                    re[i2] = y0r - v2r;
                    im[i2] = y0i - v2i;
                    re[i1] = y1r + u3i;
                    im[i1] = y1i - u3r;
                    re[i3] = y1r - u3i;
                    im[i3] = y1i + u3r;
                }
            }
        }
    }
}
/**
 * Forward FFT of a real sequence of length n through one complex FFT of length n/2: the even samples
 * are the real parts, the odd samples the imaginary parts, and a split step separates the two spectra.
 * Bins 0..n/2 (the rest are their conjugates); exact zeros may carry either sign (`Fft.transformReordered`).
 * Owns its work buffers: not re-entrant, one per thread.
 */
export class RealFft {
    n;
    half;
    zr;
    zi;
    wr;
    wi;
    constructor(n) {
        if (!(n >= 4) || (n & (n - 1)) !== 0)
            throw new RangeError(`real FFT size must be a power of two ≥ 4, got ${n}`);
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
    transform(x, re, im) {
        const m = this.n / 2;
        const zr = this.zr;
        const zi = this.zi;
        const rev = this.half.reversed;
        for (let k = 0; k < m; k++) {
            const r = rev[k];
            zr[r] = x[2 * k];
            zi[r] = x[2 * k + 1];
        }
        this.half.transformReordered(zr, zi);
        this.split(re, im);
    }
    /**
     * `transform` of the windowed frame x[t] = signal[offset + t] · window[t] (t < n; `window` has length n, zero
     * outside the window's span), read straight from the signal: the STFT needs no frame copy. Out-of-span
     * samples may enter as −0 instead of 0, which changes no non-zero value and no |X[k]|.
     */
    transformWindowed(signal, offset, window, re, im) {
        const m = this.n / 2;
        const zr = this.zr;
        const zi = this.zi;
        const rev = this.half.reversed;
        for (let k = 0, t = offset; k < m; k++, t += 2) {
            const r = rev[k];
            zr[r] = signal[t] * window[2 * k];
            zi[r] = signal[t + 1] * window[2 * k + 1];
        }
        this.half.transformReordered(zr, zi);
        this.split(re, im);
    }
    /**
     * float32(|X[k]|²) for k = 0..n/2 of the windowed frame (as `transformWindowed`) into `power`: the split step
     * writes the power straight away instead of the spectrum (the same values as squaring `transformWindowed`'s).
     * The split loop is `split`'s, repeated on purpose: the mel front end's hot loop then writes no spectrum arrays.
     */
    powerWindowed(signal, offset, window, power) {
        const m = this.n / 2;
        const zr = this.zr;
        const zi = this.zi;
        const rev = this.half.reversed;
        for (let k = 0, t = offset; k < m; k++, t += 2) {
            const r = rev[k];
            zr[r] = signal[t] * window[2 * k];
            zi[r] = signal[t + 1] * window[2 * k + 1];
        }
        this.half.transformReordered(zr, zi);
        const wr = this.wr;
        const wi = this.wi;
        for (let k = 0; k <= m; k++) {
            const a = k === m ? 0 : k;
            const b = k === 0 ? 0 : m - k;
            const ar = zr[a];
            const ai = zi[a];
            const br = zr[b];
            const bi = zi[b];
            const er = 0.5 * (ar + br);
            const ei = 0.5 * (ai - bi);
            const or = 0.5 * (ai + bi);
            const oi = -0.5 * (ar - br);
            const c = wr[k];
            const s = wi[k];
            const xr = er + c * or - s * oi;
            const xi = ei + c * oi + s * or;
            power[k] = Math.fround(xr * xr + xi * xi);
        }
    }
    split(re, im) {
        const m = this.n / 2;
        const zr = this.zr;
        const zi = this.zi;
        const wr = this.wr;
        const wi = this.wi;
        // X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[m−k]) / 2, O = (Z[k] − conj Z[m−k]) / 2i, Z[m] = Z[0].
        for (let k = 0; k <= m; k++) {
            const a = k === m ? 0 : k;
            const b = k === 0 ? 0 : m - k;
            const ar = zr[a];
            const ai = zi[a];
            const br = zr[b];
            const bi = zi[b];
            const er = 0.5 * (ar + br);
            const ei = 0.5 * (ai - bi);
            const or = 0.5 * (ai + bi);
            const oi = -0.5 * (ar - br);
            const c = wr[k];
            const s = wi[k];
            re[k] = er + c * or - s * oi;
            im[k] = ei + c * oi + s * or;
        }
    }
}
//# sourceMappingURL=fft.js.map