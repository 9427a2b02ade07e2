import { describe, expect, it } from 'vitest';
import { frontEndKey, nemoFrontEnd, type FrontEndConfig } from '../../src/features/index.js';

describe('frontEndKey', () => {
  it('is the same for equal front ends whatever the property order or explicit defaults', () => {
    const base = nemoFrontEnd();
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as FrontEndConfig;
    const explicit: FrontEndConfig = {
      ...base,
      window: 'hann',
      lowFreq: 0,
      highFreq: 8000,
      magPower: 2,
      log: true,
      logZeroGuard: { type: 'add', value: 2 ** -24 },
    };
    expect(frontEndKey(reordered)).toBe(frontEndKey(base));
    expect(frontEndKey(explicit)).toBe(frontEndKey(base));
    expect(frontEndKey({ kind: 'wav2vec2', sampleRate: 16000, doNormalize: true })).toBe(
      frontEndKey({ doNormalize: true, sampleRate: 16000, kind: 'wav2vec2' }),
    );
  });

  it('differs when any setting differs', () => {
    const base = nemoFrontEnd();
    const variants: FrontEndConfig[] = [
      { ...base, sampleRate: 8000 },
      { ...base, nMels: 64 },
      { ...base, windowSize: 320 },
      { ...base, hop: 128 },
      { ...base, nFft: 1024 },
      { ...base, preemph: 0 },
      { ...base, normalize: 'none' },
      { ...base, framing: 'zero-pad' },
      { ...base, window: 'hamming' },
      { ...base, lowFreq: 20 },
      { ...base, highFreq: 7600 },
      { ...base, magPower: 1 },
      { ...base, log: false },
      { ...base, logZeroGuard: { type: 'clamp', value: 2 ** -24 } },
      { ...base, logZeroGuard: { type: 'add', value: 1e-5 } },
      { kind: 'wav2vec2', sampleRate: 16000, doNormalize: true },
      { kind: 'wav2vec2', sampleRate: 16000, doNormalize: false },
    ];
    const keys = new Set([frontEndKey(base), ...variants.map(frontEndKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });
});
