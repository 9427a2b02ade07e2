import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { resample } from '../../src/audio/resample.js';
import { encodeWav } from '../../src/audio/wav.js';
import { formatDuration, Progress } from '../../src/ensemble/progress.js';
import { DecodedAudio, keepAcousticFrames, runMembers, type RunStats } from '../../src/ensemble/runner.js';
import { loadCtcModel } from '../../src/models/load.js';
import type { CtcModel, Logprobs, ModelFeatures } from '../../src/models/types.js';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import { frontEndKey } from '../../src/features/front-end-key.js';
import { AcousticSummary, sharesAcousticFrontEnd } from '../../src/features/acoustic-summary.js';
import { repoRoot } from '../helpers/shared.js';
import { makeFixture } from '../helpers/ensemble-fixture.js';
import { synthesizeTones, writeWavFile } from '../helpers/wav.js';

describe('runMembers: shared work across members (real tone models)', () => {
  it('the demo en and vi members share one mel front end (equal NeMo preprocessor configs); the result equals each member alone', async () => {
    const [en, vi, digits] = await Promise.all(['en', 'vi', 'digits'].map((m) => loadCtcModel(path.join(repoRoot, 'models', m))));
    try {
      expect(frontEndKey(en.frontEnd)).toBe(frontEndKey(vi.frontEnd));
      expect(frontEndKey(digits.frontEnd)).not.toBe(frontEndKey(en.frontEnd));
      const audio = await DecodedAudio.from(path.join(repoRoot, 'samples', 'digits_1.wav')); // 8 kHz: one resampling for all
      const stats: RunStats = { modelPasses: 0, frontEndPasses: 0 };
      const out = await runMembers([en, vi, digits], [0, 1, 2], audio, 1, undefined, stats);
      expect(stats).toEqual({ modelPasses: 3, frontEndPasses: 2 });
      const samples = audio.at(16000);
      for (const [i, m] of [en, vi, digits].entries()) expect(Array.from(out[i].data)).toEqual(Array.from((await m.run(samples)).data));
      // en/vi have the acoustic summary's front end: their frames before normalisation stay on the audio, and the
      // summary from them equals the one that computes its own front end (no second STFT needed).
      expect(sharesAcousticFrontEnd(en.frontEnd)).toBe(true);
      expect(audio.acousticLogMel).not.toBeNull();
      const reused = new AcousticSummary().addLogMel(samples.length, audio.acousticLogMel).features();
      expect(reused).toEqual(new AcousticSummary().add(samples).features());
      const digitsOnly = await DecodedAudio.from(path.join(repoRoot, 'samples', 'digits_1.wav'));
      await runMembers([en, vi, digits], [2], digitsOnly, 1);
      expect(digitsOnly.acousticLogMel).toBeNull(); // the wav2vec2 member has no log-mel
      // A member whose config is spelled differently (other property order) but equal still shares.
      const reordered = Object.create(vi, { frontEnd: { value: Object.fromEntries(Object.entries(vi.frontEnd).reverse()) } }) as typeof vi;
      const s2: RunStats = { modelPasses: 0, frontEndPasses: 0 };
      const out2 = await runMembers([en, reordered], [0, 1], audio, 1, undefined, s2);
      expect(s2).toEqual({ modelPasses: 2, frontEndPasses: 1 });
      expect(Array.from(out2[1].data)).toEqual(Array.from(out[1].data));
      // The domain gate's order: frames first (keepAcousticFrames), members after: one mel for the summary and
      // en/vi together, the same posteriors and summary as above.
      const gated = await DecodedAudio.from(path.join(repoRoot, 'samples', 'digits_1.wav'));
      expect(keepAcousticFrames([digits, en, vi], gated)).toBe(true);
      expect(new AcousticSummary().addLogMel(samples.length, gated.acousticLogMel).features()).toEqual(reused);
      const s3: RunStats = { modelPasses: 0, frontEndPasses: 0 };
      const out3 = await runMembers([en, vi, digits], [0, 1, 2], gated, 1, undefined, s3);
      expect(s3).toEqual({ modelPasses: 3, frontEndPasses: 1 }); // only the wav2vec2 normalisation was left to do
      for (const i of [0, 1, 2]) expect(Array.from(out3[i].data)).toEqual(Array.from(out[i].data));
      expect(keepAcousticFrames([digits], await DecodedAudio.from(path.join(repoRoot, 'samples', 'digits_1.wav')))).toBe(false);
    } finally {
      await Promise.all([en, vi, digits].map((m) => m.dispose()));
    }
  });

  it('decodes once, resamples once per rate, computes each distinct front end once; results equal model.run', async () => {
    // models 0 and 1 share the 80-mel front end, model 2 has a 64-mel one
    const fx = makeFixture(mkdtempSync(path.join(os.tmpdir(), 'runner-')), { domains: 3, train: 1, dev: 1, test: 1, mel64: [2] });
    const models = await Promise.all(fx.domains.map((d) => loadCtcModel(d.modelDir)));
    try {
      // the same audio at 32 kHz: resampled to 16 kHz once for all three models
      const at16 = synthesizeTones(['a', 'c', 'e'], fx.frequencies);
      const wav = writeWavFile(path.join(fx.root, 'x32k.wav'), resample(at16, 16000, 32000), 32000);
      const audio = await DecodedAudio.from(wav);
      expect(audio.sampleRate).toBe(32000);
      const stats: RunStats = { modelPasses: 0, frontEndPasses: 0 };
      const timings = { resample: 0, features: 0, models: 0 };
      const out = await runMembers(models, [0, 1, 2], audio, 1, timings, stats);
      expect(stats).toEqual({ modelPasses: 3, frontEndPasses: 2 });
      expect(timings.features).toBeGreaterThan(0);
      const samples = audio.at(16000);
      expect(audio.at(16000)).toBe(samples); // memoised
      for (const [i, m] of models.entries()) {
        const direct = await m.run(samples);
        expect(out[i].frames).toBe(direct.frames);
        expect(Array.from(out[i].data)).toEqual(Array.from(direct.data));
      }
      // temperature reaches the models
      const t2 = await runMembers(models, [1], audio, 2);
      const d2 = await models[1].run(samples, { temperature: 2 });
      expect(Array.from(t2[0].data)).toEqual(Array.from(d2.data));
      // Posteriors a member already produced on these samples (a gated member passed on by verification) are
      // handed on, to `each` too, without running it again; at another temperature the member runs.
      const again = await DecodedAudio.from(wav);
      again.posteriors.set(models[1], { temperature: 1, logprobs: out[1] });
      const s3: RunStats = { modelPasses: 0, frontEndPasses: 0 };
      const seen: number[] = [];
      const reused = await runMembers(models, [0, 1, 2], again, 1, undefined, s3, (pos) => seen.push(pos));
      expect(s3.modelPasses).toBe(2);
      expect(reused[1]).toBe(out[1]);
      expect(seen.sort()).toEqual([0, 1, 2]);
      for (const i of [0, 2]) expect(Array.from(reused[i].data)).toEqual(Array.from(out[i].data));
      const s4: RunStats = { modelPasses: 0, frontEndPasses: 0 };
      await runMembers(models, [1], again, 2, undefined, s4);
      expect(s4.modelPasses).toBe(1);
    } finally {
      await Promise.all(models.map((m) => m.dispose()));
    }
  });
});

