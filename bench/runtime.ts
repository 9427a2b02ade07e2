// Runtime speed: `npm run bench -- runtime`. On a loaded, shared machine every comparison is paired: the two sides
// run alternately on the same input, medians over the repeats, and the ratio is the median of the per-pair ratios.
// Load averages are printed next to the numbers. `BENCH_RUNTIME=sherpa,ensemble,…` picks sections, `BENCH_RUNTIME_REPEATS` the
// repeats (default 15).
//  1. Per-model pipeline (WAV file -> text: read, front end, ONNX, greedy) for models/en against sherpa-onnx-node
//     running the same ONNX file on the same WAVs of 1, 3 and 10 s (both 1 ONNX Runtime thread). sherpa-onnx-node
//     is installed into a temporary folder (never a project dependency); the section is skipped if that fails.
//  2. The demo ensemble (3 members, in this thread) per sample file against the sum of its members' pure ONNX
//     time (session.run on precomputed features) on the same file; then what the ensemble does besides ONNX,
//     step by step (CPU medians per request), and what is left over.
//  2b. `scaled` (not in the default list): sections 2, 3, 4 and 6's ensemble rows with members of a production size in place of the demo's
//     (`/usr/bin/python3 training/scale_members.py`: random weights, NeMo Conformer-CTC small's shape), from
//     BENCH_SCALED_MEMBERS (default training/work/scaled-members); skipped when absent.
//  3. Members on worker threads (one per member) against members in this thread: wall time per file; their runs
//     scheduled on the cores (the default) and every member started at once (`memberRunSlots(Infinity)`).
//  4. `ensemble build` of the demo members on the sample files: members on worker threads vs this thread; scheduled
//     vs every run at once.
//  5. Early routing on the sample files: selection accuracy and cost against full routing.
//  6. ONNX Runtime settings for models/en on 10 s: intra-op threads 1 vs 2 (thread pools spinning or not), graph
//     optimisation levels; then the demo ensemble (members in this thread) with two intra-op threads per member,
//     spinning or not, against one. Each call is followed by 100 ms idle whose CPU counts to it.
//  7. `gate`: the domain gate (`--domain-gate P`) in front of full routing or early routing, against full routing:
//     every utterance of labelled manifests once each way, alternating which goes first; summed CPU and wall time,
//     selection accuracy. Needs an ensemble with domain-gate.json: BENCH_GATE_ENSEMBLE=DIR (default ensembles/demo),
//     BENCH_GATE_TESTS=en=M.jsonl,vi=…, BENCH_GATE=P[:S[:Pcascade]] (default 0.97), BENCH_GATE_PRUNE=E (default 0);
//     skipped without tests.
// `BENCH_BASE=DIR` (a compiled tree of another commit, e.g. main's: see README "Runtime speed") adds that code's
// ratios to sections 1 and 2, measured in the same run against the same baseline; `BENCH_BASE_ENSEMBLE=DIR` is the
// ensemble that code loads in section 2 (default ensembles/demo; needed when the demo's selector features are newer).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadAudio } from '../src/audio/load.js';
import { resample } from '../src/audio/resample.js';
import { decodeWav, encodeWav, mixToMono } from '../src/audio/wav.js';
import { computeConfidence, posteriorCounts } from '../src/confidence/index.js';
import { AcousticSummary } from '../src/features/acoustic-summary.js';
import { nemoMelSpectrogram, type NemoFrontEndConfig } from '../src/features/nemo-mel.js';
import { Ensemble } from '../src/ensemble/ensemble.js';
import { greedyDecode } from '../src/decoding/greedy.js';
import { loadCtcModel, type OrtSettings } from '../src/models/load.js';
import type { CtcModel } from '../src/models/types.js';
import { ensureBuilt } from '../tests/helpers/cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const REPEATS = Number(process.env.BENCH_RUNTIME_REPEATS ?? 15);

