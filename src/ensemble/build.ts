/**
 * `ensemble build`: NeMo's `build_ensemble.py` (NeMo `scripts/confidence_ensembles/build_ensemble.py`) over ONNX model folders.
 *
 * 1. Subsample every training manifest to `max_training_samples` exactly as NeMo does (CPython's
 *    `random.sample` after seeding with `random_seed`, one RNG state shared sequentially over the
 *    manifests); dev manifests are used whole.
 * 2. Every model runs on every distinct audio file once (decode once, resample once per rate, front end
 *    once per distinct front-end configuration, member sessions concurrently), and each utterance's
 *    posteriors are reduced to the confidences of every spec the build may need (the NeMo tuning grid +
 *    the configured spec) in one pass. Those values, not the posteriors, are cached per
 *    (model checksum, audio checksum, temperature), so a re-run skips every finished pass.
 * 3. The selector is trained as NeMo does: untuned defaults without dev data; with dev data the LR grid
 *    (44 settings) scored by dev accuracy, nested in the confidence grid (144 specs) with
 *    `tune_confidence`; first best wins.
 * 4. `DIR/ensemble.json` is written atomically.
 *
 * Interrupted builds: cache entries and ensemble.json go through temp files (util/atomic.ts); the CLI
 * removes those on SIGINT/SIGTERM, and every build first sweeps temp files whose writer is gone.
 */
import os from 'node:os';
import path from 'node:path';
import {
  computeConfidenceGrid,
  describeConfidenceSpec,
  nemoTuningGrid,
  posteriorCounts,
  type ConfidenceSpec,
  type PosteriorCounts,
} from '../confidence/index.js';
import { ACOUSTIC_SUMMARY, AcousticSummary, acousticFeatureNames } from '../features/acoustic-summary.js';
import { mapConcurrent } from '../util/concurrency.js';
import { sweepStaleTempFiles } from '../util/temp-files.js';
import { loadCtcModel } from '../models/load.js';
import type { CtcModel } from '../models/types.js';
import {
  fitProbabilityTemperature,
  hasExtraFeatures,
  memberSpanSums,
  selectorExtras,
  selectorFeatureNames,
  SELECTOR_FEATURES_VERSION,
  selectorNll,
  selectorAccuracy,
  trainSelector,
  tuneConfidenceAndSelector,
  tuneSelector,
  SELECTOR_DEFAULTS,
  type Selector,
  type TuneLogisticRegressionConfig as SelectorLrConfig,
} from '../selector/index.js';
import { UserError } from '../util/errors.js';
import { ConfidenceCache, modelFingerprint, onnxFileOf, sha256File } from './cache.js';
import { loadBuildConfig, specKey, tuningGridSpecs, type BuildConfig } from './config.js';
import {
  DEFAULT_LM_ALPHA,
  DEFAULT_LM_BETA,
  ENSEMBLE_FORMAT,
  ENSEMBLE_SCHEMA_VERSION,
  toPosixRelative,
  writeEnsembleJson,
  type EnsembleJson,
  type TrainingReport,
} from './format.js';
import { checkAudioFiles, loadManifest, requireWholeFiles, subsampleManifest, type Manifest, type ManifestEntry } from './manifest.js';
import { Progress, type ProgressOptions } from './progress.js';
import { PyRandom } from './pyrandom.js';
import { DecodedAudio, runMembers, shortestInputSeconds, type RunStats } from './runner.js';
import { buildDomainGate } from './domain-gate-build.js';

export interface BuildOptions {
  /** Output folder (`-o`); default from the YAML's `output_path`. */
  outDir?: string;
  /** Utterances in flight at once (each runs all missing members concurrently). Default min(4, CPUs). */
  concurrency?: number;
  /** Progress display; `false` for none. */
  progress?: ProgressOptions | false;
  /** Informational lines (default: stderr). */
  log?: (line: string) => void;
  /** Cache folder; default `DIR/.cache`. `false` disables the cache. */
  cacheDir?: string | false;
  /** Environment for `${oc.env:…}`. */
  env?: Record<string, string | undefined>;
  /** Hydra overrides applied to the config (`ensemble.0.model=…`). */
  overrides?: readonly string[];
  /** Model loader (tests inject counting wrappers). */
  loadModel?: (dir: string) => Promise<CtcModel>;
}

export interface BuildStats extends RunStats {
  /** Model × utterance results taken from the cache. */
  cachedPasses: number;
  /** Distinct audio files. */
  audioFiles: number;
  /** Audio files decoded (0 when everything came from the cache). */
  audioDecodes: number;
}

