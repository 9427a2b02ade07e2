/**
 * Training the domain gate (domain-gate.ts): the detailed acoustic signature (`AcousticSummary.detailFeatures()`)
 * of every training and dev utterance of the build (the selector's own inputs and labels: label = the member
 * whose manifest lists it), on the whole input, cached per audio file in the build's cache; then a logistic regression tuned on the dev sets as the selector's is (NeMo's LR grid,
 * dev accuracy) and temperature-scaled on them (dev negative log-likelihood). Last, the verification floors
 * (`domain_gate_verify_false_accept`, default 1 %): per member the whole-input confidence (the ensemble's spec)
 * that only that share of the other domains' dev utterances reach under it, read from the build's cache when the
 * build computed them, else computed here.
 *
 * `ensemble build CONFIG --domain-gate-only` runs this alone for an ensemble that exists: the summaries are
 * computed (about 0.7 ms of CPU per second of audio here), members run only for dev confidences the cache lacks,
 * and `domain-gate.json` is written beside its `ensemble.json`, which is left as it is.
 */
import os from 'node:os';
import path from 'node:path';
import { ACOUSTIC_DETAIL, ACOUSTIC_SUMMARY, AcousticSummary, acousticDetailFeatureNames } from '../features/acoustic-summary.js';
import { fitProbabilityTemperature, selectorAccuracy, trainSelector, tuneSelector, type Selector } from '../selector/index.js';
import { mapConcurrent } from '../util/concurrency.js';
import { UserError } from '../util/errors.js';
import { sweepStaleTempFiles } from '../util/temp-files.js';
import { ConfidenceCache, modelFingerprint, onnxFileOf, sha256File } from './cache.js';
import { computeConfidence, type ConfidenceSpec } from '../confidence/index.js';
import { loadCtcModel } from '../models/load.js';
import type { CtcModel } from '../models/types.js';
import { specKey } from './config.js';
import { loadBuildManifests } from './build.js';
import type { BuildConfig } from './config.js';
import { DOMAIN_GATE_REPORT_FLOORS, DomainGate, gatePoint } from './domain-gate.js';
import { readEnsembleJson, toPosixRelative } from './format.js';
import type { ManifestEntry } from './manifest.js';
import { Progress, type ProgressOptions } from './progress.js';
import { DecodedAudio, runMembers } from './runner.js';

export interface DomainGateBuildOptions {
  /** The ensemble folder (`domain-gate.json` goes there). */
  outDir: string;
  /** The build's cache (acoustic summaries per audio file); default `outDir/.cache`, null: none. */
  cache?: ConfidenceCache;
  log?: (line: string) => void;
  concurrency?: number;
  /** The build's manifests when it already read them (`loadBuildManifests`). */
  manifests?: { train: ManifestEntry[][]; dev: ManifestEntry[][]; hasDev: boolean };
  progress?: ProgressOptions | false;
  /** The build's loaded members (the verification floors need them when the cache lacks a confidence). */
  models?: CtcModel[];
}

/**
 * Per member i, the whole-input confidence (spec `cfg.confidence`) that only the share `falseAccept` of the other
 * domains' dev utterances (`dev[j]`, j ≠ i) reach under member i: the (1 − falseAccept) quantile of theirs, as a
 * verification threshold is set at a false-accept rate. Confidences come from the build's cache (its member
 * passes on whole inputs) or are computed. Floors from the member's own inputs were tried first and fail where a
 * member is poor on part of its own domain (the demo's en member on real recordings): they fall below what
 * foreign inputs score.
 */