/**
 * Completion order imposed on members: each member's posteriors are held back until those named before it in `order`
 * were handed on (its session runs as usual). `done`: the names in the order they were handed on.
 */
class Turns {
  readonly done: string[] = [];
  private readonly waiting = new Map<string, () => void>();
  constructor(private readonly order: readonly string[]) {}

  wait(name: string): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.set(name, resolve);
      this.next();
    });
  }

  private next(): void {
    const name = this.order[this.done.length];
    const go = name === undefined ? undefined : this.waiting.get(name);
    if (!go) return;
    this.waiting.delete(name);
    this.done.push(name);
    go();
    setTimeout(() => this.next(), 5); // after the released member's promise chain has run
  }
}

/** `model` whose posteriors are handed on in the turn `turns()` gives it. */
function inTurn(model: CtcModel, turns: () => Turns): CtcModel {
  const name = path.basename(model.dir);
  const late = async (lp: Logprobs): Promise<Logprobs> => {
    await turns().wait(name);
    return lp;
  };
  return Object.create(model, {
    // As a member on a worker thread: `Ensemble.scoreMembers` then scores each member as it arrives.
    frontEndOffThread: { value: true },
    run: { value: async (x: Float32Array, o?: { temperature?: number }) => late(await model.run(x, o)) },
    runFeatures: { value: async (f: ModelFeatures, o?: { temperature?: number }) => late(await model.runFeatures!(f, o)) },
  }) as CtcModel;
}

