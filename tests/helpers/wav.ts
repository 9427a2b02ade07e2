/** Audio helpers for tests: tones, token-tone sequences for the tone models, WAV files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeWav, type EncodeWavOptions } from '../../src/audio/wav.js';

export { encodeWav, decodeWav } from '../../src/audio/wav.js';

/** amp·sin(2π f n / rate + phase), `seconds` long. */
export function sine(freq: number, seconds: number, rate = 16000, amp = 0.5, phase = 0): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate + phase);
  return out;
}

/** Deterministic pseudo-random noise in [-amp, amp) (xorshift32). */
export function noise(n: number, amp = 0.01, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * amp;
  }
  return out;
}

export interface ToneSequenceOptions {
  sampleRate?: number;
  toneSeconds?: number;
  gapSeconds?: number;
  leadSeconds?: number;
  amp?: number;
  /** 5 ms raised-cosine ramps at tone edges (default true). */
  ramps?: boolean;
  /** Add deterministic noise of this amplitude everywhere (default 0). */
  noiseAmp?: number;
}

/**
 * Audio that the tone models (tests/helpers/onnx-builder.ts) transcribe as `tokens`: silence, then for
 * each token its tone followed by a gap (so repeated tokens stay separate after CTC collapse).
 */
export function synthesizeTones(tokens: string[], frequencies: Map<string, number>, opts: ToneSequenceOptions = {}): Float32Array {
  const rate = opts.sampleRate ?? 16000;
  const tone = Math.round((opts.toneSeconds ?? 0.16) * rate);
  const gap = Math.round((opts.gapSeconds ?? 0.08) * rate);
  const lead = Math.round((opts.leadSeconds ?? 0.1) * rate);
  const amp = opts.amp ?? 0.3;
  const ramp = opts.ramps === false ? 0 : Math.round(0.005 * rate);
  const out = new Float32Array(lead + tokens.length * (tone + gap) + lead);
  let pos = lead;
  for (const tok of tokens) {
    const f = frequencies.get(tok);
    if (f === undefined) throw new Error(`no tone for token ${JSON.stringify(tok)}`);
    for (let i = 0; i < tone; i++) {
      let g = 1;
      if (i < ramp) g = 0.5 - 0.5 * Math.cos((Math.PI * i) / ramp);
      else if (i >= tone - ramp) g = 0.5 - 0.5 * Math.cos((Math.PI * (tone - 1 - i)) / ramp);
      out[pos + i] = amp * g * Math.sin((2 * Math.PI * f * i) / rate);
    }
    pos += tone + gap;
  }
  if (opts.noiseAmp) {
    const nz = noise(out.length, opts.noiseAmp, 7);
    for (let i = 0; i < out.length; i++) out[i] += nz[i];
  }
  return out;
}

/** Split text into single characters (char vocabularies; ' ' for word breaks). */
export function chars(text: string): string[] {
  return [...text];
}

/** Write a WAV file (creating folders); returns the path. */
export function writeWavFile(file: string, samples: Float32Array | Float32Array[], rate = 16000, options: EncodeWavOptions = {}): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, encodeWav(samples, rate, options));
  return file;
}

/** The NeMo front-end reference signal of nemo-confidence-ensemble.md §4a (float32, N = 8037). */
export function nemoReferenceSignal(): Float32Array {
  const N = 8037;
  const x = new Float32Array(N);
  for (let n = 0; n < N; n++) {
    x[n] = 0.3 * Math.sin((2 * Math.PI * 440 * n) / 16000) + 0.1 * Math.sin((2 * Math.PI * 1234.5 * n) / 16000) * Math.exp(-n / 16000);
  }
  return x;
}
