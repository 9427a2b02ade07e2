import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNTIME_DEFAULTS } from '../defaults.js';
import { Ensemble } from '../ensemble/ensemble.js';
import { ENSEMBLE_FILE } from '../ensemble/format.js';
import { NEMO_FRAMINGS, nemoFramingForVersion } from '../features/nemo-mel.js';
import { EXECUTION_MODES, GRAPH_OPTIMIZATION_LEVELS, loadCtcModel, ortSessionOptions } from '../models/load.js';
import { loadCtcModelInWorker, useMemberWorkers } from '../runtime/member-workers.js';
import { WorkerPoolEnsemble, workerPoolAvailable } from '../runtime/worker-pool.js';
import { UserError } from '../util/errors.js';
/** Parse a numeric option value; a UserError naming the option and the expected range otherwise. */
export function numberOption(name, raw, rule = {}) {
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
export function numberArg(name, rule = {}) {
    return (raw) => numberOption(name, raw, rule);
}
/** The option's value when given, else undefined. */
export function optionalNumber(name, raw, rule = {}) {
    return raw === undefined ? undefined : numberOption(name, raw, rule);
}
/** "0,0.5,1" → numbers, each checked by `rule`. */
export function numberList(name, raw, rule = {}) {
    const parts = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    if (parts.length === 0)
        throw new UserError(`${name} must be a comma-separated list of numbers, got ${JSON.stringify(raw)}`);
    return parts.map((p) => numberOption(name, p, rule));
}
/** `ensembles/demo` of the installed package (works from src/cli and dist/cli alike). */
export function defaultEnsembleDir() {
    return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'ensembles', 'demo');
}
/** The ensemble folder: --ensemble, else the package's ensembles/demo (not the working directory); it must hold ensemble.json. */
export function resolveEnsembleDir(option) {
    const dir = option ? path.resolve(option) : defaultEnsembleDir();
    if (existsSync(path.join(dir, ENSEMBLE_FILE)))
        return dir;
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
/**
 * Load the ensemble of `--ensemble` (checked by `resolveEnsembleDir`): in worker threads when `workers` > 0 and the
 * compiled worker script exists (onnxruntime-node's inference blocks its thread), else in this thread.
 */
export function openEnsemble(option, options = {}) {
    const dir = resolveEnsembleDir(option);
    const { workers = 0, ...rest } = options;
    const pooled = workers > 0 && workerPoolAvailable();
    const loading = pooled
        ? WorkerPoolEnsemble.start(dir, { ...rest, workers })
        : Ensemble.load(dir, { preloadLms: rest.preloadLms, checks: rest.checks });
    return { dir, pooled, loading };
}
/**
 * The NeMo STFT framing from `--framing reflect|zero-pad` or `--nemo-version V` (≤ 2.4.x reflect, ≥ 2.5
 * zero-pad); undefined when neither is given.
 */
export function framingOption(framing, nemoVersion) {
    if (framing !== undefined && nemoVersion !== undefined)
        throw new UserError('give either --framing or --nemo-version, not both');
    if (framing !== undefined) {
        if (!NEMO_FRAMINGS.includes(framing))
            throw new UserError(`--framing must be ${NEMO_FRAMINGS.join(' or ')}, got ${JSON.stringify(framing)}`);
        return framing;
    }
    if (nemoVersion === undefined)
        return undefined;
    const f = nemoFramingForVersion(nemoVersion);
    if (!f)
        throw new UserError(`--nemo-version must be a NeMo version like 1.23 or 2.5.0, got ${JSON.stringify(nemoVersion)}`);
    return f;
}
export function addRuntimeOptions(cmd) {
    const d = RUNTIME_DEFAULTS;
    return cmd
        .option('--intra-op-threads <n>', `ONNX Runtime threads per operator, per model (default ${d.intraOpThreads})`)
        .option('--inter-op-threads <n>', `ONNX Runtime threads for parallel graph branches (default ${d.interOpThreads})`)
        .option('--graph-optimization <level>', `ONNX Runtime graph optimisation: ${GRAPH_OPTIMIZATION_LEVELS.join(', ')} (default ${d.graphOptimization})`)
        .option('--execution-mode <mode>', `ONNX Runtime execution mode: ${EXECUTION_MODES.join(', ')} (default ${d.executionMode})`)
        .option('--parallel-members <when>', `each member's ONNX session on a worker thread of its own: auto (≥ 2 CPUs with one idle, ≥ 4 utterances), on, off (default ${d.parallelMembers})`);
}
/** Checked session settings and the model loader they imply (member worker threads or this thread). */
export function runtimeSettings(opts, work = {}) {
    const ort = {};
    const intra = optionalNumber('--intra-op-threads', opts.intraOpThreads, { integer: true, min: 1 });
    const inter = optionalNumber('--inter-op-threads', opts.interOpThreads, { integer: true, min: 1 });
    if (intra !== undefined)
        ort.intraOpThreads = intra;
    if (inter !== undefined)
        ort.interOpThreads = inter;
    if (opts.graphOptimization !== undefined) {
        if (!GRAPH_OPTIMIZATION_LEVELS.includes(opts.graphOptimization)) {
            throw new UserError(`--graph-optimization must be one of ${GRAPH_OPTIMIZATION_LEVELS.join(', ')}, got ${JSON.stringify(opts.graphOptimization)}`);
        }
        ort.graphOptimization = opts.graphOptimization;
    }
    if (opts.executionMode !== undefined) {
        if (!EXECUTION_MODES.includes(opts.executionMode)) {
            throw new UserError(`--execution-mode must be one of ${EXECUTION_MODES.join(', ')}, got ${JSON.stringify(opts.executionMode)}`);
        }
        ort.executionMode = opts.executionMode;
    }
    ortSessionOptions(ort);
    const when = opts.parallelMembers ?? RUNTIME_DEFAULTS.parallelMembers;
    if (when !== 'auto' && when !== 'on' && when !== 'off') {
        throw new UserError(`--parallel-members must be auto, on or off, got ${JSON.stringify(when)}`);
    }
    const parallelMembers = useMemberWorkers(when, work);
    const loadModel = parallelMembers ? (dir) => loadCtcModelInWorker(dir, { ort }) : (dir) => loadCtcModel(dir, { ort });
    return { ort, parallelMembers, loadModel };
}
//# sourceMappingURL=options.js.map