import { type LoadModelOptions } from '../models/load.js';
import type { CtcModel, FrontEndConfig, Logprobs, ModelFeatures, ModelLayout, TokenizerInfo } from '../models/types.js';
import { type PostedError } from './worker-launch.js';
export interface MemberWorkerData {
    dir: string;
    options: LoadModelOptions;
}
export interface MemberInfo {
    dir: string;
    layout: ModelLayout;
    vocabulary: string[];
    blankId: number;
    tokenizer: TokenizerInfo;
    frontEnd: FrontEndConfig;
    onnxFile: string;
    frameSamples?: number;
    minSamples?: number;
}
export type MemberWorkerRequest = {
    type: 'run';
    id: number;
    features: ModelFeatures;
    temperature: number;
} | {
    type: 'close';
};
export type MemberWorkerReply = {
    type: 'ready';
    info: MemberInfo;
} | {
    type: 'result';
    id: number;
    logprobs: Logprobs;
} | {
    type: 'error';
    id: number;
    error: PostedError;
};
/** True when the compiled worker script exists (running from dist/). */
export declare function memberWorkersAvailable(): boolean;
/**
 * Whether members should run on worker threads: 'on'/'off' as given. 'auto' (`RUNTIME_DEFAULTS.parallelMembers`):
 * when cores allow — ≥ 2 CPUs with at least one idle (1-minute load average ≤ CPUs − 1; on a saturated machine
 * more threads only add switching) — for ≥ 2 members and, when the caller knows it, ≥ `MIN_UTTERANCES`
 * utterances (starting the workers costs about a second, more than they save on a file or two). Always
 * false without the compiled worker script.
 */
export declare function useMemberWorkers(setting?: 'auto' | 'on' | 'off', work?: {
    members?: number;
    utterances?: number;
}): boolean;
/** Fewest utterances for which 'auto' starts member workers. */
export declare const MIN_UTTERANCES = 4;
/**
 * Load a model folder (as `loadCtcModel`) with its ONNX session in a new worker thread. Without the
 * compiled worker script (`memberWorkersAvailable()` false) it loads the model in this thread.
 */
export declare function loadCtcModelInWorker(dir: string, options?: LoadModelOptions): Promise<CtcModel>;
