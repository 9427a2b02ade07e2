// Runtime-core timings: `npm run bench -- frontend`. For a 10 s input: front-end time (× real time) for the
// NeMo (2.3 / 2.4) and wav2vec2 front ends, resampling from 44.1 kHz, and ONNX time per test model (the
// tone models of tests/helpers/onnx-builder.ts for each layout), and the selector's acoustic summary: computing its
// own front end vs reading a NeMo member's log-mel frames (with BENCH_BASE, paired against that build's summary).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nemoFrontEnd, nemoMelSpectrogram } from '../src/features/nemo-mel.js';
import { AcousticSummary } from '../src/features/acoustic-summary.js';
import { wav2vec2Normalize } from '../src/features/wav2vec2.js';
import { resample } from '../src/audio/resample.js';
import { loadCtcModel } from '../src/models/load.js';
import { writeNemoToneModel, writeSherpaToneModel, writeWav2vec2ToneModel } from '../tests/helpers/onnx-builder.js';
import { noise, sine } from '../tests/helpers/wav.js';

const SECONDS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall and CPU (this process, user + system) ms over `reps` runs after a warm-up. */
async function time(fn: () => unknown | Promise<unknown>, reps = 7): Promise<{ wall: number; cpu: number }> {
  await fn(); // warm-up / JIT
  const t: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
    const dc = process.cpuUsage(c0);
    c.push((dc.user + dc.system) / 1000);
  }
  return { wall: median(t), cpu: median(c) };
}

const row = (name: string, { wall, cpu }: { wall: number; cpu: number }) =>
  console.log(
    `${name.padEnd(44)} ${wall.toFixed(2).padStart(9)} ms   ${((SECONDS * 1000) / wall).toFixed(0).padStart(6)}× real time   CPU ${cpu.toFixed(2).padStart(8)} ms`,
  );