/** The other build named by BENCH_BASE (same module layout as dist/), or null. */
interface BaseBuild {
  dir: string;
  loadCtcModel: typeof loadCtcModel;
  loadAudio: typeof loadAudio;
  greedyDecode: typeof greedyDecode;
  Ensemble: typeof Ensemble;
}
async function baseBuild(): Promise<BaseBuild | null> {
  const dir = process.env.BENCH_BASE;
  if (!dir) return null;
  const at = (f: string): string => pathToFileURL(path.resolve(dir, f)).href;
  return {
    dir,
    loadCtcModel: ((await import(at('models/load.js'))) as typeof import('../src/models/load.js')).loadCtcModel,
    loadAudio: ((await import(at('audio/load.js'))) as typeof import('../src/audio/load.js')).loadAudio,
    greedyDecode: ((await import(at('decoding/greedy.js'))) as typeof import('../src/decoding/greedy.js')).greedyDecode,
    Ensemble: ((await import(at('ensemble/ensemble.js'))) as typeof import('../src/ensemble/ensemble.js')).Ensemble,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const load = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');

interface Paired {
  /** Median wall ms of a and of b. */
  a: number;
  b: number;
  /** Median of the per-pair wall ratios a/b. */
  ratio: number;
  /** The same for this process's CPU time (user + system, all its threads): steadier on a loaded machine. */
  cpuA: number;
  cpuB: number;
  cpuRatio: number;
}

/**
 * Time `a` and `b` alternately (order flipped every repeat) after one warm-up each. `idleMs`: after each call, wait
 * this long and count the CPU spent meanwhile to that call (ONNX Runtime's spinning thread pools keep busy for ~40 ms
 * after a run: without the wait that CPU, and the cores it takes, would fall on the other side).
 */
async function paired(a: () => unknown, b: () => unknown, repeats = REPEATS, idleMs = 0): Promise<Paired> {
  await a();
  await b();
  const wall = { a: [] as number[], b: [] as number[], r: [] as number[] };
  const cpu = { a: [] as number[], b: [] as number[], r: [] as number[] };
  for (let r = 0; r < repeats; r++) {
    const w: Record<string, number> = {};
    const c: Record<string, number> = {};
    for (const side of r % 2 ? ['b', 'a'] : ['a', 'b']) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await (side === 'a' ? a() : b());
      w[side] = performance.now() - t0;
      if (idleMs > 0) await new Promise((r) => setTimeout(r, idleMs));
      const dc = process.cpuUsage(c0);
      c[side] = (dc.user + dc.system) / 1000;
    }
    wall.a.push(w.a!);
    wall.b.push(w.b!);
    wall.r.push(w.a! / w.b!);
    cpu.a.push(c.a!);
    cpu.b.push(c.b!);
    cpu.r.push(c.a! / Math.max(c.b!, 1e-3));
  }
  return {
    a: median(wall.a),
    b: median(wall.b),
    ratio: median(wall.r),
    cpuA: median(cpu.a),
    cpuB: median(cpu.b),
    cpuRatio: median(cpu.r),
  };
}

const ms = (x: number): string => `${x.toFixed(2)} ms`;

/** 16 kHz mono WAVs of exactly `seconds`, cut from the English sample files (repeated as needed). */
export function englishWavs(dir: string, seconds: number[]): Map<number, string> {
  const pieces = ['en_1.wav', 'en_2.wav', 'en_3.wav'].map((f) => {
    const d = decodeWav(readFileSync(path.join(root, 'samples', f)), f);
    if (d.sampleRate !== 16000) throw new Error(`${f}: expected 16 kHz`);
    return mixToMono(d.channels);
  });
  const out = new Map<number, string>();
  for (const s of seconds) {
    const n = s * 16000;
    const x = new Float32Array(n);
    for (let filled = 0, i = 0; filled < n; i++) {
      const p = pieces[i % pieces.length];
      const k = Math.min(p.length, n - filled);
      x.set(p.subarray(0, k), filled);
      filled += k;
    }
    const file = path.join(dir, `en_${s}s.wav`);
    writeFileSync(file, encodeWav(x, 16000));
    out.set(s, file);
  }
  return out;
}

interface SherpaModule {
  OfflineRecognizer: new (config: unknown) => {
    createStream(): { acceptWaveform(w: { samples: Float32Array; sampleRate: number }): void };
    decode(stream: unknown): void;
    getResult(stream: unknown): { text: string };
  };
  readWave(file: string): { samples: Float32Array; sampleRate: number };
}

/** sherpa-onnx-node from a temporary npm prefix (installed on first use, reused by later runs). */
function sherpa(): SherpaModule | string {
  const prefix = path.join(os.tmpdir(), 'ctc-ensemble-bench-sherpa');
  const entry = path.join(prefix, 'node_modules', 'sherpa-onnx-node', 'package.json');
  if (!existsSync(entry)) {
    mkdirSync(prefix, { recursive: true });
    const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', 'sherpa-onnx-node'], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    });
    if (r.status !== 0 || !existsSync(entry))
      return `npm install --prefix ${prefix} sherpa-onnx-node failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  }
  try {
    const version = (JSON.parse(readFileSync(entry, 'utf8')) as { version: string }).version;
    const mod = createRequire(entry)('sherpa-onnx-node') as SherpaModule;
    console.log(`sherpa-onnx-node ${version} from ${prefix}`);
    return mod;
  } catch (e) {
    return `sherpa-onnx-node does not load: ${(e as Error).message}`;
  }
}

async function oursVsSherpa(tmp: string): Promise<void> {
  console.log(`\n### per-model pipeline vs sherpa-onnx-node: models/en, WAV file -> greedy text, 1 ORT thread (load ${load()})`);
  const s = sherpa();
  if (typeof s === 'string') {
    console.log(`(skipped: ${s})`);
    return;
  }
  const dir = path.join(root, 'models', 'en');
  const model = await loadCtcModel(dir);
  const recognizer = new s.OfflineRecognizer({
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: { nemoCtc: { model: path.join(dir, 'model.onnx') }, tokens: path.join(dir, 'tokens.txt'), numThreads: 1, provider: 'cpu', debug: 0 },
    decodingMethod: 'greedy_search',
  });
  const ours = async (file: string): Promise<string> => {
    const x = await loadAudio(file, 16000);
    return greedyDecode(await model.run(x), model.vocabulary, model.blankId, model.tokenizer);
  };
  const base = await baseBuild();
  const baseModel = base ? await base.loadCtcModel(dir) : null;
  const baseOurs = async (file: string): Promise<string> => {
    const x = await base!.loadAudio(file, 16000);
    return base!.greedyDecode(await baseModel!.run(x), baseModel!.vocabulary, baseModel!.blankId, baseModel!.tokenizer);
  };
  if (base) console.log(`base: ${base.dir} (its ratios in the last column, paired against sherpa-onnx-node the same way)`);
  const theirs = (file: string): string => {
    const w = s.readWave(file);
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples: w.samples, sampleRate: w.sampleRate });
    recognizer.decode(stream);
    return recognizer.getResult(stream).text;
  };
  console.log(
    `| audio | ours wall / CPU | sherpa-onnx-node wall / CPU | ours / sherpa, wall | ours / sherpa, CPU | same text |${base ? ' base / sherpa, wall / CPU |' : ''}`,
  );
  console.log(`|---|---|---|---|---|---|${base ? '---|' : ''}`);
  const differ: string[] = [];
  for (const [sec, file] of englishWavs(tmp, [1, 3, 10])) {
    const r = await paired(
      () => ours(file),
      () => theirs(file),
    );
    const [t1, t2] = [(await ours(file)).trim(), theirs(file).trim()];
    if (t1 !== t2) differ.push(`${sec} s: ours "${t1}" / sherpa "${t2}"`);
    const rb = base
      ? await paired(
          () => baseOurs(file),
          () => theirs(file),
        )
      : null;
    console.log(
      `| ${sec} s | ${ms(r.a)} / ${ms(r.cpuA)} | ${ms(r.b)} / ${ms(r.cpuB)} | ${r.ratio.toFixed(2)} | ${r.cpuRatio.toFixed(2)} | ${t1 === t2 ? 'yes' : 'no'} |${rb ? ` ${rb.ratio.toFixed(2)} / ${rb.cpuRatio.toFixed(2)} |` : ''}`,
    );
  }
  // sherpa-onnx computes NeMo-style features with kaldi-native-fbank (not NeMo-exact), so texts can differ.
  for (const d of differ) console.log(`texts differ at ${d}`);
  await model.dispose();
  await baseModel?.dispose();
  console.log(`(load average after: ${load()})`);
}

