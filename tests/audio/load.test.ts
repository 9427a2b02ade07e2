import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAudio, decodeAudio } from '../../src/audio/load.js';
import { UserError } from '../../src/util/errors.js';
import { sine, writeWavFile } from '../helpers/wav.js';
import { encodeWav } from '../../src/audio/wav.js';
import { hasFfmpeg } from '../helpers/tools.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'audio-load-'));

async function expectUserError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await expect(p).rejects.toBeInstanceOf(UserError);
  await expect(p).rejects.toThrow(pattern);
}

describe('loadAudio', () => {
  it('mixes channels by averaging and resamples to the target rate', async () => {
    const l = sine(500, 0.5, 44100, 0.4);
    const r = sine(500, 0.5, 44100, 0.2);
    const file = writeWavFile(path.join(dir, 'stereo.wav'), [l, r], 44100, { encoding: 'pcm24' });
    const y = await loadAudio(file, 16000);
    expect(y.length).toBe(8000);
    let peak = 0;
    for (let i = 1000; i < 7000; i++) peak = Math.max(peak, Math.abs(y[i]));
    expect(peak).toBeCloseTo(0.3, 3);
  });

  it('accepts in-memory buffers and leaves 16 kHz mono untouched', async () => {
    const x = sine(300, 0.1, 16000, 0.5);
    const y = await loadAudio(encodeWav(x, 16000, { encoding: 'float32' }), 16000, 'upload');
    expect(Array.from(y)).toEqual(Array.from(x));
  });

  it('names the missing file', async () => {
    await expectUserError(loadAudio(path.join(dir, 'nope.wav'), 16000), /nope\.wav: no such file/);
  });

  it('reports zero samples and empty files', async () => {
    await expectUserError(loadAudio(new Uint8Array(0), 16000, 'empty-upload'), /empty-upload: empty file/);
    await expectUserError(loadAudio(encodeWav(new Float32Array(0), 8000), 16000, 'z.wav'), /z\.wav: contains zero samples/);
  });

  it('says so clearly when ffmpeg is needed but missing', async () => {
    const old = process.env.CTC_ENSEMBLE_FFMPEG;
    process.env.CTC_ENSEMBLE_FFMPEG = path.join(dir, 'no-such-ffmpeg');
    try {
      await expectUserError(
        loadAudio(new Uint8Array([0x66, 0x4c, 0x61, 0x43, 0, 0, 0, 0]), 16000, 'song.flac'),
        /song\.flac: not a RIFF\/WAVE file \(starts with "fLaC"\); decoding non-WAV audio \(flac, mp3, ogg, …\) needs ffmpeg, and ".*no-such-ffmpeg" was not found on PATH/,
      );
    } finally {
      if (old === undefined) delete process.env.CTC_ENSEMBLE_FFMPEG;
      else process.env.CTC_ENSEMBLE_FFMPEG = old;
    }
  });

  describe.skipIf(!hasFfmpeg)('through ffmpeg', () => {
    it('decodes flac (file and buffer) and mp3 to mono at the target rate', async () => {
      const wav = writeWavFile(path.join(dir, 'src.wav'), [sine(440, 1, 22050, 0.5), sine(440, 1, 22050, 0.1)], 22050);
      const flac = path.join(dir, 'x.flac');
      execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-i', wav, flac]);
      const fromWav = await loadAudio(wav, 16000);
      const fromFlac = await loadAudio(flac, 16000);
      expect(fromFlac.length).toBe(16000);
      let err = 0;
      for (let i = 0; i < fromWav.length; i++) err = Math.max(err, Math.abs(fromWav[i] - fromFlac[i]));
      expect(err).toBeLessThan(1e-6); // flac is lossless: same samples, same mixing and resampler
      const fromBuffer = await loadAudio(readFileSync(flac), 16000, 'upload.flac');
      expect(Array.from(fromBuffer)).toEqual(Array.from(fromFlac));
      const mp3 = path.join(dir, 'x.mp3');
      execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-i', wav, mp3]);
      const d = await decodeAudio(mp3);
      expect(d.channels.length).toBe(2);
      expect((await loadAudio(mp3, 16000)).length).toBeGreaterThan(15000);
    });

    it('non-audio bytes give a clear error', async () => {
      const junk = path.join(dir, 'notes.txt');
      writeFileSync(junk, 'this is not audio at all\n'.repeat(20));
      await expectUserError(loadAudio(junk, 16000), /notes\.txt: not a RIFF\/WAVE file \(starts with "this"\); ffmpeg could not decode it as audio/);
      // Larger than the synchronous read: told apart by its first bytes, then handed to ffmpeg by path.
      const big = path.join(dir, 'big-notes.txt');
      writeFileSync(big, 'this is not audio at all\n'.repeat(20_000));
      await expectUserError(loadAudio(big, 16000), /big-notes\.txt: not a RIFF\/WAVE file \(starts with "this"\); ffmpeg could not decode it as audio/);
    });

    it('a large flac (past the synchronous read) decodes to the samples of its WAV', async () => {
      const long = new Float32Array(22050 * 8);
      // Noise, so that FLAC cannot shrink it below the synchronous read.
      let seed = 7;
      for (let i = 0; i < long.length; i++) {
        seed = (seed * 1664525 + 1013904223) >>> 0;
        long[i] = 0.3 * (seed / 4294967296 - 0.5);
      }
      const wav = writeWavFile(path.join(dir, 'long.wav'), [long, long], 22050);
      const flac = path.join(dir, 'long.flac');
      execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-i', wav, flac]);
      expect(statSync(flac).size).toBeGreaterThan(256 * 1024);
      expect(Array.from(await loadAudio(flac, 16000))).toEqual(Array.from(await loadAudio(wav, 16000)));
    });
  });
});