async function verificationFloors(
  cfg: BuildConfig,
  dev: ManifestEntry[][],
  cache: ConfidenceCache,
  falseAccept: number,
  given: CtcModel[] | undefined,
  concurrency: number,
): Promise<number[]> {
  const models = given ?? (await Promise.all(cfg.ensemble.map((m) => loadCtcModel(m.model))));
  try {
    const shas = await Promise.all(models.map((m) => sha256File(onnxFileOf(m))));
    const key = specKey(cfg.confidence as ConfidenceSpec);
    const floors: number[] = [];
    for (let i = 0; i < models.length; i++) {
      const fingerprint = modelFingerprint(models[i], shas[i], cfg.temperature);
      const foreign = dev.filter((_, j) => j !== i).flat();
      const values = await mapConcurrent(foreign, concurrency, async (e) => {
        // The build's cache holds whole-input confidences unless it routed early (prefix entries have their own keys).
        const hit = cfg.earlyRouteSeconds === null ? await cache.get(fingerprint, await sha256File(e.audioPath), [key]) : null;
        if (hit) return hit.conf[key];
        const audio = await DecodedAudio.from(e.audioPath, undefined, undefined, cfg.transcription.channelSelector);
        const [lp] = await runMembers(models, [i], audio, cfg.temperature);
        return computeConfidence(lp.data, lp.frames, lp.vocabSize, models[i].blankId, cfg.confidence as ConfidenceSpec);
      });
      if (values.length === 0)
        throw new UserError(`member ${cfg.ensemble[i].name}: no other domain's dev utterances to set its verification floor from`, {
          code: 'E_DOMAIN_GATE_BUILD',
        });
      values.sort((a, b) => a - b);
      floors.push(values[Math.min(values.length - 1, Math.max(0, Math.ceil((1 - falseAccept) * values.length) - 1))]);
    }
    return floors;
  } finally {
    if (!given) await Promise.all(models.map((m) => m.dispose().catch(() => undefined)));
  }
}

