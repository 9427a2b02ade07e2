/**
 * `ensemble.json`: what `ensemble build` writes and `Ensemble.load` reads. Paths inside are relative to
 * the ensemble folder (POSIX separators) so the folder can be moved or shipped as a whole.
 */
import { DECODING_DEFAULTS } from '../defaults.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { validateConfidenceSpec, type ConfidenceSpec } from '../confidence/index.js';
import { readSelectorFeatures, Selector, type SelectorJSON } from '../selector/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';

export const ENSEMBLE_FORMAT = 'ctc-ensemble';
export const ENSEMBLE_SCHEMA_VERSION = 1;
export const ENSEMBLE_FILE = 'ensemble.json';

/** Default LM weights when a member has an LM but no `lm_alpha` / `lm_beta` (pyctcdecode's). */
export const DEFAULT_LM_ALPHA = DECODING_DEFAULTS.alpha;
export const DEFAULT_LM_BETA = DECODING_DEFAULTS.beta;

export interface EnsembleLmJson {
  /** Relative to the ensemble folder. */
  path: string;
  alpha: number;
  beta: number;
  /** How alpha/beta were set: the YAML, defaults, or `ensemble tune-lm` (with its dev WER). */
  source?: 'config' | 'default' | 'tune-lm';
  tuning?: { devWer: number; greedyWer: number; utterances: number; alphas: number[]; betas: number[]; beam: number };
}

export interface EnsembleModelJson {
  name: string;
  /** Model folder, relative to the ensemble folder. */
  path: string;
  /** sha256 of the model's ONNX file. */
  sha256: string;
  onnxFile: string;
  layout: string;
  blankId: number;
  vocabSize: number;
  sampleRate: number;
  lm: EnsembleLmJson | null;
  /** Manifests it was built from (relative to the ensemble folder); the dev manifest is what tune-lm uses. */
  /** null for ensembles imported from NeMo (`ensemble import-nemo`). */
  trainingManifest: string | null;
  devManifest: string | null;
  /**
   * Labelled test manifest (YAML `test_manifest`, relative to the ensemble folder) that `ensemble eval` uses
   * when no `--test` is given; null when absent. Missing in files written before it existed (read as null).
   */
  testManifest?: string | null;
}

export interface TrainingReport {
  config: string | null;
  randomSeed: number;
  /** Training utterances per member (class), after subsampling. */
  utterancesPerClass: Record<string, number>;
  devUtterancesPerClass: Record<string, number> | null;
  trainAccuracy: number;
  devAccuracy: number | null;
  /** Confusion matrices: rows = true member, columns = chosen member. */
  trainConfusion: number[][];
  devConfusion: number[][] | null;
  tuneConfidence: boolean;
  tuneLogisticRegression: boolean;
  /** The chosen confidence spec and LR settings. */
  chosen: {
    confidence: ConfidenceSpec;
    confidenceDescription: string;
    C: number;
    multiClass: 'multinomial' | 'ovr';
    classWeight: 'balanced' | null;
  };
  /** With confidence tuning: number of specs tried and the best dev accuracy of each (grid order). */
  specsTried?: number;
  specScores?: number[];
  /** Selector inputs when more than the confidences (YAML `selector.features`). */
  selectorFeatures?: string[];
  /** YAML `selector.calibration: temperature`: the fitted temperature and the dev NLL before/after. */
  calibration?: { method: 'temperature'; temperature: number; devNllBefore: number; devNllAfter: number };
  modelPasses: number;
  cachedPasses: number;
  buildSeconds: number;
}

export interface EnsembleJson {
  format: typeof ENSEMBLE_FORMAT;
  schemaVersion: number;
  createdAt: string;
  models: EnsembleModelJson[];
  confidence: ConfidenceSpec;
  temperature: number;
  selector: SelectorJSON;
  training: TrainingReport | null;
  /** The selector was trained on the first S seconds of each utterance (YAML `early_route_seconds`); absent: whole. */
  earlyRouteSeconds?: number | null;
  /** Default floor of the early-routing cascade (YAML `early_route_min_prob`, 0 to 1); absent: `EARLY_ROUTE_DEFAULTS`. */
  earlyRouteMinProb?: number;
}

export function toPosixRelative(from: string, to: string): string {
  const r = path.relative(from, to) || '.';
  return r.split(path.sep).join('/');
}

