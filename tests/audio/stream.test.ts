import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../src/audio/load.js';
import { resample, StreamingResampler } from '../../src/audio/resample.js';
import { openAudioStream, readShortAudio } from '../../src/audio/stream.js';
import { mixToMono } from '../../src/audio/wav.js';
import { noise, sine, writeWavFile } from '../helpers/wav.js';
import { hasFfmpeg } from '../helpers/tools.js';

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

describe('readShortAudio (short inputs read whole)', () => {
  it('gives exactly the samples of the stream for WAV files, WAV bytes and samples; null where the stream must decide', async () => {
    const stereo = [sine(300, 1.5, 22050, 0.4), noise(Math.round(1.5 * 22050), 0.2)];
    for (const encoding of ['pcm16', 'pcm24', 'float32'] as const) {
      const file = writeWavFile(path.join(dir, `short-${encoding}.wav`), stereo, 22050, { encoding });
      const streamed = await collect((await openAudioStream(file, { chunkSeconds: 0.3 })).chunks());
      for (const input of [file, new Uint8Array(readFileSync(file))]) {
        const whole = await readShortAudio(input, 2);
        expect(whole?.sampleRate).toBe(22050);
        expect(Array.from(whole!.mono)).toEqual(Array.from(streamed));
      }
      expect(await readShortAudio(file, 1.4)).toBeNull(); // longer than the limit: the segmenter's case
      expect(await readShortAudio(file, 2, { maxSeconds: 1 })).toBeNull(); // the stream reports E_TOO_LONG
      expect(await readShortAudio(file, 2, { offsetSeconds: 0.5 })).toBeNull();
      expect(await readShortAudio(file, 2, { durationSeconds: 1 })).toBeNull();
    }
    const x = sine(440, 0.5, 16000, 0.3);
    expect((await readShortAudio(x, 2, { sampleRate: 8000 }))?.sampleRate).toBe(8000);
    expect((await readShortAudio(x, 2))?.mono).toBe(x);
    expect(await readShortAudio(new Float32Array(0), 2)).toBeNull();
    // not WAV, missing, empty, a bad header: the stream decodes or explains
    const notWav = path.join(dir, 'not.wav');
    writeFileSync(notWav, 'ID3 not audio');
    const empty = path.join(dir, 'empty.wav');
    writeFileSync(empty, '');
    const bad = new Uint8Array(readFileSync(path.join(dir, 'short-pcm16.wav'))).subarray(0, 60);
    for (const input of [notWav, empty, path.join(dir, 'missing.wav'), bad]) expect(await readShortAudio(input, 2)).toBeNull();
  });
});