function sampleFiles(): string[] {
  return ['en_1', 'en_2', 'vi_1', 'vi_2', 'digits_1', 'digits_2'].map((f) => path.join(root, 'samples', `${f}.wav`));
}

/** Where a demo member's folder `d` is loaded from: itself, or the member of the same name in `scaled`. */
function scaledMemberDir(scaled: string | undefined): (d: string) => string {
  return (d) => (scaled ? path.join(scaled, path.basename(d)) : d);
}

/**
 * `scaled`: a folder of members at a production size (`training/scale_members.py`), loaded in place of the demo's
 * members of the same name (same tokens and front ends, so the demo's selector reads them; random weights).
 */
async function ensembleVsOnnx(scaled?: string): Promise<void> {
  const what = scaled ? `demo ensemble with the members of ${scaled} (random weights, production size)` : 'demo ensemble';
  console.log(`\n### ${what} (3 members, this thread) vs the sum of its members' ONNX time (load ${load()})`);
  const ensDir = path.join(root, 'ensembles', 'demo');
  const members: CtcModel[] = [];
  const memberDir = scaledMemberDir(scaled);
  const ens = await Ensemble.load(ensDir, {
    loadModel: async (d) => {
      members.push(await loadCtcModel(memberDir(d)));
      return loadCtcModel(memberDir(d));
    },
  });
  const base = scaled ? null : await baseBuild();
  const baseEns = base ? await base.Ensemble.load(process.env.BENCH_BASE_ENSEMBLE ?? ensDir) : null;
  if (base) console.log(`base: ${base.dir} (its ratios in the last column, paired against the same Σ session.run)`);
  console.log(
    `| file | audio | ensemble transcribe (file -> text), wall / CPU | Σ members session.run, wall / CPU | ratio wall | ratio CPU |${base ? ' base ratio wall / CPU | this / base, wall / CPU |' : ''}`,
  );
  console.log(`|---|---|---|---|---|---|${base ? '---|---|' : ''}`);
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const baseRatios: number[] = [];
  const baseCpuRatios: number[] = [];
  const directCpu: number[] = [];
  for (const file of sampleFiles()) {
    const feats = await Promise.all(members.map(async (m) => m.computeFeatures!(await loadAudio(file, m.frontEnd.sampleRate))));
    const onnx = async (): Promise<void> => {
      for (let i = 0; i < members.length; i++) await members[i].runFeatures!(feats[i]);
    };
    const r = await paired(() => ens.transcribe(file), onnx);
    ratios.push(r.ratio);
    cpuRatios.push(r.cpuRatio);
    const sec = (await ens.transcribe(file)).audioSeconds;
    const rb = baseEns ? await paired(() => baseEns.transcribe(file), onnx) : null;
    // This build against the base directly (not through two separate pairings with Σ session.run).
    const rd = baseEns
      ? await paired(
          () => ens.transcribe(file),
          () => baseEns.transcribe(file),
        )
      : null;
    if (rb && rd) {
      baseRatios.push(rb.ratio);
      baseCpuRatios.push(rb.cpuRatio);
      directCpu.push(rd.cpuRatio);
    }
    console.log(
      `| ${path.basename(file)} | ${sec.toFixed(2)} s | ${ms(r.a)} / ${ms(r.cpuA)} | ${ms(r.b)} / ${ms(r.cpuB)} | ${r.ratio.toFixed(2)} | ${r.cpuRatio.toFixed(2)} |${rb && rd ? ` ${rb.ratio.toFixed(2)} / ${rb.cpuRatio.toFixed(2)} | ${rd.ratio.toFixed(2)} / ${rd.cpuRatio.toFixed(2)} |` : ''}`,
    );
  }
  console.log(`median ratio over the files: wall ${median(ratios).toFixed(2)}, CPU ${median(cpuRatios).toFixed(2)} (load average after: ${load()})`);
  if (baseEns) {
    console.log(
      `base, median over the files: wall ${median(baseRatios).toFixed(2)}, CPU ${median(baseCpuRatios).toFixed(2)}; this build / base directly, CPU ${median(directCpu).toFixed(2)}`,
    );
  }
  await baseEns?.dispose();
  if (!scaled) await nonOnnxSteps(ens, members);
  await ens.dispose();
  await Promise.all(members.map((m) => m.dispose()));
}