export async function run(): Promise<void> {
  const audio = sine(440, SECONDS, 16000, 0.3);
  const nz = noise(audio.length, 0.01);
  for (let i = 0; i < audio.length; i++) audio[i] += nz[i];
  console.log(
    `input: ${SECONDS} s at 16 kHz (median of 7 runs after a warm-up); load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')}`,
  );
  row('front end: NeMo mel 80 (reflect framing)', await time(() => nemoMelSpectrogram(audio, { framing: 'reflect' })));
  /**
   * CPU of this build's `ours` over another build's `theirs`, alternating: median of 15 pairs (3 runs each), and
   * each side's median CPU (ms).
   */
  const pairedCpu = async (ours: () => unknown, theirs: () => unknown): Promise<{ ratio: number; ours: number; theirs: number }> => {
    const ratios: number[] = [];
    const cpus: number[][] = [[], []];
    const pair = [ours, theirs];
    for (let r = 0; r < 15; r++) {
      const cpu = [0, 0];
      for (const i of r % 2 ? [1, 0] : [0, 1]) cpu[i] = (await time(pair[i], 3)).cpu;
      cpus[0].push(cpu[0]);
      cpus[1].push(cpu[1]);
      ratios.push(cpu[0] / cpu[1]);
    }
    return { ratio: median(ratios), ours: median(cpus[0]), theirs: median(cpus[1]) };
  };
  const baseDir = process.env.BENCH_BASE;
  if (baseDir) {
    // Another build's front end (e.g. main's, see README "Runtime speed"), alternating with this one: CPU ratio.
    const other = (await import(pathToFileURL(path.resolve(baseDir, 'features/nemo-mel.js')).href)) as typeof import('../src/features/nemo-mel.js');
    const { ratio } = await pairedCpu(
      () => nemoMelSpectrogram(audio),
      () => other.nemoMelSpectrogram(audio),
    );
    console.log(`front end: NeMo mel 80, this build / ${baseDir}: CPU ${ratio.toFixed(2)} (median of 15 alternating pairs)`);
  }
  // The acoustic summary (selector features): a member's front end that keeps its log-mel frames, then the summary
  // from them, vs the summary's own front end.
  const memberFe = nemoFrontEnd();
  const kept = nemoMelSpectrogram(audio, memberFe, { keepLogMel: true, melPower: true });
  const logMel = { data: kept.logMel!, frames: kept.frames, validFrames: kept.validFrames, power: kept.melPower! };
  row(
    'front end: NeMo mel 80, keeping the log-mel and its channel power',
    await time(() => nemoMelSpectrogram(audio, memberFe, { keepLogMel: true, melPower: true })),
  );
  row("acoustic summary from a member's frames", await time(() => new AcousticSummary().addLogMel(audio.length, logMel)));
  row('acoustic summary, own front end', await time(() => new AcousticSummary().add(audio)));
  if (baseDir && !existsSync(path.resolve(baseDir, 'features/acoustic-summary.js'))) {
    console.log(`member mel 80 + acoustic summary: ${baseDir} has no acoustic summary, not compared`);
  } else if (baseDir) {
    // What the ensemble spends on a NeMo member's front end + the summary: here (frames reused) vs the other build.
    const base = (await import(
      pathToFileURL(path.resolve(baseDir, 'features/acoustic-summary.js')).href
    )) as typeof import('../src/features/acoustic-summary.js');
    const baseMel = (await import(pathToFileURL(path.resolve(baseDir, 'features/nemo-mel.js')).href)) as typeof import('../src/features/nemo-mel.js');
    const p = await pairedCpu(
      () => {
        const f = nemoMelSpectrogram(audio, memberFe, { keepLogMel: true, melPower: true });
        new AcousticSummary().addLogMel(audio.length, { data: f.logMel!, frames: f.frames, validFrames: f.validFrames, power: f.melPower! }).features();
      },
      () => {
        baseMel.nemoMelSpectrogram(audio, memberFe);
        new base.AcousticSummary().add(audio).features();
      },
    );
    console.log(
      `member mel 80 + acoustic summary, this build / ${baseDir}: CPU ${p.ratio.toFixed(2)} (${p.ours.toFixed(2)} / ${p.theirs.toFixed(2)} ms; median of 15 alternating pairs)`,
    );
  }
  row('front end: NeMo mel 80 (zero-pad framing)', await time(() => nemoMelSpectrogram(audio, { framing: 'zero-pad' })));
  row('front end: NeMo mel 128', await time(() => nemoMelSpectrogram(audio, { nMels: 128 })));
  row('front end: wav2vec2 normalisation', await time(() => wav2vec2Normalize(audio)));
  const a441 = sine(440, SECONDS, 44100, 0.3);
  row('resample 44.1 kHz -> 16 kHz', await time(() => resample(a441, 44100, 16000), 5));
  const a48 = sine(440, SECONDS, 48000, 0.3);
  row('resample 48 kHz -> 16 kHz', await time(() => resample(a48, 48000, 16000), 5));
  row('resample 48 kHz -> 16 kHz, direct form', await time(() => resample(a48, 48000, 16000, { method: 'direct' }), 5));
  const a22 = sine(440, SECONDS, 22050, 0.3);
  row('resample 22.05 kHz -> 16 kHz', await time(() => resample(a22, 22050, 16000), 5));
  const a8 = sine(440, SECONDS, 8000, 0.3);
  row('resample 8 kHz -> 16 kHz', await time(() => resample(a8, 8000, 16000), 5));
  row('resample 8 kHz -> 16 kHz, direct form', await time(() => resample(a8, 8000, 16000, { method: 'direct' }), 5));
  if (baseDir) {
    const other = (await import(pathToFileURL(path.resolve(baseDir, 'audio/resample.js')).href)) as typeof import('../src/audio/resample.js');
    for (const [x, rate] of [
      [a8, 8000],
      [a48, 48000],
    ] as const) {
      const { ratio } = await pairedCpu(
        () => resample(x, rate, 16000),
        () => other.resample(x, rate, 16000),
      );
      console.log(`resample ${rate / 1000} kHz -> 16 kHz, this build / ${baseDir}: CPU ${ratio.toFixed(2)} (median of 15 alternating pairs)`);
    }
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-frontend-'));
  try {
    const chars = [' ', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'k', 'l'];
    const models = [
      ['NeMo layout (char, 13 classes)', writeNemoToneModel(path.join(dir, 'nemo'), { vocabulary: chars }).dir],
      ['sherpa-onnx layout (BPE, 6 classes)', writeSherpaToneModel(path.join(dir, 'sherpa'), { vocabulary: ['▁a', 'b', '▁c', 'd', 'e'] }).dir],
      [
        'wav2vec2 layout (conv over samples)',
        writeWav2vec2ToneModel(path.join(dir, 'w2v'), { vocabulary: ['<pad>', '<s>', '</s>', '<unk>', '|', 'A', 'B', 'C'] }).dir,
      ],
    ] as const;
    for (const [name, d] of models) {
      const model = await loadCtcModel(d);
      const feats = model.computeFeatures(audio);
      row(`ONNX: ${name}`, await time(() => model.runFeatures(feats)));
      row(`front end + ONNX: ${name}`, await time(() => model.run(audio)));
      await model.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
