import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, ensureBuilt } from '../helpers/cli.js';
import { writeNemoToneModel, writeWav2vec2ToneModel } from '../helpers/onnx-builder.js';
import { chars, nemoReferenceSignal, synthesizeTones, writeWavFile } from '../helpers/wav.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await ensureBuilt();
}, 300_000);

function expectCleanError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('ensemble features', () => {
  const ref = writeWavFile(path.join(dir, 'ref.wav'), nemoReferenceSignal(), 16000, { encoding: 'float32' });

  it('--json prints the NeMo reflect (≤ 2.4.x) and zero-pad (≥ 2.5) reference features', async () => {
    for (const [flag, value, valid, f0] of [
      ['--nemo-version', '2.4', 51, 4.375894],
      ['--framing', 'reflect', 51, 4.375894],
      ['--nemo-version', '2.5.0rc0', 50, 6.323349],
      ['--framing', 'zero-pad', 50, 6.323349],
    ] as const) {
      const r = await runCli(['features', ref, '--frontend', 'nemo', flag, value, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { nMels: number; frames: number; validFrames: number; data: number[] };
      expect([out.nMels, out.frames, out.validFrames, out.data.length]).toEqual([80, 51, valid, 80 * 51]);
      expect(Math.abs(out.data[0] - f0)).toBeLessThan(1e-4);
    }
  });

  it('--json output longer than a pipe buffer arrives whole (exit waits for stdout to drain)', async () => {
    const longer = new Float32Array(16000 * 6);
    for (let i = 0; i < longer.length; i++) longer[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000) + 0.01 * Math.sin(i * 1.7);
    const file = writeWavFile(path.join(dir, 'six-seconds.wav'), longer, 16000);
    const r = await runCli(['features', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(256 * 1024);
    const out = JSON.parse(r.stdout) as { nMels: number; frames: number; data: number[] };
    expect(out.data.length).toBe(out.nMels * out.frames);
  });

  it('--n-mels and the wav2vec2 front end', async () => {
    const a = JSON.parse((await runCli(['features', ref, '--n-mels', '64', '--json'])).stdout) as { nMels: number; data: number[] };
    expect(a.nMels).toBe(64);
    const w = await runCli(['features', ref, '--frontend', 'wav2vec2', '--json']);
    const out = JSON.parse(w.stdout) as { nMels: number; frames: number; validFrames: number; data: number[] };
    expect([out.nMels, out.frames, out.validFrames]).toEqual([1, 8037, 8037]);
    const mean = out.data.reduce((s, v) => s + v, 0) / out.data.length;
    expect(Math.abs(mean)).toBeLessThan(1e-5);
    const plain = await runCli(['features', ref]);
    expect(plain.stdout).toMatch(/nemo features 80 x 51 \(valid 51\)/);
  });

  it('errors: bad WAV, missing file, ffmpeg missing', async () => {
    const bad = path.join(dir, 'bad.wav');
    writeFileSync(bad, Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt '));
    expectCleanError(await runCli(['features', bad, '--json']), /bad\.wav: truncated file: incomplete chunk header at byte 12/);
    expectCleanError(await runCli(['features', path.join(dir, 'none.wav')]), /none\.wav: no such file/);
    const flac = path.join(dir, 'x.flac');
    writeFileSync(flac, Buffer.from('fLaC\x00\x00\x00\x22'));
    const r = await runCli(['features', flac], { env: { PATH: mkdtempSync(path.join(dir, 'empty-path-')), CTC_ENSEMBLE_FFMPEG: undefined } });
    expectCleanError(r, /x\.flac: not a RIFF\/WAVE file .* needs ffmpeg, and "ffmpeg" was not found on PATH/);
  });
});

describe('ensemble transcribe', () => {
  const nemo = writeNemoToneModel(path.join(dir, 'nemo'), { vocabulary: [' ', 'h', 'e', 'l', 'o', 'w', 'r', 'd'] });
  const w2v = writeWav2vec2ToneModel(path.join(dir, 'w2v'), { vocabulary: ['<pad>', '<s>', '</s>', '<unk>', '|', 'E', 'H', 'L', 'O', 'W', 'R', 'D'] });
  const a = writeWavFile(path.join(dir, 'a.wav'), synthesizeTones(chars('hello world'), nemo.frequencies), 16000);
  // 44.1 kHz stereo input goes through mixing + resampling.
  const tones = synthesizeTones(chars('world'), nemo.frequencies, { sampleRate: 44100 });
  const b = writeWavFile(path.join(dir, 'b.wav'), [tones, tones], 44100, { encoding: 'pcm24' });

  it('prints the greedy transcript', async () => {
    const r = await runCli(['transcribe', '--model', nemo.dir, a]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello world\n');
    const w = await runCli(['transcribe', '--model', w2v.dir, writeWavFile(path.join(dir, 'c.wav'), synthesizeTones(chars('HELLO|WORLD'), w2v.frequencies))]);
    expect(w.stdout).toBe('hello world\n');
  });

  it('several files, --json', async () => {
    const r = await runCli(['transcribe', '--model', nemo.dir, a, b]);
    expect(r.stdout).toBe(`${a}\thello world\n${b}\tworld\n`);
    const j = await runCli(['transcribe', '--model', nemo.dir, a, b, '--json']);
    const out = JSON.parse(j.stdout) as { layout: string; results: Array<{ file: string; text: string; frames: number }> };
    expect(out.layout).toBe('nemo');
    expect(out.results.map((x) => x.text)).toEqual(['hello world', 'world']);
  });

  it('errors exit non-zero with a message naming the file', async () => {
    expectCleanError(await runCli(['transcribe', '--model', path.join(dir, 'nope'), a]), /nope: model folder not found/);
    const bad = path.join(dir, 'nan.wav');
    writeWavFile(bad, new Float32Array([0, NaN, 0]), 16000, { encoding: 'float32' });
    expectCleanError(await runCli(['transcribe', '--model', nemo.dir, bad]), /nan\.wav: sample 1 of channel 0 is NaN/);
  });
});