/** Median CPU ms (this process) of `fn` over `reps` runs after a warm-up. */
async function cpuMs(fn: () => unknown, reps = REPEATS): Promise<number> {
  await fn();
  const c: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(c0);
    c.push((d.user + d.system) / 1000);
  }
  return median(c);
}

/**
 * The ensemble's work besides ONNX, one step at a time, per sample file (CPU medians per request): reading the WAV,
 * resampling to 16 kHz, the front ends (the NeMo mel shared by en and vi; wav2vec2's normalisation), the three
 * confidences, the selector's other inputs (posterior counts and the acoustic summary), the chosen member's
 * greedy text; "rest" is transcribe − Σ session.run − these steps, all in the same loop.
 */
async function nonOnnxSteps(ens: Ensemble, members: CtcModel[]): Promise<void> {
  console.log(`\n#### the ensemble besides ONNX, per request, CPU ms (medians; load ${load()})`);
  const nemo = members.find((m) => m.frontEnd.kind === 'nemo')!;
  const w2v = members.find((m) => m.frontEnd.kind === 'wav2vec2')!;
  const spec = ens.confidenceSpec;
  console.log(
    '| file | read WAV | resample → 16 kHz | NeMo mel 80 | wav2vec2 norm. | confidences | counts + acoustic summary | greedy | Σ steps | transcribe − Σ ONNX | rest |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const file of sampleFiles()) {
    const bytes = readFileSync(file);
    const d = decodeWav(bytes, file);
    const mono = mixToMono(d.channels);
    const x = d.sampleRate === 16000 ? mono : resample(mono, d.sampleRate, 16000);
    const feats = members.map((m) => m.computeFeatures!(x));
    const lps = await Promise.all(members.map((m, i) => m.runFeatures!(feats[i])));
    // The summary reads the shared NeMo front end's frames before normalisation, as the ensemble does (no mel of its own).
    const kept = nemoMelSpectrogram(x, nemo.frontEnd as NemoFrontEndConfig, { keepLogMel: true, melPower: true });
    const frames = { data: kept.logMel!, frames: kept.frames, validFrames: kept.validFrames, power: kept.melPower! };
    const steps = [
      await cpuMs(() => mixToMono(decodeWav(readFileSync(file), file).channels)),
      d.sampleRate === 16000 ? 0 : await cpuMs(() => resample(mono, d.sampleRate, 16000)),
      await cpuMs(() => nemo.computeFeatures!(x)),
      await cpuMs(() => w2v.computeFeatures!(x)),
      await cpuMs(() => lps.map((lp, i) => computeConfidence(lp.data, lp.frames, lp.vocabSize, members[i].blankId, spec))),
      await cpuMs(() => {
        lps.forEach((lp, i) => posteriorCounts(lp, members[i].blankId));
        new AcousticSummary().addLogMel(x.length, frames);
      }),
      await cpuMs(() => greedyDecode(lps[0], members[0].vocabulary, members[0].blankId, members[0].tokenizer)),
    ];
    const total = await cpuMs(() => ens.transcribe(file));
    const onnx = await cpuMs(async () => {
      for (let i = 0; i < members.length; i++) await members[i].runFeatures!(feats[i]);
    });
    const sum = steps.reduce((a, b) => a + b, 0);
    const over = total - onnx;
    console.log(`| ${path.basename(file)} | ${[...steps, sum, over, over - sum].map((v) => v.toFixed(2)).join(' | ')} |`);
  }
}

