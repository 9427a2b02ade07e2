import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src/audio/load.js';
import { SileroVad } from '../../src/segment/silero.js';
import { VoiceActivityDetector, detectSpeech, resolveVadOptions } from '../../src/segment/vad.js';
import { repoRoot } from '../helpers/shared.js';
import { manifestUtterances, writeLongRecording, type PlacedUtterance } from '../helpers/long-audio.js';

describe('Silero VAD (real model, real speech)', () => {
  let vad: SileroVad;
  let dir: string;
  let x: Float32Array;
  let placed: PlacedUtterance[];
  beforeAll(async () => {
    vad = await SileroVad.load();
    dir = mkdtempSync(path.join(os.tmpdir(), 'vad-test-'));
    const file = path.join(dir, 'joined.wav');
    // en_3 ends in 0.5 s of the synthetic noise its training data carries (louder than the trim gate), vi_1 in a
    // long quiet decay: their energy-trimmed ends are not where speech ends; digits_2 (8 kHz mu-law) is
    // partly below the detector's threshold (see the README's VAD measurements). They are left out here.
    const utts = manifestUtterances(path.join(repoRoot, 'samples', 'manifest.jsonl'), '').filter((u) => /(en_[12]|digits_[13]|vi_[23])/.test(u.file));
    ({ placed } = await writeLongRecording(file, utts, { silences: [1.2, 0.8, 1.5] }));
    x = await loadAudio(file, 16000);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds each utterance of speech joined with known silences within ±0.3 s', async () => {
    const segs = await detectSpeech(vad, x);
    // A pause inside an utterance may split it; every known boundary must be a segment boundary (±0.3 s).
    for (const u of placed) {
      expect(Math.min(...segs.map((s) => Math.abs(s.start - u.start)))).toBeLessThan(0.3);
      expect(Math.min(...segs.map((s) => Math.abs(s.end - u.end)))).toBeLessThan(0.3);
    }
    // and no segment reaches into a known silence by more than 0.3 s
    for (const s of segs) {
      const u = placed.find((p) => s.end > p.start && s.start < p.end)!;
      expect(u).toBeDefined();
      expect(s.start).toBeGreaterThan(u.start - 0.3);
      expect(s.end).toBeLessThan(u.end + 0.3);
    }
  }, 60_000);

  it('gives the same segments whatever the chunk size (streaming)', async () => {
    const whole = await detectSpeech(vad, x);
    vad.reset();
    const det = new VoiceActivityDetector(vad);
    const events = [];
    for (let p = 0, k = 0; p < x.length; k++) {
      const n = [100, 512, 1000, 4096, 7][k % 5];
      events.push(...(await det.push(x.subarray(p, p + n))));
      p += n;
    }
    events.push(...(await det.flush()));
    const segs = events.filter((e) => e.type === 'segment');
    expect(segs.map((e) => [e.start / 16000, (e as { end: number }).end / 16000])).toEqual(whole.map((s) => [s.start, s.end]));
    // every segment was announced by a start event before it closed
    expect(events.filter((e) => e.type === 'start').length).toBe(segs.length);
  }, 60_000);

  it('splits speech longer than the maximum at a low-probability point, contiguously', async () => {
    const segs = await detectSpeech(vad, x, { maxSegmentSeconds: 4, splitWindowSeconds: 2, minSilenceMs: 5000, speechPadMs: 100 });
    for (const s of segs) expect(s.end - s.start).toBeLessThanOrEqual(4.001);
    const joined = segs.filter((s, i) => i > 0 && Math.abs(s.start - segs[i - 1].end) < 1e-9);
    expect(joined.length).toBeGreaterThan(0);
  }, 60_000);

  it('rejects bad options by name', () => {
    expect(() => resolveVadOptions({ threshold: 1.5 })).toThrow(/threshold/);
    expect(() => resolveVadOptions({ maxSegmentSeconds: 1 })).toThrow(/maximum segment/);
  });
});
