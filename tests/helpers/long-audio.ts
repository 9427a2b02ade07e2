/**
 * Long recordings for tests and benchmarks, built from real utterances joined with known silences and
 * written to a 16 kHz 16-bit WAV file block by block (an hour never sits in memory as one array).
 * The silences carry faint deterministic noise (−60 dBFS) rather than digital zeros.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { loadAudio } from '../../src/audio/load.js';
import { repoRoot } from './shared.js';

export interface Utterance {
  file: string;
  /** Domain label (the member that should decode it). */
  domain: string;
  text?: string;
}

export interface PlacedUtterance extends Utterance {
  /** Seconds in the built file. */
  start: number;
  end: number;
}

export interface LongRecordingOptions {
  /** Stop adding utterances once this many seconds are written (default: one pass over `utterances`). */
  targetSeconds?: number;
  /** Silence before each utterance, seconds: cycles through this list (default [1.0, 1.5, 0.8, 2.0]). */
  silences?: number[];
  /** Silence after the last utterance (default 1 s). */
  tail?: number;
  /**
   * Cut each utterance's own leading and trailing silence (10 ms frames below −45 dBFS) so that the
   * placed boundaries are where speech starts and ends (default true).
   */
  trim?: boolean;
  seed?: number;
}

const RATE = 16000;

function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/**
 * `x` without its leading and trailing 10 ms frames quieter than the gate: −45 dBFS, or 35 dB below the
 * loudest frame when that is higher (real recordings carry room noise above −45 dBFS).
 */
export function trimSilence(x: Float32Array, rate = RATE, db = -45, below = 35): Float32Array {
  const win = Math.round(rate / 100);
  const levels: number[] = [];
  for (let i = 0; i + win <= x.length; i += win) {
    let e = 0;
    for (let j = 0; j < win; j++) e += x[i + j] * x[i + j];
    levels.push(10 * Math.log10(e / win + 1e-12));
  }
  const gate = Math.max(db, Math.max(...levels) - below);
  const first = levels.findIndex((l) => l > gate);
  if (first < 0) return x;
  let last = levels.length - 1;
  while (levels[last] <= gate) last--;
  return x.subarray(first * win, (last + 1) * win);
}

/** Read a NeMo manifest's utterances (paths resolved), labelled with `domain`. */
export function manifestUtterances(manifest: string, domain: string, limit = Infinity): Utterance[] {
  const dir = path.dirname(manifest);
  return readFileSync(manifest, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, limit)
    .map((l) => {
      const o = JSON.parse(l) as { audio_filepath: string; text?: string; domain?: string };
      return { file: path.resolve(dir, o.audio_filepath), domain: o.domain ?? domain, text: o.text };
    });
}

/** Write `out` (16 kHz mono PCM16) and return where each utterance was placed. */
export async function writeLongRecording(
  out: string,
  utterances: Utterance[],
  options: LongRecordingOptions = {},
): Promise<{ seconds: number; placed: PlacedUtterance[] }> {
  const silences = options.silences ?? [1.0, 1.5, 0.8, 2.0];
  const target = options.targetSeconds ?? Infinity;
  let seed = (options.seed ?? 1) >>> 0;
  const rand = (): number => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 4294967296 - 0.5;
  };
  const cache = new Map<string, Int16Array>();
  const pcm = async (file: string): Promise<Int16Array> => {
    let p = cache.get(file);
    if (!p) {
      let x = await loadAudio(file, RATE);
      if (options.trim !== false) x = trimSilence(x);
      p = new Int16Array(x.length);
      for (let i = 0; i < x.length; i++) p[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768)));
      if (cache.size < 4000) cache.set(file, p);
    }
    return p;
  };
  const fd = openSync(out, 'w');
  let written = 0;
  const placed: PlacedUtterance[] = [];
  const writeSilence = (seconds: number): void => {
    const n = Math.round(seconds * RATE);
    const b = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(rand() * 2 * 33), i * 2);
    writeSync(fd, b);
    written += n;
  };
  try {
    writeSync(fd, wavHeader(0));
    let k = 0;
    for (let pass = 0; ; pass++) {
      for (const u of utterances) {
        if (written / RATE >= target) break;
        writeSilence(silences[k % silences.length]);
        k++;
        const p = await pcm(u.file);
        const start = written / RATE;
        writeSync(fd, Buffer.from(p.buffer, p.byteOffset, p.byteLength));
        written += p.length;
        placed.push({ ...u, start, end: written / RATE });
      }
      if (written / RATE >= target || !Number.isFinite(target)) break;
      if (pass > 10000) break;
    }
    writeSilence(options.tail ?? 1);
    writeSync(fd, wavHeader(written * 2), 0, 44, 0);
  } finally {
    closeSync(fd);
  }
  return { seconds: written / RATE, placed };
}

/**
 * Bundled samples of the three domains whose speech boundaries are clean (see tests/segment/vad.test.ts
 * for the ones left out) and that the demo selector routes to their own domain when heard alone.
 */
export function longFormUtterances(): Utterance[] {
  return manifestUtterances(path.join(repoRoot, 'samples', 'manifest.jsonl'), '').filter((u) => /(en_[12]|vi_3|digits_[13])\.wav$/.test(u.file));
}