/** `scaled`: as in `ensembleVsOnnx`, members of a production size in place of the demo's. */
async function parallelVsSequential(scaled?: string): Promise<void> {
  const what = scaled ? `demo ensemble with the members of ${scaled} (random weights, production size)` : 'demo ensemble';
  console.log(`\n### members on worker threads vs in this thread: ${what}, wall time per file (load ${load()})`);
  await ensureBuilt();
  const mod = (await import(pathToFileURL(path.join(root, 'dist', 'runtime', 'member-workers.js')).href)) as typeof import('../src/runtime/member-workers.js');
  const ensDir = path.join(root, 'ensembles', 'demo');
  const memberDir = scaledMemberDir(scaled);
  const seq = await Ensemble.load(ensDir, { loadModel: (d) => loadCtcModel(memberDir(d)) });
  const par = await Ensemble.load(ensDir, { loadModel: (d) => mod.loadCtcModelInWorker(memberDir(d)) });
  // BENCH_BASE: that build's members on its own worker threads, paired against the same sequential ensemble and
  // against this build's parallel ensemble, in the same loop.
  const base = scaled ? null : await baseBuild();
  const baseMod = base
    ? ((await import(pathToFileURL(path.resolve(base.dir, 'runtime', 'member-workers.js')).href)) as typeof import('../src/runtime/member-workers.js'))
    : null;
  const basePar =
    base && baseMod ? await base.Ensemble.load(process.env.BENCH_BASE_ENSEMBLE ?? ensDir, { loadModel: (d) => baseMod.loadCtcModelInWorker(d) }) : null;
  console.log(`${os.availableParallelism()} CPUs; one ORT thread per member${base ? `; base: ${base.dir}` : ''}`);
  // The runs scheduled on the cores (memberRunSlots: the default) against every member started at once.
  const cores = mod.memberRunSlots();
  const scheduled = (file: string): Promise<unknown> => (mod.memberRunSlots(cores), par.transcribe(file));
  const allAtOnce = (file: string): Promise<unknown> => (mod.memberRunSlots(Infinity), par.transcribe(file));
  console.log(
    `| file | sequential | parallel | parallel / sequential (CPU) | parallel, every member at once / sequential | scheduled / every member at once |${basePar ? ' base parallel / sequential (CPU) | parallel / base parallel (CPU) |' : ''}`,
  );
  console.log(`|---|---|---|---|---|---|${basePar ? '---|---|' : ''}`);
  const ratios: number[] = [];
  const onceRatios: number[] = [];
  const schedRatios: number[] = [];
  const baseRatios: number[] = [];
  const direct: number[] = [];
  for (const file of sampleFiles()) {
    const r = await paired(
      () => scheduled(file),
      () => seq.transcribe(file),
    );
    ratios.push(r.ratio);
    const ro = await paired(
      () => allAtOnce(file),
      () => seq.transcribe(file),
    );
    onceRatios.push(ro.ratio);
    const rs = await paired(
      () => scheduled(file),
      () => allAtOnce(file),
    );
    schedRatios.push(rs.ratio);
    mod.memberRunSlots(cores);
    const rb = basePar
      ? await paired(
          () => basePar.transcribe(file),
          () => seq.transcribe(file),
        )
      : null;
    const rd = basePar
      ? await paired(
          () => par.transcribe(file),
          () => basePar.transcribe(file),
        )
      : null;
    if (rb && rd) {
      baseRatios.push(rb.ratio);
      direct.push(rd.ratio);
    }
    const same = (await par.transcribe(file)).text === (await seq.transcribe(file)).text;
    const cols = rb && rd ? ` ${rb.ratio.toFixed(2)} (${rb.cpuRatio.toFixed(2)}) | ${rd.ratio.toFixed(2)} (${rd.cpuRatio.toFixed(2)}) |` : '';
    console.log(
      `| ${path.basename(file)} | ${ms(r.b)} | ${ms(r.a)} | ${r.ratio.toFixed(2)} (${r.cpuRatio.toFixed(2)})${same ? '' : ' (texts differ!)'} | ${ro.ratio.toFixed(2)} | ${rs.ratio.toFixed(2)} |${cols}`,
    );
  }
  console.log(
    `median ratio over the files: ${median(ratios).toFixed(2)}; every member at once ${median(onceRatios).toFixed(2)}; scheduled / at once ${median(schedRatios).toFixed(2)} (load average after: ${load()})`,
  );
  if (basePar)
    console.log(`base, median over the files: ${median(baseRatios).toFixed(2)}; this build's parallel / base parallel: ${median(direct).toFixed(2)}`);
  await requestThreadSerial(basePar ? { this: par, base: basePar } : { this: par });
  await seq.dispose();
  await par.dispose();
  await basePar?.dispose();
}

/**
 * With members on worker threads, the request's thread alone is the critical path before the last member starts and
 * after the last one finished: per file, the medians of (last message posted to a member worker − start) and (end −
 * last message from one), each build in turn. Wall times: on a loaded machine they include waiting for a core.
 */
