import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../src/audio/load.js';
import { resample, StreamingResampler } from '../../src/audio/resample.js';
import { openAudioStream } from '../../src/audio/stream.js';
import { mixToMono } from '../../src/audio/wav.js';
import { noise, sine, writeWavFile } from '../helpers/wav.js';

const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const dir = mkdtempSync(path.join(os.tmpdir(), 'audio-stream-'));

async function collect(s: AsyncGenerator<Float32Array>): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for await (const c of s) parts.push(c);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('StreamingResampler', () => {
  it.each([
    [44100, 16000],
    [8000, 16000],
    [22050, 16000],
    [48000, 16000],
    [16000, 8000],
    [16001, 16000],
  ])('%i → %i in odd chunks equals the whole-buffer resampler exactly', (from, to) => {
    const x = noise(from + 1234, 0.3, 7);
    const whole = resample(x, from, to);
    const r = new StreamingResampler(from, to);
    const parts: Float32Array[] = [];
    for (let p = 0, k = 0; p < x.length; k++) {
      const n = [1, 333, 4000, 17, 999][k % 5];
      parts.push(r.push(x.subarray(p, p + n)));
      p += n;
    }
    parts.push(r.finish());
    const got = Float32Array.from(parts.flatMap((p) => Array.from(p)));
    expect(got.length).toBe(whole.length);
    expect(Array.from(got)).toEqual(Array.from(whole));
  });
});

describe('openAudioStream', () => {
  it('reads a WAV file in chunks with the samples decodeAudio gives (stereo, 24-bit)', async () => {
    const file = writeWavFile(path.join(dir, 's.wav'), [sine(300, 2.3, 22050, 0.4), sine(500, 2.3, 22050, 0.2)], 22050, { encoding: 'pcm24' });
    const s = await openAudioStream(file, { chunkSeconds: 0.37 });
    expect(s.sampleRate).toBe(22050);
    expect(s.totalSamples).toBe(Math.round(2.3 * 22050));
    const got = await collect(s.chunks());
    const want = mixToMono((await decodeAudio(file)).channels);
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('honours NeMo offset/duration and the length limit', async () => {
    const file = writeWavFile(path.join(dir, 'o.wav'), sine(200, 5, 16000, 0.3), 16000);
    const s = await openAudioStream(file, { offsetSeconds: 1.5, durationSeconds: 2 });
    const got = await collect(s.chunks());
    expect(got.length).toBe(32000);
    const want = mixToMono((await decodeAudio(file)).channels).subarray(24000, 56000);
    expect(Array.from(got)).toEqual(Array.from(want));
    const long = await openAudioStream(readFileSync(file), { maxSeconds: 3, source: 'upload' });
    await expect(collect(long.chunks())).rejects.toThrow(/upload: the audio is 5.0 s long; the limit is 3 s/);
  });

  it.skipIf(!hasFfmpeg)('streams other containers through ffmpeg, stopping at the limit', async () => {
    const wav = writeWavFile(path.join(dir, 'f.wav'), [sine(440, 3, 22050, 0.5), sine(440, 3, 22050, 0.1)], 22050);
    const flac = path.join(dir, 'f.flac');
    execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-i', wav, flac]);
    const s = await openAudioStream(flac, { chunkSeconds: 0.5 });
    const got = await collect(s.chunks());
    expect(s.sampleRate).toBe(22050);
    const want = mixToMono((await decodeAudio(wav)).channels);
    expect(got.length).toBe(want.length);
    let err = 0;
    for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
    expect(err).toBeLessThan(1e-6);
    const limited = await openAudioStream(readFileSync(flac), { maxSeconds: 1, source: 'up.flac' });
    await expect(collect(limited.chunks())).rejects.toThrow(/up\.flac: the audio is longer than 1 s \(decoding stopped there\)/);
  });
});