export interface BuildResult {
  outDir: string;
  file: string;
  ensemble: EnsembleJson;
  stats: BuildStats;
  /** The training utterances used per member (after subsampling), in NeMo's order. */
  training: ManifestEntry[][];
  /** The selector's input rows (training utterances in `training` order; dev sets when given), under the chosen spec. */
  selectorInputs: { train: number[][]; dev: number[][] | null };
}

/** Where the ensemble goes: `-o`, else `output_path` (a `.nemo` name becomes a folder of that basename). */
export function resolveOutputDir(cfg: BuildConfig, outDir: string | undefined, log: (s: string) => void): string {
  if (outDir) return path.resolve(outDir);
  if (!cfg.outputPath) {
    throw new UserError('no output folder: set output_path in the config or pass -o DIR', { source: cfg.file, code: 'E_BUILD_OUTPUT' });
  }
  if (/\.nemo$/i.test(cfg.outputPath)) {
    const dir = cfg.outputPath.replace(/\.nemo$/i, '');
    log(`output_path ${path.basename(cfg.outputPath)}: this runtime writes an ensemble folder, not a .nemo; using ${dir}`);
    return dir;
  }
  return cfg.outputPath;
}

function confusion(truth: readonly number[], predicted: readonly number[], k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][predicted[i]]++;
  return m;
}

function uniqueSpecs(specs: readonly ConfidenceSpec[]): ConfidenceSpec[] {
  const seen = new Set<string>();
  const out: ConfidenceSpec[] = [];
  for (const s of specs) {
    const k = specKey(s);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
  }
  return out;
}

/**
 * The training utterances per member, subsampled to `max_training_samples` exactly as NeMo does (one RNG shared
 * sequentially over the manifests), and the dev utterances (whole); every audio file checked to exist.
 */
export async function loadBuildManifests(cfg: BuildConfig): Promise<{ train: ManifestEntry[][]; dev: ManifestEntry[][]; hasDev: boolean }> {
  const rng = new PyRandom(cfg.randomSeed);
  const manifestOpts = { audioKey: cfg.transcription.audioKey, textKey: cfg.transcription.textKey, checkAudio: false };
  const train: ManifestEntry[][] = [];
  const dev: ManifestEntry[][] = [];
  const used: Manifest[] = [];
  for (const m of cfg.ensemble) {
    const man = await loadManifest(m.trainingManifest, manifestOpts);
    requireWholeFiles(man, 'ensemble build');
    const picked = subsampleManifest(man, m.maxTrainingSamples, (n, k) => rng.sampleIndices(n, k));
    if (picked.length === 0) throw new UserError('no utterances', { source: m.trainingManifest, code: 'E_MANIFEST_EMPTY' });
    train.push(picked);
    used.push({ ...man, entries: picked });
    if (m.devManifest) {
      const d = await loadManifest(m.devManifest, manifestOpts);
      requireWholeFiles(d, 'ensemble build');
      if (d.entries.length === 0) throw new UserError('no utterances', { source: m.devManifest, code: 'E_MANIFEST_EMPTY' });
      dev.push(d.entries);
      used.push(d);
    }
  }
  const missing: string[] = [];
  for (const m of used) {
    try {
      checkAudioFiles(m);
    } catch (e) {
      missing.push((e as Error).message);
    }
  }
  if (missing.length) throw new UserError(missing.join('\n'), { code: 'E_MANIFEST_AUDIO' });
  return { train, dev, hasDev: dev.length === cfg.ensemble.length };
}

/** `configFile` null: the config comes from the overrides alone (NeMo's schema defaults underneath). */
export async function buildEnsemble(configFile: string | null, options: BuildOptions = {}): Promise<BuildResult> {
  const cfg = await loadBuildConfig(configFile, { env: options.env, overrides: options.overrides });
  return buildEnsembleFromConfig(cfg, options);
}