async function requestThreadSerial(builds: Record<string, Ensemble>): Promise<void> {
  const { Worker } = await import('node:worker_threads');
  let lastPost = 0;
  let lastArrival = 0;
  const post = Worker.prototype.postMessage;
  const emit = Worker.prototype.emit;
  Worker.prototype.postMessage = function (this: InstanceType<typeof Worker>, ...a: Parameters<typeof post>) {
    post.apply(this, a);
    lastPost = performance.now();
  };
  Worker.prototype.emit = function (this: InstanceType<typeof Worker>, event: string | symbol, ...a: unknown[]) {
    if (event === 'message') lastArrival = performance.now();
    return emit.call(this, event, ...a);
  };
  try {
    const names = Object.keys(builds);
    console.log(
      `\nrequest thread alone, ms (medians of ${REPEATS}, builds alternating; load ${load()}): before the last member starts / after the last one ends`,
    );
    console.log(`| file | ${names.join(' | ')} |`);
    console.log(`|---|${names.map(() => '---|').join('')}`);
    for (const file of sampleFiles()) {
      const before: Record<string, number[]> = {};
      const after: Record<string, number[]> = {};
      for (const n of names) {
        before[n] = [];
        after[n] = [];
        await builds[n].transcribe(file);
      }
      for (let r = 0; r < REPEATS; r++) {
        for (const n of r % 2 ? [...names].reverse() : names) {
          const t0 = performance.now();
          await builds[n].transcribe(file);
          const t1 = performance.now();
          before[n].push(lastPost - t0);
          after[n].push(t1 - lastArrival);
        }
      }
      console.log(`| ${path.basename(file)} | ${names.map((n) => `${median(before[n]).toFixed(2)} / ${median(after[n]).toFixed(2)}`).join(' | ')} |`);
    }
  } finally {
    Worker.prototype.postMessage = post;
    Worker.prototype.emit = emit;
  }
}

