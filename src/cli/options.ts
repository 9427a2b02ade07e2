/**
 * What every command parses the same way: numbers and number lists (one error shape), the ensemble folder
 * (`--ensemble`, else the bundled demo; a missing folder is one clear error), and the choice between an
 * in-thread `Ensemble` and a `WorkerPoolEnsemble` of worker threads.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNTIME_DEFAULTS } from '../defaults.js';
import { Ensemble } from '../ensemble/ensemble.js';
import { ENSEMBLE_FILE } from '../ensemble/format.js';
import { NEMO_FRAMINGS, nemoFramingForVersion } from '../features/nemo-mel.js';
import type { NemoFraming } from '../features/types.js';
import { EXECUTION_MODES, GRAPH_OPTIMIZATION_LEVELS, loadCtcModel, ortSessionOptions, type OrtSettings } from '../models/load.js';
import type { CtcModel } from '../models/types.js';
import { loadCtcModelInWorker, useMemberWorkers } from '../runtime/member-workers.js';
import { WorkerPoolEnsemble, workerPoolAvailable, type WorkerPoolOptions } from '../runtime/worker-pool.js';
import { UserError } from '../util/errors.js';

// the number parsers live in number-options.ts (no ONNX Runtime or ensemble imports: `ensemble lm …` loads only that)
import { optionalNumber } from './number-options.js';
export { numberOption, numberArg, optionalNumber, numberList, type NumberRule } from './number-options.js';

/** `ensembles/demo` of the installed package (works from src/cli and dist/cli alike). */
export function defaultEnsembleDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'ensembles', 'demo');
}

/** The ensemble folder: --ensemble, else the package's ensembles/demo (not the working directory); it must hold ensemble.json. */
export function resolveEnsembleDir(option: string | undefined): string {
  const dir = option ? path.resolve(option) : defaultEnsembleDir();
  if (existsSync(path.join(dir, ENSEMBLE_FILE))) return dir;
  if (!option) {
    throw new UserError(`no --ensemble given and the bundled demo ensemble is missing (${dir}); pass --ensemble DIR (a folder written by \`ensemble build\`)`, {
      code: 'E_ENSEMBLE_MISSING',
    });
  }
  const why = existsSync(dir) ? '' : ' (the folder does not exist)';
  throw new UserError(`no ${ENSEMBLE_FILE} here${why}; build one with \`ensemble build ensemble.yaml -o ${option}\` (--ensemble)`, {
    source: dir,
    code: 'E_ENSEMBLE_MISSING',
  });
}

/** Help of `--allow-changed-models` (serve, infer, eval). */
export const ALLOW_CHANGED_HELP = 'use members whose model.onnx no longer matches the sha256 in ensemble.json (a warning each) instead of refusing to load';

export type OpenedEnsemble = Ensemble | WorkerPoolEnsemble;

export interface OpenEnsembleOptions extends Omit<WorkerPoolOptions, 'workers'> {
  /** Worker threads (each with its own copy of the ensemble); 0 or absent = in this thread. */
  workers?: number;
}

/**
 * Load the ensemble of `--ensemble` (checked by `resolveEnsembleDir`): in worker threads when `workers` > 0 and the
 * compiled worker script exists (onnxruntime-node's inference blocks its thread), else in this thread.
 */
export function openEnsemble(
  option: string | undefined,
  options: OpenEnsembleOptions = {},
): { dir: string; pooled: boolean; loading: Promise<OpenedEnsemble> } {
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
    if (!(NEMO_FRAMINGS as readonly string[]).includes(framing))
      throw new UserError(`--framing must be ${NEMO_FRAMINGS.join(' or ')}, got ${JSON.stringify(framing)}`);
    return framing as NemoFraming;
  }
  if (nemoVersion === undefined) return undefined;
  const f = nemoFramingForVersion(nemoVersion);
  if (!f) throw new UserError(`--nemo-version must be a NeMo version like 1.23 or 2.5.0, got ${JSON.stringify(nemoVersion)}`);
  return f;
}

