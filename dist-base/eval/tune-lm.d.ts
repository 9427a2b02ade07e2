import { type EnsembleLoadOptions } from '../ensemble/ensemble.js';
import { type ProgressOptions } from '../ensemble/progress.js';
export declare const DEFAULT_TUNE_ALPHAS: number[];
export declare const DEFAULT_TUNE_BETAS: number[];
export interface TuneLmOptions {
    alphas?: number[];
    betas?: number[];
    /** Beam width of the search (default: the inference default, 100). */
    beam?: number;
    /** Only these members (names); default every member with an LM and a dev manifest. */
    members?: string[];
    /** Use at most this many dev utterances per member (first lines). */
    maxUtterances?: number;
    concurrency?: number;
    progress?: ProgressOptions | false;
    log?: (line: string) => void;
    /** Do not write ensemble.json (report only). */
    dryRun?: boolean;
    loadModel?: EnsembleLoadOptions['loadModel'];
}
export interface TuneLmMemberResult {
    name: string;
    alpha: number;
    beta: number;
    devWer: number;
    greedyWer: number;
    previous: {
        alpha: number;
        beta: number;
        wer: number;
    };
    utterances: number;
    /** WER per (alpha, beta), alpha-major. */
    grid: Array<{
        alpha: number;
        beta: number;
        wer: number;
    }>;
}
export interface TuneLmResult {
    file: string;
    members: TuneLmMemberResult[];
    skipped: Array<{
        name: string;
        reason: string;
    }>;
}
export declare function tuneLm(dir: string, options?: TuneLmOptions): Promise<TuneLmResult>;