/** Trains the gate on `cfg`'s utterances and writes `outDir/domain-gate.json`. */
export async function buildDomainGate(cfg: BuildConfig, options: DomainGateBuildOptions): Promise<{ file: string; gate: DomainGate }> {
  const log = options.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const names = cfg.ensemble.map((m) => m.name);
  const { train, dev, hasDev } = options.manifests ?? (await loadBuildManifests(cfg));
  const cache = options.cache ?? new ConfidenceCache(path.join(options.outDir, '.cache'));
  if (!options.cache && cache.dir) sweepStaleTempFiles(cache.dir, { recursive: true });
  const acousticNames = acousticDetailFeatureNames();
  const fingerprint = `acoustic-detail-v${ACOUSTIC_DETAIL.version}`;
  const audioPaths = [...new Set([...train.flat(), ...dev.flat()].map((e) => e.audioPath))];
  const rows = new Map<string, number[]>();
  const progress =
    options.progress === false
      ? new Progress('', 0, { silent: true })
      : new Progress(`domain gate: acoustic summaries (${audioPaths.length} files)`, audioPaths.length, options.progress ?? {});
  await mapConcurrent(audioPaths, options.concurrency ?? Math.max(1, Math.min(4, os.cpus().length)), async (audioPath) => {
    const sha = await sha256File(audioPath);
    const hit = await cache.get(fingerprint, sha, acousticNames);
    if (hit) {
      rows.set(
        audioPath,
        acousticNames.map((n) => hit.conf[n]),
      );
      progress.tick(1, true);
      return;
    }
    const audio = await DecodedAudio.from(audioPath, undefined, undefined, cfg.transcription.channelSelector);
    const row = new AcousticSummary({ detail: true }).add(audio.at(ACOUSTIC_SUMMARY.sampleRate)).detailFeatures();
    const entry: Record<string, number> = { seconds: audio.seconds };
    acousticNames.forEach((n, j) => (entry[n] = row[j]));
    await cache.put(fingerprint, sha, { v: 1, frames: 0, conf: entry });
    rows.set(audioPath, row);
    progress.tick(1);
  });
  progress.finish();
  const matrix = (sets: ManifestEntry[][]): number[][] => sets.flatMap((set) => set.map((e) => rows.get(e.audioPath)!));
  const labels = (sets: ManifestEntry[][]): number[] => sets.flatMap((set, j) => set.map(() => j));
  const Xtr = matrix(train);
  const yTr = labels(train);
  let selector: Selector;
  let devAccuracy: number | null = null;
  let devCurve: ReturnType<typeof gatePoint>[] = [];
  if (hasDev) {
    const Xdv = matrix(dev);
    const yDv = labels(dev);
    const lr = cfg.tuneLogisticRegressionConfig;
    selector = tuneSelector(Xtr, yTr, Xdv, yDv, {
      cNumPoints: lr.cNumPoints,
      cMin: lr.cMin,
      cMax: lr.cMax,
      multiClass: lr.multiClass,
      classWeight: lr.classWeight,
    }).selector;
    selector = selector.with({ probabilityTemperature: fitProbabilityTemperature(selector, Xdv, yDv) });
    devAccuracy = selectorAccuracy(selector, Xdv, yDv);
    const proba = selector.predictProba(Xdv);
    devCurve = DOMAIN_GATE_REPORT_FLOORS.map((p) => gatePoint(proba, yDv, selector.classes, p));
  } else {
    log('note: domain gate without dev sets: untuned LR defaults, uncalibrated probabilities (set dev_manifest for every model)');
    selector = trainSelector(Xtr, yTr);
  }
  const trainAccuracy = selectorAccuracy(selector, Xtr, yTr);
  const q = cfg.domainGateVerifyFalseAccept;
  const verify =
    q > 0 && hasDev
      ? {
          falseAccept: q,
          floors: await verificationFloors(cfg, dev, cache, q, options.models, options.concurrency ?? Math.max(1, Math.min(4, os.cpus().length))),
        }
      : null;
  const gate = DomainGate.fromSelector(
    selector,
    names,
    cfg.domainGateMinProb,
    {
      config: cfg.file.startsWith('<') ? null : toPosixRelative(options.outDir, cfg.file),
      utterances: Xtr.length,
      devUtterances: hasDev ? dev.reduce((a, d) => a + d.length, 0) : null,
      trainAccuracy,
      devAccuracy,
      devCurve,
    },
    cfg.domainGatePrune,
    'acoustic-detail',
    verify,
  );
  const file = await gate.write(options.outDir);
  const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
  log(
    `wrote ${file}: domain gate on ${Xtr.length} training utterances, train accuracy ${pct(trainAccuracy)}` +
      (devAccuracy !== null
        ? `, dev accuracy ${pct(devAccuracy)}; dev coverage/accuracy ${devCurve.map((c) => `P ${c.minProbability}: ${pct(c.coverage)}/${pct(c.accuracy)}`).join(', ')}`
        : '') +
      (verify
        ? `; verification floors (reached by ${verify.falseAccept} of other domains' dev utterances) ${names.map((n, i) => `${n} ${verify.floors[i].toFixed(3)}`).join(', ')}`
        : ''),
  );
  return { file, gate };
}

/**
 * `ensemble build CONFIG --domain-gate-only`: the gate for the ensemble the config built (its `ensemble.json`
 * must exist there, with the config's members), nothing else rebuilt.
 */
export async function addDomainGate(cfg: BuildConfig, options: DomainGateBuildOptions): Promise<{ file: string; gate: DomainGate }> {
  const { json } = await readEnsembleJson(options.outDir);
  const have = json.models.map((m) => m.name);
  const want = cfg.ensemble.map((m) => m.name);
  if (have.length !== want.length || have.some((n, i) => n !== want[i])) {
    throw new UserError(`the ensemble here has members ${have.join(', ')} but the config lists ${want.join(', ')}: build the ensemble first`, {
      source: options.outDir,
      code: 'E_DOMAIN_GATE_BUILD',
    });
  }
  return buildDomainGate(cfg, options);
}
