/**
 * What every command parses the same way: numbers and number lists (one error shape), the ensemble folder
 * (`--ensemble`, else the bundled demo; a missing folder is one clear error), and the choice between an
 * in-thread `Ensemble` and a `WorkerPoolEnsemble` of worker threads.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ensemble } from '../ensemble/ensemble.js';
import { ENSEMBLE_FILE } from '../ensemble/format.js';
import { NEMO_FRAMINGS, nemoFramingForVersion } from '../features/nemo-mel.js';
import type { NemoFraming } from '../features/types.js';
import { WorkerPoolEnsemble, workerPoolAvailable, type WorkerPoolOptions } from '../runtime/worker-pool.js';
import { UserError } from '../util/errors.js';

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

/** Parse a numeric option value; a UserError naming the option and the expected range otherwise. */
export function numberOption(name: string, raw: string, rule: NumberRule = {}): number {
  const v = Number(raw);
  const { integer = false, min = -Infinity, max = Infinity } = rule;
  if (raw.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    const kind = integer ? 'an integer' : 'a number';
    const range = min > -Infinity && max < Infinity ? ` from ${min} to ${max}` : min > -Infinity ? ` ≥ ${min}` : max < Infinity ? ` ≤ ${max}` : '';
    throw new UserError(`${name} must be ${kind}${range}, got ${JSON.stringify(raw)}`);
  }
  return v;
}

/** `numberOption` as a commander argument parser. */
export function numberArg(name: string, rule: NumberRule = {}): (raw: string) => number {
  return (raw) => numberOption(name, raw, rule);
}

/** The option's value when given, else undefined. */
export function optionalNumber(name: string, raw: string | undefined, rule: NumberRule = {}): number | undefined {
  return raw === undefined ? undefined : numberOption(name, raw, rule);
}

/** "0,0.5,1" → numbers, each checked by `rule`. */
export function numberList(name: string, raw: string, rule: NumberRule = {}): number[] {
  const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new UserError(`${name} must be a comma-separated list of numbers, got ${JSON.stringify(raw)}`);
  return parts.map((p) => numberOption(name, p, rule));
}

/** `ensembles/demo` of the installed package (works from src/cli and dist/cli alike). */
export function defaultEnsembleDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'ensembles', 'demo');
}

/** The ensemble folder: --ensemble, else the package's ensembles/demo (not the working directory); it must hold ensemble.json. */
export function resolveEnsembleDir(option: string | undefined): string {
  const dir = option ? path.resolve(option) : defaultEnsembleDir();
  if (existsSync(path.join(dir, ENSEMBLE_FILE))) return dir;
  if (!option) {
    throw new UserError(
      `no --ensemble given and the bundled demo ensemble is missing (${dir}); pass --ensemble DIR (a folder written by \`ensemble build\`)`,
      { code: 'E_ENSEMBLE_MISSING' },
    );
  }
  const why = existsSync(dir) ? '' : ' (the folder does not exist)';
  throw new UserError(`no ${ENSEMBLE_FILE} here${why}; build one with \`ensemble build ensemble.yaml -o ${option}\` (--ensemble)`, {
    source: dir,
    code: 'E_ENSEMBLE_MISSING',
  });
}

/** Help of `--allow-changed-models` (serve, infer, eval). */
export const ALLOW_CHANGED_HELP =
  "use members whose model.onnx no longer matches the sha256 in ensemble.json (a warning each) instead of refusing to load";

export type OpenedEnsemble = Ensemble | WorkerPoolEnsemble;

export interface OpenEnsembleOptions extends Omit<WorkerPoolOptions, 'workers'> {
  /** Worker threads (each with its own copy of the ensemble); 0 or absent = in this thread. */
  workers?: number;
}

/**
 * Load the ensemble of `--ensemble` (checked by `resolveEnsembleDir`): in worker threads when `workers` > 0 and the
 * compiled worker script exists (onnxruntime-node's inference blocks its thread), else in this thread.
 */
export function openEnsemble(option: string | undefined, options: OpenEnsembleOptions = {}): { dir: string; pooled: boolean; loading: Promise<OpenedEnsemble> } {
  const dir = resolveEnsembleDir(option);
  const { workers = 0, ...rest } = options;
  const pooled = workers > 0 && workerPoolAvailable();
  const loading: Promise<OpenedEnsemble> = pooled
    ? WorkerPoolEnsemble.start(dir, { ...rest, workers })
    : Ensemble.load(dir, { preloadLms: rest.preloadLms, checks: rest.checks });
  return { dir, pooled, loading };
}

/**
 * The NeMo STFT framing from `--framing reflect|zero-pad` or `--nemo-version V` (≤ 2.4.x reflect, ≥ 2.5
 * zero-pad); undefined when neither is given.
 */
export function framingOption(framing: string | undefined, nemoVersion: string | undefined): NemoFraming | undefined {
  if (framing !== undefined && nemoVersion !== undefined) throw new UserError('give either --framing or --nemo-version, not both');
  if (framing !== undefined) {
    if (!(NEMO_FRAMINGS as readonly string[]).includes(framing)) throw new UserError(`--framing must be ${NEMO_FRAMINGS.join(' or ')}, got ${JSON.stringify(framing)}`);
    return framing as NemoFraming;
  }
  if (nemoVersion === undefined) return undefined;
  const f = nemoFramingForVersion(nemoVersion);
  if (!f) throw new UserError(`--nemo-version must be a NeMo version like 1.23 or 2.5.0, got ${JSON.stringify(nemoVersion)}`);
  return f;
}
