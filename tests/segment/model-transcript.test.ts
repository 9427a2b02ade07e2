/**
 * One model's transcript of audio of any length (`ensemble transcribe`): long input runs one speech segment at a
 * time, a short file exactly as one run on all of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src/audio/load.js';
import { greedyDecode } from '../../src/decoding/greedy.js';
import { loadCtcModel, type LoadedCtcModel } from '../../src/models/load.js';
import { modelTranscript } from '../../src/segment/model-transcript.js';
import { longFormUtterances, writeLongRecording, type PlacedUtterance } from '../helpers/long-audio.js';
import { repoRoot } from '../helpers/shared.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'model-transcript-'));
let en: LoadedCtcModel;
/** Seconds of audio of each `run` call of `en`. */
const runs: number[] = [];

beforeAll(async () => {
  en = await loadCtcModel(path.join(repoRoot, 'models', 'en'));
  const run = en.run.bind(en);
  en.run = (samples, options) => {
    runs.push(samples.length / en.frontEnd.sampleRate);
    return run(samples, options);
  };
});
afterAll(async () => {
  await en.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('modelTranscript', () => {
  it('a short file is one run on all of it: the same text and frames as before segmentation existed', async () => {
    const file = path.join(repoRoot, 'samples', 'en_1.wav');
    runs.length = 0;
    const r = await modelTranscript(en, file);
    const lp = await en.run(await loadAudio(file, 16000));
    expect(r.text).toBe(greedyDecode(lp, en.vocabulary, en.blankId, en.tokenizer));
    expect(r.frames).toBe(lp.frames);
    expect(r.segments).toHaveLength(1);
    expect(runs[0]).toBe(runs[1]);
  });

  it('a long recording runs one speech segment at a time, never more than the maximum segment', async () => {
    const file = path.join(dir, 'long.wav');
    let placed: PlacedUtterance[] = [];
    let seconds = 0;
    ({ placed, seconds } = await writeLongRecording(file, longFormUtterances(), { targetSeconds: 45, silences: [1.2, 0.9, 1.6, 2.0, 1.0] }));
    expect(seconds).toBeGreaterThan(40);
    runs.length = 0;
    const r = await modelTranscript(en, file, { vad: { maxSegmentSeconds: 10 } });
    expect(runs.length).toBe(r.segments.length);
    expect(r.segments.length).toBeGreaterThan(3);
    expect(Math.max(...runs)).toBeLessThanOrEqual(10);
    expect(runs.reduce((a, b) => a + b, 0)).toBeLessThan(seconds);
    // Segments in file order, inside the file, and the text is theirs joined.
    r.segments.forEach((s, i) => {
      expect(s.end).toBeGreaterThan(s.start);
      expect(s.end).toBeLessThanOrEqual(seconds + 1e-9);
      if (i > 0) expect(s.start).toBeGreaterThanOrEqual(r.segments[i - 1].end);
    });
    expect(r.text).toBe(
      r.segments
        .map((s) => s.text)
        .filter((t) => t !== '')
        .join(' '),
    );
    // Each placed en_1 ("want it that you can change the software or use") is read by a segment over it.
    const english = placed.filter((u) => /en_1\.wav$/.test(u.file));
    expect(english.length).toBeGreaterThan(1);
    for (const u of english) {
      const over = r.segments.filter((s) => s.end > u.start && s.start < u.end);
      expect(over.map((s) => s.text).join(' ')).toMatch(/change the software/);
    }
  }, 120_000);
});