/** The ONNX Runtime and member-thread flags of `infer` and `build` (`addRuntimeOptions`). */
export interface RuntimeCliOptions {
  intraOpThreads?: string;
  interOpThreads?: string;
  graphOptimization?: string;
  executionMode?: string;
  allowSpinning?: string;
  parallelMembers?: string;
}

export function addRuntimeOptions(cmd: Command): Command {
  const d = RUNTIME_DEFAULTS;
  return cmd
    .option('--intra-op-threads <n>', `ONNX Runtime threads per operator, per model (default ${d.intraOpThreads})`)
    .option('--inter-op-threads <n>', `ONNX Runtime threads for parallel graph branches (default ${d.interOpThreads})`)
    .option('--graph-optimization <level>', `ONNX Runtime graph optimisation: ${GRAPH_OPTIMIZATION_LEVELS.join(', ')} (default ${d.graphOptimization})`)
    .option('--execution-mode <mode>', `ONNX Runtime execution mode: ${EXECUTION_MODES.join(', ')} (default ${d.executionMode})`)
    .option('--allow-spinning <on|off>', ALLOW_SPINNING_HELP)
    .option(
      '--parallel-members <when>',
      `each member's ONNX session on a worker thread of its own: auto (≥ 2 CPUs with one idle, ≥ 4 utterances), on, off (default ${d.parallelMembers})`,
    );
}

export const ALLOW_SPINNING_HELP = `ONNX Runtime's thread pools busy-wait for work (sessions with more than one thread; ONNX Runtime's own default is on) (default ${RUNTIME_DEFAULTS.spinning ? 'on' : 'off'})`;

/** `--allow-spinning on|off` as `OrtSettings.spinning` (undefined when not given). */
export function spinningOption(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'on' && value !== 'off') throw new UserError(`--allow-spinning must be on or off, got ${JSON.stringify(value)}`);
  return value === 'on';
}

/** Checked session settings and the model loader they imply (member worker threads or this thread). */
export function runtimeSettings(
  opts: RuntimeCliOptions,
  work: { utterances?: number } = {},
): { ort: OrtSettings; parallelMembers: boolean; loadModel: (dir: string) => Promise<CtcModel> } {
  const ort: OrtSettings = {};
  const intra = optionalNumber('--intra-op-threads', opts.intraOpThreads, { integer: true, min: 1 });
  const inter = optionalNumber('--inter-op-threads', opts.interOpThreads, { integer: true, min: 1 });
  if (intra !== undefined) ort.intraOpThreads = intra;
  if (inter !== undefined) ort.interOpThreads = inter;
  if (opts.graphOptimization !== undefined) {
    if (!(GRAPH_OPTIMIZATION_LEVELS as readonly string[]).includes(opts.graphOptimization)) {
      throw new UserError(`--graph-optimization must be one of ${GRAPH_OPTIMIZATION_LEVELS.join(', ')}, got ${JSON.stringify(opts.graphOptimization)}`);
    }
    ort.graphOptimization = opts.graphOptimization as OrtSettings['graphOptimization'];
  }
  if (opts.executionMode !== undefined) {
    if (!(EXECUTION_MODES as readonly string[]).includes(opts.executionMode)) {
      throw new UserError(`--execution-mode must be one of ${EXECUTION_MODES.join(', ')}, got ${JSON.stringify(opts.executionMode)}`);
    }
    ort.executionMode = opts.executionMode as OrtSettings['executionMode'];
  }
  const spinning = spinningOption(opts.allowSpinning);
  if (spinning !== undefined) ort.spinning = spinning;
  ortSessionOptions(ort);
  const when = opts.parallelMembers ?? RUNTIME_DEFAULTS.parallelMembers;
  if (when !== 'auto' && when !== 'on' && when !== 'off') {
    throw new UserError(`--parallel-members must be auto, on or off, got ${JSON.stringify(when)}`);
  }
  const parallelMembers = useMemberWorkers(when, work);
  const loadModel = parallelMembers ? (dir: string) => loadCtcModelInWorker(dir, { ort }) : (dir: string) => loadCtcModel(dir, { ort });
  return { ort, parallelMembers, loadModel };
}