export async function buildEnsembleFromConfig(cfg: BuildConfig, options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const log = options.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const outDir = resolveOutputDir(cfg, options.outDir, log);
  for (const n of cfg.notes) log(`note: ${n}`);
  const M = cfg.ensemble.length;
  const names = cfg.ensemble.map((m) => m.name);

  // 1. Manifests (NeMo: subsample while looping over datasets for model 0, one shared RNG).
  const { train, dev, hasDev } = await loadBuildManifests(cfg);

  // 2. Models and their checksums.
  const load = options.loadModel ?? ((dir: string) => loadCtcModel(dir));
  const models = await Promise.all(cfg.ensemble.map((m) => load(m.model)));
  try {
    const onnxFiles = models.map((m) => onnxFileOf(m));
    const shas = await Promise.all(onnxFiles.map((f) => sha256File(f)));
    const fingerprints = models.map((m, i) => modelFingerprint(m, shas[i], cfg.temperature));

    // Every spec any later build could want from these passes: configured spec + NeMo grid + custom grid.
    const gridSpecs = cfg.tuneConfidence ? tuningGridSpecs(cfg.tuneConfidenceConfig) : [];
    const allSpecs = uniqueSpecs([cfg.confidence as ConfidenceSpec, ...nemoTuningGrid(), ...gridSpecs]);
    const keys = allSpecs.map(specKey);
    const keyIndex = new Map(keys.map((k, i) => [k, i]));
    // Selector inputs beyond the confidences (opt-in): member posterior counts ride in each member's cache entry,
    // the acoustic summary has an entry of its own per audio file.
    const groups = cfg.selector.features;
    const extra = hasExtraFeatures(groups);
    const countKeys = ['counts:frames', 'counts:tokens', 'counts:spanFrames', 'counts:spanBlankFrames', 'counts:seconds'];
    const needCounts = groups.includes('blank_share') || groups.includes('token_rate');
    const memberKeys = needCounts ? [...keys, ...countKeys] : keys;
    const acousticNames = acousticFeatureNames();
    const acousticFingerprint = `acoustic-summary-v${ACOUSTIC_SUMMARY.version}`;
    const needAcoustic = groups.includes('acoustic');
    const extras = new Map<string, number[]>();

    // 3. One pass per (model, distinct audio file), cached.
    const audioPaths = [...new Set([...train.flat(), ...dev.flat()].map((e) => e.audioPath))];
    const cache = new ConfidenceCache(options.cacheDir === false ? null : (options.cacheDir ?? path.join(outDir, '.cache')));
    // Temp files of an earlier build that was killed (its process is gone) are removed.
    if (cache.dir) sweepStaleTempFiles(cache.dir, { recursive: true });
    sweepStaleTempFiles(outDir);
    const stats: BuildStats = { modelPasses: 0, frontEndPasses: 0, cachedPasses: 0, audioFiles: audioPaths.length, audioDecodes: 0 };
    const conf = new Map<string, Float64Array[]>();
    const progress =
      options.progress === false
        ? new Progress('', 0, { silent: true })
        : new Progress(`model passes (${M} models × ${audioPaths.length} files)`, M * audioPaths.length, options.progress ?? {});
    const concurrency = options.concurrency ?? Math.max(1, Math.min(4, os.cpus().length));
    await mapConcurrent(audioPaths, concurrency, async (audioPath) => {
      // With early routing the confidences are of the first S seconds: a cache entry of its own.
      const sha = cfg.earlyRouteSeconds === null ? await sha256File(audioPath) : `${await sha256File(audioPath)}-first-${cfg.earlyRouteSeconds}s`;
      const vecs: Float64Array[] = new Array(M);
      const counts: PosteriorCounts[] = new Array(M);
      const todo: number[] = [];
      let seconds = NaN;
      for (let i = 0; i < M; i++) {
        const hit = await cache.get(fingerprints[i], sha, memberKeys);
        if (hit) {
          vecs[i] = Float64Array.from(keys, (k) => hit.conf[k]);
          if (needCounts) {
            counts[i] = {
              frames: hit.conf['counts:frames'],
              tokens: hit.conf['counts:tokens'],
              spanFrames: hit.conf['counts:spanFrames'],
              spanBlankFrames: hit.conf['counts:spanBlankFrames'],
            };
            seconds = hit.conf['counts:seconds'];
          }
          stats.cachedPasses++;
          progress.tick(1, true);
        } else todo.push(i);
      }
      const acousticHit = needAcoustic ? await cache.get(acousticFingerprint, sha, acousticNames) : null;
      let acoustic: number[] | null = acousticHit ? acousticNames.map((n) => acousticHit.conf[n]) : null;
      if (acousticHit && typeof acousticHit.conf.seconds === 'number') seconds = acousticHit.conf.seconds;
      if (todo.length || (needAcoustic && !acousticHit) || (extra && !Number.isFinite(seconds))) {
        const whole = await DecodedAudio.from(audioPath, undefined, undefined, cfg.transcription.channelSelector);
        // A prefix is never shorter than every member accepts (as at inference).
        const audio = cfg.earlyRouteSeconds === null ? whole : whole.prefix(Math.max(cfg.earlyRouteSeconds, shortestInputSeconds(models)));
        stats.audioDecodes++;
        seconds = audio.seconds;
        const lps = await runMembers(models, todo, audio, cfg.temperature, undefined, stats);
        if (needAcoustic && !acousticHit) {
          // After the members: a member with the summary's front end left its frames on `audio` (as at inference).
          const samples16k = audio.at(ACOUSTIC_SUMMARY.sampleRate);
          const summary = new AcousticSummary();
          acoustic = (audio.acousticLogMel ? summary.addLogMel(samples16k.length, audio.acousticLogMel) : summary.add(samples16k)).features();
          const entry: Record<string, number> = { seconds };
          acousticNames.forEach((n, j) => (entry[n] = acoustic![j]));
          await cache.put(acousticFingerprint, sha, { v: 1, frames: 0, conf: entry });
        }
        await Promise.all(
          todo.map(async (i, j) => {
            const lp = lps[j];
            const v = computeConfidenceGrid(lp.data, lp.frames, lp.vocabSize, models[i].blankId, allSpecs);
            vecs[i] = v;
            const c = posteriorCounts(lp, models[i].blankId);
            counts[i] = c;
            const entry: Record<string, number> = {};
            keys.forEach((k, s) => (entry[k] = v[s]));
            entry['counts:frames'] = c.frames;
            entry['counts:tokens'] = c.tokens;
            entry['counts:spanFrames'] = c.spanFrames;
            entry['counts:spanBlankFrames'] = c.spanBlankFrames;
            entry['counts:seconds'] = audio.seconds;
            await cache.put(fingerprints[i], sha, { v: 1, frames: lp.frames, conf: entry });
            progress.tick(1);
          }),
        );
      }
      conf.set(audioPath, vecs);
      if (extra) extras.set(audioPath, selectorExtras(groups, needCounts ? counts.map((c) => memberSpanSums(c, seconds)) : [], acoustic));
    });
    progress.finish();

    // 4. Feature matrices ([N][M], utterances ordered dataset 0, 1, …; label = dataset index).
    const matrix = (sets: ManifestEntry[][], spec: ConfidenceSpec): number[][] => {
      const s = keyIndex.get(specKey(spec))!;
      const X: number[][] = [];
      for (const set of sets) for (const e of set) X.push([...conf.get(e.audioPath)!.map((v) => v[s]), ...(extras.get(e.audioPath) ?? [])]);
      return X;
    };
    const labelsOf = (sets: ManifestEntry[][]): number[] => sets.flatMap((set, j) => set.map(() => j));
    const yTrain = labelsOf(train);
    const yDev = hasDev ? labelsOf(dev) : [];
    const lrCfg: SelectorLrConfig = {
      cNumPoints: cfg.tuneLogisticRegressionConfig.cNumPoints,
      cMin: cfg.tuneLogisticRegressionConfig.cMin,
      cMax: cfg.tuneLogisticRegressionConfig.cMax,
      multiClass: cfg.tuneLogisticRegressionConfig.multiClass,
      classWeight: cfg.tuneLogisticRegressionConfig.classWeight,
    };

    let selector: Selector;
    let spec = cfg.confidence as ConfidenceSpec;
    let chosenLr: { C: number; multiClass: 'multinomial' | 'ovr'; classWeight: 'balanced' | null } = {
      C: SELECTOR_DEFAULTS.C,
      multiClass: SELECTOR_DEFAULTS.multiClass,
      classWeight: SELECTOR_DEFAULTS.classWeight,
    };
    let specScores: number[] | undefined;
    if (cfg.tuneConfidence) {
      const trainMats = gridSpecs.map((s) => matrix(train, s));
      const devMats = gridSpecs.map((s) => matrix(dev, s));
      const tp = options.progress === false ? null : new Progress(`tuning (${gridSpecs.length} confidence specs)`, gridSpecs.length, options.progress ?? {});
      const r = tuneConfidenceAndSelector(trainMats, yTrain, devMats, yDev, gridSpecs, {
        lr: lrCfg,
        onSpec: () => tp?.tick(),
      });
      tp?.finish();
      selector = r.selector;
      spec = r.spec;
      chosenLr = { C: r.C, multiClass: r.multiClass, classWeight: r.classWeight };
      specScores = r.specScores;
    } else if (cfg.tuneLogisticRegression) {
      const r = tuneSelector(matrix(train, spec), yTrain, matrix(dev, spec), yDev, lrCfg);
      selector = r.selector;
      chosenLr = { C: r.C, multiClass: r.multiClass, classWeight: r.classWeight };
    } else {
      selector = trainSelector(matrix(train, spec), yTrain);
    }

    const Xtr = matrix(train, spec);
    const Xdv = hasDev ? matrix(dev, spec) : null;
    if (extra) selector = selector.with({ features: { version: SELECTOR_FEATURES_VERSION, groups: [...groups], names: selectorFeatureNames(groups, names) } });
    let calibration: TrainingReport['calibration'];
    if (cfg.selector.calibration === 'temperature' && Xdv) {
      const t = fitProbabilityTemperature(selector, Xdv, yDev);
      calibration = {
        method: 'temperature',
        temperature: t,
        devNllBefore: selectorNll(selector, Xdv, yDev, 1),
        devNllAfter: selectorNll(selector, Xdv, yDev, t),
      };
      selector = selector.with({ probabilityTemperature: t });
    }
    const trainAccuracy = selectorAccuracy(selector, Xtr, yTrain);
    const devAccuracy = Xdv ? selectorAccuracy(selector, Xdv, yDev) : null;
    const training: TrainingReport = {
      config: toPosixRelative(outDir, cfg.file),
      randomSeed: cfg.randomSeed,
      utterancesPerClass: Object.fromEntries(names.map((n, j) => [n, train[j].length])),
      devUtterancesPerClass: hasDev ? Object.fromEntries(names.map((n, j) => [n, dev[j].length])) : null,
      trainAccuracy,
      devAccuracy,
      trainConfusion: confusion(yTrain, selector.predict(Xtr), M),
      devConfusion: Xdv ? confusion(yDev, selector.predict(Xdv), M) : null,
      tuneConfidence: cfg.tuneConfidence,
      tuneLogisticRegression: cfg.tuneLogisticRegression,
      chosen: { confidence: { ...spec }, confidenceDescription: describeConfidenceSpec(spec), ...chosenLr },
      ...(specScores ? { specsTried: specScores.length, specScores } : {}),
      ...(extra ? { selectorFeatures: [...groups] } : {}),
      ...(calibration ? { calibration } : {}),
      modelPasses: stats.modelPasses,
      cachedPasses: stats.cachedPasses,
      buildSeconds: (performance.now() - started) / 1000,
    };

    const json: EnsembleJson = {
      format: ENSEMBLE_FORMAT,
      schemaVersion: ENSEMBLE_SCHEMA_VERSION,
      createdAt: new Date().toISOString(),
      models: cfg.ensemble.map((m, i) => ({
        name: m.name,
        path: toPosixRelative(outDir, m.model),
        sha256: shas[i],
        onnxFile: path.basename(onnxFiles[i]),
        layout: models[i].layout,
        blankId: models[i].blankId,
        vocabSize: models[i].vocabSize,
        sampleRate: models[i].frontEnd.sampleRate,
        lm: m.lm
          ? {
              path: toPosixRelative(outDir, m.lm),
              alpha: m.lmAlpha ?? DEFAULT_LM_ALPHA,
              beta: m.lmBeta ?? DEFAULT_LM_BETA,
              source: m.lmAlpha !== null || m.lmBeta !== null ? 'config' : 'default',
            }
          : null,
        trainingManifest: toPosixRelative(outDir, m.trainingManifest),
        devManifest: m.devManifest ? toPosixRelative(outDir, m.devManifest) : null,
        testManifest: m.testManifest ? toPosixRelative(outDir, m.testManifest) : null,
      })),
      confidence: { ...spec },
      temperature: cfg.temperature,
      selector: selector.toJSON(),
      training,
    };
    if (cfg.earlyRouteSeconds !== null) json.earlyRouteSeconds = cfg.earlyRouteSeconds;
    if (cfg.earlyRouteMinProb !== null) json.earlyRouteMinProb = cfg.earlyRouteMinProb;
    const file = await writeEnsembleJson(outDir, json);
    log(
      `wrote ${file}: ${M} models, ${yTrain.length} training utterances (${names.map((n, j) => `${n} ${train[j].length}`).join(', ')}), ` +
        `train accuracy ${(trainAccuracy * 100).toFixed(1)}%` +
        (devAccuracy !== null ? `, dev accuracy ${(devAccuracy * 100).toFixed(1)}%` : '') +
        `; confidence ${describeConfidenceSpec(spec)}; C ${chosenLr.C}, ${chosenLr.multiClass}, class_weight ${chosenLr.classWeight ?? 'none'}`,
    );
    // The domain gate (opt-in) reads the same utterances; its acoustic summaries come from the cache when the selector's did.
    if (cfg.domainGate) await buildDomainGate(cfg, { outDir, cache, log, concurrency, manifests: { train, dev, hasDev }, progress: options.progress, models });
    return { outDir, file, ensemble: json, stats, training: train, selectorInputs: { train: Xtr, dev: Xdv } };
  } finally {
    await Promise.all(models.map((m) => m.dispose().catch(() => undefined)));
  }
}