describe('members finishing in any order (scheduling)', () => {
  it('runMembers hands every member to `each` once, as it arrives; Ensemble results are the same whichever member finishes first', async () => {
    const ensDir = path.join(repoRoot, 'ensembles', 'demo');
    const plain = await Ensemble.load(ensDir);
    let turns = new Turns([]);
    const ens = await Ensemble.load(ensDir, { loadModel: async (d) => inTurn(await loadCtcModel(d), () => turns) });
    const files = ['en_1', 'vi_1', 'digits_1'].map((f) => path.join(repoRoot, 'samples', `${f}.wav`));
    try {
      const want = await Promise.all(files.map((f) => plain.transcribe(f, { all: true })));
      const orders = [
        ['en', 'vi', 'digits'],
        ['digits', 'vi', 'en'],
        ['vi', 'digits', 'en'],
        ['en', 'digits', 'vi'],
      ];
      for (const order of orders) {
        for (const [j, f] of files.entries()) {
          turns = new Turns(order);
          const got = await ens.transcribe(f, { all: true });
          expect(turns.done).toEqual(order);
          expect([got.text, got.model, got.transcripts]).toEqual([want[j].text, want[j].model, want[j].transcripts]);
          expect(got.confidences).toEqual(want[j].confidences);
          expect(got.probabilities).toEqual(want[j].probabilities);
          expect(got.segments.map((s) => s.words)).toEqual(want[j].segments.map((s) => s.words));
        }
        // runMembers' `each`: once per member, in order of arrival, with the very posteriors it returns.
        turns = new Turns(order);
        const arrived: number[] = [];
        const got: Logprobs[] = [];
        const which = [2, 0, 1];
        const out = await runMembers(
          [0, 1, 2].map((i) => ens.memberModel(i)),
          which,
          await DecodedAudio.from(files[0]),
          1,
          undefined,
          undefined,
          (pos, lp) => {
            arrived.push(pos);
            got[pos] = lp;
          },
        );
        expect(arrived.map((pos) => ens.names[which[pos]])).toEqual(order);
        expect(got.every((lp, pos) => lp === out[pos])).toBe(true);
      }
    } finally {
      await Promise.all([plain.dispose(), ens.dispose()]);
    }
  }, 60_000);
});

/** A real Writable that keeps what was written. */
function sink(isTTY: boolean): { stream: Writable & { isTTY?: boolean; columns?: number }; out: string[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk.toString());
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 80;
  return { stream, out };
}

describe('progress', () => {
  it('non-TTY: a few plain lines with counts and ETA', () => {
    let t = 0;
    const { stream, out } = sink(false);
    const p = new Progress('passes', 20, { stream, now: () => t });
    for (let i = 0; i < 20; i++) {
      t += 1000;
      p.tick(1, i < 4);
    }
    p.finish();
    expect(out[0]).toBe('passes: 0/20\n');
    expect(out.length).toBeLessThanOrEqual(12);
    expect(out.some((l) => /^passes: 10\/20, 4 cached, 0\.6\/s, elapsed 00:10, ETA 00:17\n$/.test(l))).toBe(true);
    expect(out.at(-1)).toBe('passes: done 20/20 (4 from cache) in 00:20\n');
  });

  it('TTY: a redrawn bar', () => {
    let t = 0;
    const { stream, out } = sink(true);
    const p = new Progress('x', 4, { stream, now: () => t, redrawMs: 0 });
    t = 2000;
    p.tick();
    expect(out.at(-1)).toMatch(/^\rx \[#+\.+\] 1\/4, 0\.5\/s, elapsed 00:02, ETA 00:06\x1b\[K$/);
    p.finish();
    expect(out.at(-1)).toMatch(/^\rx: done 1\/4 in 00:02\x1b\[K\n$/);
  });

  it('formatDuration', () => {
    expect(formatDuration(59.6)).toBe('01:00');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('--:--');
  });
});

describe('DecodedAudio channel selection (NeMo channel_selector, issue 14.5)', () => {
  it('averages by default, picks an index, averages a listed subset, and names the file when a channel is missing', async () => {
    const ch = [Float32Array.from([0.5, 0.5]), Float32Array.from([-0.25, 0.25]), Float32Array.from([0, 0.125])];
    const bytes = encodeWav(ch, 16000, { encoding: 'float32' });
    expect(Array.from((await DecodedAudio.from(bytes, 'three.wav')).mono)).toEqual([0.25 / 3, 0.875 / 3].map(Math.fround));
    expect(Array.from((await DecodedAudio.from(bytes, 'three.wav', 16000, 1)).mono)).toEqual([-0.25, 0.25]);
    expect(Array.from((await DecodedAudio.from(bytes, 'three.wav', 16000, [0, 2])).mono)).toEqual([0.25, 0.3125]);
    await expect(DecodedAudio.from(bytes, 'three.wav', 16000, 3)).rejects.toThrow(/cannot select channel 3 from audio with 3 channel/);
  });
});
