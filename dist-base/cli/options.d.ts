/**
 * What every command parses the same way: numbers and number lists (one error shape), the ensemble folder
 * (`--ensemble`, else the bundled demo; a missing folder is one clear error), and the choice between an
 * in-thread `Ensemble` and a `WorkerPoolEnsemble` of worker threads.
 */
import type { Command } from 'commander';
import { Ensemble } from '../ensemble/ensemble.js';
import type { NemoFraming } from '../features/types.js';
import { type OrtSettings } from '../models/load.js';
import type { CtcModel } from '../models/types.js';
import { WorkerPoolEnsemble, type WorkerPoolOptions } from '../runtime/worker-pool.js';
export interface NumberRule {
    integer?: boolean;
    min?: number;
    max?: number;
}
/** Parse a numeric option value; a UserError naming the option and the expected range otherwise. */
export declare function numberOption(name: string, raw: string, rule?: NumberRule): number;
/** `numberOption` as a commander argument parser. */
export declare function numberArg(name: string, rule?: NumberRule): (raw: string) => number;
/** The option's value when given, else undefined. */
export declare function optionalNumber(name: string, raw: string | undefined, rule?: NumberRule): number | undefined;
/** "0,0.5,1" → numbers, each checked by `rule`. */
export declare function numberList(name: string, raw: string, rule?: NumberRule): number[];
/** `ensembles/demo` of the installed package (works from src/cli and dist/cli alike). */
export declare function defaultEnsembleDir(): string;
/** The ensemble folder: --ensemble, else the package's ensembles/demo (not the working directory); it must hold ensemble.json. */
export declare function resolveEnsembleDir(option: string | undefined): string;
/** Help of `--allow-changed-models` (serve, infer, eval). */
export declare const ALLOW_CHANGED_HELP = "use members whose model.onnx no longer matches the sha256 in ensemble.json (a warning each) instead of refusing to load";
export type OpenedEnsemble = Ensemble | WorkerPoolEnsemble;
export interface OpenEnsembleOptions extends Omit<WorkerPoolOptions, 'workers'> {
    /** Worker threads (each with its own copy of the ensemble); 0 or absent = in this thread. */
    workers?: number;
}
/**
 * Load the ensemble of `--ensemble` (checked by `resolveEnsembleDir`): in worker threads when `workers` > 0 and the
 * compiled worker script exists (onnxruntime-node's inference blocks its thread), else in this thread.
 */
export declare function openEnsemble(option: string | undefined, options?: OpenEnsembleOptions): {
    dir: string;
    pooled: boolean;
    loading: Promise<OpenedEnsemble>;
};
/**
 * The NeMo STFT framing from `--framing reflect|zero-pad` or `--nemo-version V` (≤ 2.4.x reflect, ≥ 2.5
 * zero-pad); undefined when neither is given.
 */
export declare function framingOption(framing: string | undefined, nemoVersion: string | undefined): NemoFraming | undefined;
/** The ONNX Runtime and member-thread flags of `infer` and `build` (`addRuntimeOptions`). */
export interface RuntimeCliOptions {
    intraOpThreads?: string;
    interOpThreads?: string;
    graphOptimization?: string;
    executionMode?: string;
    parallelMembers?: string;
}
export declare function addRuntimeOptions(cmd: Command): Command;
/** Checked session settings and the model loader they imply (member worker threads or this thread). */
export declare function runtimeSettings(opts: RuntimeCliOptions, work?: {
    utterances?: number;
}): {
    ort: OrtSettings;
    parallelMembers: boolean;
    loadModel: (dir: string) => Promise<CtcModel>;
};
