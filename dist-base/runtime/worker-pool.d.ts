import type { EnsembleMemberInfo, EnsembleResult, SegmentResult, TranscribeOptions } from '../ensemble/types.js';
import { type PostedError } from './worker-launch.js';
import type { EnsembleSummary } from '../ensemble/summary.js';
import { type EnsembleCheckOptions } from '../ensemble/verify.js';
export interface WorkerData {
    dir: string;
    preloadLms: boolean;
    intraOpThreads: number;
    /** Member LMs by resolved path, loaded once by the pool and shared by every worker (lm/shared.ts). */
    sharedLms?: Record<string, SharedArrayBuffer>;
}
/**
 * Messages to a worker. `stream`: post each segment as it finishes. `cancel`: stop that request at its next
 * segment (it then ends with an error reply, which frees the slot).
 */
export type WorkerRequest = {
    type: 'transcribe';
    id: number;
    audio: string | Uint8Array | Float32Array;
    options: TranscribeOptions;
    stream: boolean;
} | {
    type: 'cancel';
    id: number;
} | {
    type: 'close';
};
export type WorkerReply = {
    type: 'ready';
    members: EnsembleMemberInfo[];
    summary: EnsembleSummary;
} | {
    type: 'segment';
    id: number;
    segment: SegmentResult;
} | {
    type: 'result';
    id: number;
    result: EnsembleResult;
} | {
    type: 'error';
    id: number;
    error: PostedError;
};
/** True when the compiled worker script exists (running from dist/). */
export declare function workerPoolAvailable(): boolean;
/** Per-request controls that cannot cross the thread boundary as data. */
export interface TranscribeControl {
    /** Aborting stops the request: a queued one is dropped, a running one ends at its next segment. */
    signal?: AbortSignal;
    /** Each segment as soon as the worker has finished it. */
    onSegment?: (segment: SegmentResult) => void | Promise<void>;
}
/** Pool events, for logging (`ensemble serve` writes them to its JSON log). */
export type WorkerPoolEvent = {
    type: 'worker-died';
    slot: number;
    error: string;
    lostRequest: boolean;
} | {
    type: 'worker-restarted';
    slot: number;
} | {
    type: 'worker-down';
    slot: number;
    error: string;
};
export interface WorkerPoolOptions {
    workers: number;
    /** Checks run once, here, before the workers load (verify.ts); the workers skip them. */
    checks?: EnsembleCheckOptions;
    preloadLms?: boolean;
    intraOpThreads?: number;
    /** Load each member LM once in a SharedArrayBuffer that every worker scores from (default true). */
    shareLms?: boolean;
    /** Restarts of one slot allowed within 60 s before it is left down (default 3). */
    maxRestarts?: number;
    onEvent?: (event: WorkerPoolEvent) => void;
}
export declare class WorkerPoolEnsemble {
    private readonly slots;
    private readonly info;
    private readonly summary;
    private readonly data;
    private readonly maxRestarts;
    private readonly onEvent;
    private readonly queue;
    private nextId;
    private closed;
    private failure;
    private constructor();
    /** Start `workers` threads, each loading the ensemble in `dir`; rejects if any fails to load. */
    static start(dir: string, options: WorkerPoolOptions): Promise<WorkerPoolEnsemble>;
    get size(): number;
    /** Workers that can take a request now (not restarting, not down). */
    liveWorkers(): number;
    members(): EnsembleMemberInfo[];
    /** Selector summary (GET /v1/models). */
    describe(): EnsembleSummary;
    /**
     * Transcribe on the next free worker. `options` may carry `signal` and `onSegment` (as for
     * `Ensemble.transcribe`): they are kept here and relayed as messages.
     */
    transcribe(audio: string | Uint8Array | Float32Array, options?: TranscribeOptions & TranscribeControl): Promise<EnsembleResult>;
    /** Requests being transcribed by a worker now. */
    busyWorkers(): number;
    /**
     * Stop the workers: queued jobs are rejected, each job in progress runs to its end (it cannot be
     * interrupted inside ONNX Runtime, and terminating the thread there aborts the process), then the
     * worker disposes its ensemble and exits. Resolves when every worker thread has exited.
     */
    dispose(): Promise<void>;
    private disposing;
    private settled;
    private attach;
    private restart;
    private slotDown;
    private pump;
}