export function resolveFrom(dir: string, p: string): string {
  return path.resolve(dir, p.split('/').join(path.sep));
}

/** Read and validate `DIR/ensemble.json`. */
export async function readEnsembleJson(dir: string): Promise<{ json: EnsembleJson; selector: Selector; file: string }> {
  const file = path.join(dir, ENSEMBLE_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UserError(
      err.code === 'ENOENT' ? `no ${ENSEMBLE_FILE} here; build one with \`ensemble build ensemble.yaml -o ${dir}\`` : `cannot read: ${err.message}`,
      { source: err.code === 'ENOENT' ? dir : file, code: 'E_ENSEMBLE_MISSING', cause: e },
    );
  }
  let json: EnsembleJson;
  try {
    json = JSON.parse(text) as EnsembleJson;
  } catch (e) {
    throw new UserError(`invalid JSON: ${(e as Error).message}`, { source: file, code: 'E_ENSEMBLE_FORMAT' });
  }
  const bad = (msg: string): never => {
    throw new UserError(msg, { source: file, code: 'E_ENSEMBLE_FORMAT' });
  };
  if (!json || typeof json !== 'object') bad('expected a JSON object');
  if (json.format !== ENSEMBLE_FORMAT) bad(`"format" must be "${ENSEMBLE_FORMAT}"`);
  if (typeof json.schemaVersion !== 'number') bad('"schemaVersion" is missing');
  if (json.schemaVersion > ENSEMBLE_SCHEMA_VERSION) {
    bad(`schemaVersion ${json.schemaVersion} is newer than this program supports (${ENSEMBLE_SCHEMA_VERSION}); upgrade ctc-ensemble`);
  }
  if (!Array.isArray(json.models) || json.models.length < 1) bad('"models" must be a non-empty list');
  const names = new Set<string>();
  json.models.forEach((m, i) => {
    if (!m || typeof m.name !== 'string' || typeof m.path !== 'string') bad(`models[${i}] needs "name" and "path"`);
    if (names.has(m.name)) bad(`models[${i}].name "${m.name}" is repeated`);
    names.add(m.name);
    if (m.lm !== null && m.lm !== undefined) {
      if (typeof m.lm.path !== 'string' || typeof m.lm.alpha !== 'number' || typeof m.lm.beta !== 'number') {
        bad(`models[${i}].lm needs "path", "alpha" and "beta"`);
      }
    }
    if (m.testManifest !== undefined && m.testManifest !== null && typeof m.testManifest !== 'string') {
      bad(`models[${i}].testManifest must be a path (string) or null`);
    }
  });
  validateConfidenceSpec(json.confidence, `${file}: confidence`);
  if (typeof json.temperature !== 'number' || !(json.temperature > 0)) bad('"temperature" must be a number > 0');
  if (json.earlyRouteSeconds !== undefined && json.earlyRouteSeconds !== null && !(typeof json.earlyRouteSeconds === 'number' && json.earlyRouteSeconds > 0)) {
    bad('"earlyRouteSeconds" must be a number > 0 or null');
  }
  if (json.earlyRouteMinProb !== undefined && !(typeof json.earlyRouteMinProb === 'number' && json.earlyRouteMinProb >= 0 && json.earlyRouteMinProb <= 1)) {
    bad('"earlyRouteMinProb" must be a number from 0 to 1');
  }
  let selector: Selector;
  try {
    selector = Selector.fromJSON(json.selector);
  } catch (e) {
    throw new UserError(`selector: ${(e as Error).message}`, { source: file, code: 'E_ENSEMBLE_FORMAT', cause: e });
  }
  if (selector.features) {
    // A selector reading more than the confidences: every feature must be one this build computes.
    readSelectorFeatures(
      selector.features,
      json.models.map((m) => m.name),
      selector.numFeatures,
      `${file}: selector.features`,
    );
  } else if (selector.numFeatures !== json.models.length) {
    bad(`the selector takes ${selector.numFeatures} confidences but there are ${json.models.length} models`);
  }
  return { json, selector, file };
}

export async function writeEnsembleJson(dir: string, json: EnsembleJson): Promise<string> {
  const file = path.join(dir, ENSEMBLE_FILE);
  await writeFileAtomic(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}
