import { describe, expect, it } from 'vitest';
import { resample } from '../../src/audio/resample.js';
import { ACOUSTIC_SUMMARY, AcousticSummary, acousticFeatureNames } from '../../src/features/acoustic-summary.js';

function noise(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 2 ** 32 - 0.5) * 0.2;
  });
}

describe('acoustic summary (selector features)', () => {
  it('has one value per name, all finite', () => {
    const f = new AcousticSummary().add(noise(16000, 1)).features();
    expect(f).toHaveLength(acousticFeatureNames().length);
    expect(f).toHaveLength(2 + 2 * ACOUSTIC_SUMMARY.bands);
    for (const v of f) expect(Number.isFinite(v)).toBe(true);
    expect(f[0]).toBeCloseTo(Math.log(1), 12); // ln seconds
  });

  it('tells telephone-band audio from wideband audio', () => {
    const wide = noise(32000, 2);
    const narrow = resample(resample(wide, 16000, 8000), 8000, 16000);
    const share = (x: Float32Array) => new AcousticSummary().add(x).features()[1];
    expect(share(wide)).toBeGreaterThan(-1); // Slaney filters are area-normalised: a share of mel-weighted power
    expect(share(narrow)).toBeLessThan(share(wide) - 1.5);
  });

  it('is gain-free in its band shape and adds segments up as one pass over their frames would', () => {
    const x = noise(16000, 3);
    const louder = x.map((v) => v * 4);
    const a = new AcousticSummary().add(x).features();
    const b = new AcousticSummary().add(louder).features();
    for (let i = 2; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 6);
    // the same segment twice: same means and spreads, twice the seconds
    const twice = new AcousticSummary().add(x).add(x).features();
    expect(twice[0]).toBeCloseTo(Math.log(2), 12);
    for (let i = 1; i < a.length; i++) expect(twice[i]).toBeCloseTo(a[i], 9);
  });
});