/** `scaled`: as in `ensembleVsOnnx`, members of a production size in place of the demo's. */
async function buildParallel(tmp: string, scaled?: string): Promise<void> {
  const what = scaled ? `the members of ${scaled} (random weights, production size)` : 'the demo members';
  console.log(`\n### ensemble build of ${what} on samples/ (3 files per domain, x3), members on worker threads vs this thread (load ${load()})`);
  await ensureBuilt();
  const mod = (await import(pathToFileURL(path.join(root, 'dist', 'runtime', 'member-workers.js')).href)) as typeof import('../src/runtime/member-workers.js');
  const lines = readFileSync(path.join(root, 'samples', 'manifest.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const yaml = ['random_seed: 0', 'temperature: 1.0', 'tune_confidence: false', 'tune_logistic_regression: false', 'ensemble:'];
  for (const domain of ['en', 'vi', 'digits']) {
    // Each file three times under different names: more passes per build, the same audio.
    const rows = lines
      .filter((l) => l.domain === domain)
      .flatMap((l) =>
        [0, 1, 2].map((k) => {
          const copy = path.join(tmp, `${k}_${String(l.audio_filepath)}`);
          if (!existsSync(copy)) writeFileSync(copy, readFileSync(path.join(root, 'samples', String(l.audio_filepath))));
          return JSON.stringify({ ...l, audio_filepath: copy });
        }),
      );
    const manifest = path.join(tmp, `${domain}.jsonl`);
    writeFileSync(manifest, `${rows.join('\n')}\n`);
    yaml.push(`  - name: ${domain}`, `    model: ${path.join(scaled ?? path.join(root, 'models'), domain)}`, `    training_manifest: ${manifest}`);
  }
  const config = path.join(tmp, 'build.yaml');
  writeFileSync(config, `${yaml.join('\n')}\n`);
  const { buildEnsemble } = await import('../src/ensemble/build.js');
  const quiet = { progress: false as const, log: () => undefined, cacheDir: false as const };
  let passes = 0;
  const r = await paired(
    async () =>
      (passes = (await buildEnsemble(config, { ...quiet, outDir: path.join(tmp, 'par'), loadModel: (d) => mod.loadCtcModelInWorker(d) })).stats.modelPasses),
    () => buildEnsemble(config, { ...quiet, outDir: path.join(tmp, 'seq') }),
    Math.max(3, Math.floor(REPEATS / 3)),
  );
  console.log(
    `${passes} model passes per build (model loading included): this thread ${ms(r.b)} (${((passes / r.b) * 1000).toFixed(1)} passes/s), worker threads ${ms(r.a)} (${((passes / r.a) * 1000).toFixed(1)} passes/s); parallel / sequential ${r.ratio.toFixed(2)}`,
  );
  // Member runs scheduled on the cores (the default) against every run started at once.
  const cores = mod.memberRunSlots();
  const parallelBuild = (slots: number) => async () => {
    mod.memberRunSlots(slots);
    await buildEnsemble(config, { ...quiet, outDir: path.join(tmp, 'par'), loadModel: (d) => mod.loadCtcModelInWorker(d) });
  };
  const rs = await paired(parallelBuild(cores), parallelBuild(Infinity), Math.max(3, Math.floor(REPEATS / 3)));
  mod.memberRunSlots(cores);
  console.log(`worker threads, member runs scheduled on the cores / every run at once: ${rs.ratio.toFixed(2)} (${ms(rs.a)} / ${ms(rs.b)})`);
  console.log(`(load average after: ${load()})`);
}

async function earlyRouting(): Promise<void> {
  const ens = await Ensemble.load(path.join(root, 'ensembles', 'demo'));
  const rows = readFileSync(path.join(root, 'samples', 'manifest.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { audio_filepath: string; domain: string });
  console.log(`\n### early routing, demo ensemble (selector trained on whole utterances) on the ${rows.length} sample files (load ${load()})`);
  const files = rows.map((r) => ({ file: path.join(root, 'samples', r.audio_filepath), domain: r.domain }));
  console.log('| route on | selection accuracy | CPU per file, early / full (median of paired ratios) | wall |');
  console.log('|---|---|---|---|');
  for (const seconds of [0, 0.5, 1, 1.5, 2]) {
    let right = 0;
    const cpu: number[] = [];
    const wall: number[] = [];
    for (const { file, domain } of files) {
      const r = await ens.transcribe(file, { earlyRouteSeconds: seconds });
      if (r.model === domain) right++;
      if (seconds > 0) {
        const p = await paired(
          () => ens.transcribe(file, { earlyRouteSeconds: seconds }),
          () => ens.transcribe(file),
          Math.max(3, Math.floor(REPEATS / 3)),
        );
        cpu.push(p.cpuRatio);
        wall.push(p.ratio);
      }
    }
    const what = seconds === 0 ? 'whole file (full routing)' : `first ${seconds} s`;
    console.log(`| ${what} | ${right}/${files.length} | ${seconds ? median(cpu).toFixed(2) : '1'} | ${seconds ? median(wall).toFixed(2) : '1'} |`);
  }
  await ens.dispose();
  console.log(`(load average after: ${load()})`);
}

async function domainGate(): Promise<void> {
  const tests = (process.env.BENCH_GATE_TESTS ?? '').split(',').filter(Boolean);
  if (tests.length === 0) {
    console.log('\n### domain gate: skipped (set BENCH_GATE_TESTS=DOMAIN=MANIFEST,…)');
    return;
  }
  const dir = process.env.BENCH_GATE_ENSEMBLE ?? path.join(root, 'ensembles', 'demo');
  const [p, s, pc] = (process.env.BENCH_GATE ?? '0.97').split(':').map(Number);
  const prune = Number(process.env.BENCH_GATE_PRUNE ?? 0);
  const gated = { domainGateMinProb: p, ...(prune > 0 ? { domainGatePrune: prune } : {}), ...(s ? { earlyRouteSeconds: s, earlyRouteMinProb: pc || 0 } : {}) };
  const ens = await Ensemble.load(dir);
  const { loadManifest } = await import('../src/ensemble/manifest.js');
  const items: Array<{ file: string; domain: string; span: { offsetSeconds?: number; durationSeconds?: number } }> = [];
  for (const t of tests) {
    const [domain, file] = [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)];
    for (const e of (await loadManifest(file)).entries) {
      items.push({ file: e.audioPath, domain, span: e.offset !== null ? { offsetSeconds: e.offset, durationSeconds: e.duration ?? undefined } : {} });
    }
  }
  console.log(`\n### domain gate ${JSON.stringify(gated)} vs full routing, ${dir}, ${items.length} utterances (load ${load()})`);
  const sum = { cpu: { g: 0, f: 0 }, wall: { g: 0, f: 0 }, gateMs: 0, right: { g: 0, f: 0 }, gatedInputs: 0 };
  await ens.transcribe(items[0].file, { ...items[0].span, ...gated });
  for (const [i, it] of items.entries()) {
    for (const side of i % 2 ? (['f', 'g'] as const) : (['g', 'f'] as const)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await ens.transcribe(it.file, side === 'g' ? { ...it.span, ...gated } : it.span);
      sum.wall[side] += performance.now() - t0;
      const dc = process.cpuUsage(c0);
      sum.cpu[side] += (dc.user + dc.system) / 1000;
      if (r.model === it.domain) sum.right[side]++;
      if (side === 'g') {
        sum.gateMs += r.timingsMs.gate ?? 0;
        if (r.domainGate?.gated) sum.gatedInputs++;
      }
    }
  }
  const pct = (x: number): string => `${((100 * x) / items.length).toFixed(1)} %`;
  console.log('| route | selection accuracy | CPU (s) | wall (s) | CPU / full | wall / full |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| full routing | ${pct(sum.right.f)} | ${(sum.cpu.f / 1000).toFixed(2)} | ${(sum.wall.f / 1000).toFixed(2)} | 1 | 1 |`);
  console.log(
    `| gate (${pct(sum.gatedInputs)} gated; the gate itself ${(sum.gateMs / 1000).toFixed(2)} s) | ${pct(sum.right.g)} | ${(sum.cpu.g / 1000).toFixed(2)} | ${(sum.wall.g / 1000).toFixed(2)} | ${(sum.cpu.g / sum.cpu.f).toFixed(3)} | ${(sum.wall.g / sum.wall.f).toFixed(3)} |`,
  );
  await ens.dispose();
  console.log(`(load average after: ${load()})`);
}

/** After each call the ORT rows wait this long, counting the CPU meanwhile to that call (see `paired`). */
const ORT_IDLE_MS = 100;

async function ortSettings(tmp: string): Promise<void> {
  console.log(`\n### ONNX Runtime settings, models/en, 10 s, session.run on precomputed features (load ${load()})`);
  console.log(`each call followed by ${ORT_IDLE_MS} ms idle whose CPU counts to it (a spinning thread pool's busy-wait included)`);
  const dir = path.join(root, 'models', 'en');
  const file = englishWavs(tmp, [10]).get(10)!;
  const base = await loadCtcModel(dir);
  const feats = base.computeFeatures(await loadAudio(file, 16000));
  const variants: Array<[string, OrtSettings]> = [
    ['intra-op threads 2 (spinning off, the default)', { intraOpThreads: 2 }],
    ["intra-op threads 2, spinning on (ONNX Runtime's default)", { intraOpThreads: 2, spinning: true }],
    ['graph optimisation extended', { graphOptimization: 'extended' }],
    ['graph optimisation basic', { graphOptimization: 'basic' }],
    ['execution mode parallel, inter-op 2', { executionMode: 'parallel', interOpThreads: 2 }],
  ];
  console.log('| setting | default (1 thread, all, sequential), wall / CPU | setting, wall / CPU | setting / default, wall | CPU |');
  console.log('|---|---|---|---|---|');
  for (const [name, ort] of variants) {
    const m = await loadCtcModel(dir, { ort });
    const r = await paired(
      () => m.runFeatures(feats),
      () => base.runFeatures(feats),
      REPEATS,
      ORT_IDLE_MS,
    );
    console.log(`| ${name} | ${ms(r.b)} / ${ms(r.cpuB)} | ${ms(r.a)} / ${ms(r.cpuA)} | ${r.ratio.toFixed(2)} | ${r.cpuRatio.toFixed(2)} |`);
    await m.dispose();
  }
  await base.dispose();
  console.log(`(load average after: ${load()})`);
  await ensembleThreads(file);
}

/**
 * The demo ensemble (members in this thread, one after another) with two intra-op threads per member, ORT's pools
 * spinning or not, against one thread per member, on `file`; `scaled`: members of production size (`ensembleVsOnnx`).
 */
async function ensembleThreads(file: string, scaled?: string): Promise<void> {
  const what = scaled ? `the demo ensemble with the members of ${scaled}` : 'the demo ensemble';
  console.log(`\n### ONNX Runtime thread pools in ${what}, members in this thread, ${path.basename(file)} (load ${load()})`);
  console.log(`each request followed by ${ORT_IDLE_MS} ms idle whose CPU counts to it`);
  const memberDir = scaledMemberDir(scaled);
  const ensDir = path.join(root, 'ensembles', 'demo');
  const open = (ort: OrtSettings): Promise<Ensemble> => Ensemble.load(ensDir, { loadModel: (d) => loadCtcModel(memberDir(d), { ort }) });
  const one = await open({});
  console.log('| members | one thread each, wall / CPU | setting, wall / CPU | setting / one thread, wall | CPU |');
  console.log('|---|---|---|---|---|');
  const variants: Array<[string, OrtSettings]> = [
    ['two intra-op threads each, spinning off (the default)', { intraOpThreads: 2 }],
    ["two intra-op threads each, spinning on (ONNX Runtime's default)", { intraOpThreads: 2, spinning: true }],
  ];
  for (const [name, ort] of variants) {
    const ens = await open(ort);
    const r = await paired(
      () => ens.transcribe(file),
      () => one.transcribe(file),
      scaled ? Math.min(REPEATS, 11) : REPEATS,
      ORT_IDLE_MS,
    );
    console.log(`| ${name} | ${ms(r.b)} / ${ms(r.cpuB)} | ${ms(r.a)} / ${ms(r.cpuA)} | ${r.ratio.toFixed(2)} | ${r.cpuRatio.toFixed(2)} |`);
    await ens.dispose();
  }
  await one.dispose();
  console.log(`(load average after: ${load()})`);
}

export async function run(): Promise<void> {
  console.log(`machine: ${os.availableParallelism()} CPUs, load average (1/5/15 min) ${load()}; ${REPEATS} paired repeats per row`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-runtime-'));
  try {
    const only = (process.env.BENCH_RUNTIME ?? 'sherpa,ensemble,parallel,build,early,ort').split(',');
    if (only.includes('sherpa')) await oursVsSherpa(tmp);
    if (only.includes('ensemble')) await ensembleVsOnnx();
    if (only.includes('scaled')) {
      const dir = path.resolve(root, process.env.BENCH_SCALED_MEMBERS ?? path.join('training', 'work', 'scaled-members'));
      if (['en', 'vi', 'digits'].every((n) => existsSync(path.join(dir, n, 'model.onnx')))) {
        await ensembleVsOnnx(dir);
        await parallelVsSequential(dir);
        await buildParallel(tmp, dir);
        await ensembleThreads(englishWavs(tmp, [10]).get(10)!, dir);
      } else console.log(`\n### production-size members: skipped (no ${dir}/{en,vi,digits}; make them with /usr/bin/python3 training/scale_members.py)`);
    }
    if (only.includes('parallel')) await parallelVsSequential();
    if (only.includes('build')) await buildParallel(tmp);
    if (only.includes('early')) await earlyRouting();
    if (only.includes('ort')) await ortSettings(tmp);
    if (only.includes('gate')) await domainGate();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
