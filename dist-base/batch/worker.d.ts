export interface BatchWorkerOptions {
    redisUrl: string;
    ensembleDir: string;
    queue?: string;
    prefix?: string;
    concurrency?: number;
    lockMs?: number;
    stalledMs?: number;
    maxStalled?: number;
    maxFetchBytes?: number;
    fetchTimeoutMs?: number;
    /** One structured event per job and state change (the CLI prints JSON lines). */
    log?: (event: Record<string, unknown>) => void;
}
export type WorkerStop = {
    reason: 'closed';
} | {
    reason: 'refused';
    message: string;
};
/** Download an `http(s)://` entry with a size limit; 4xx answers and oversize bodies are bad input (not retried). */
export declare function fetchAudio(url: string, maxBytes: number, timeoutMs: number): Promise<Uint8Array>;
export declare class BatchWorker {
    readonly identity: string;
    private readonly transcriber;
    readonly pooled: boolean;
    private readonly opts;
    private worker;
    private stopped;
    private resolveDone;
    /** Resolves when the worker has stopped (closed, or after refusing a job of another ensemble). */
    readonly done: Promise<WorkerStop>;
    private closing;
    private constructor();
    /** Load the ensemble, then start taking jobs. */
    static start(opts: BatchWorkerOptions): Promise<BatchWorker>;
    private process;
    private stopAfter;
    /** Finish the jobs in flight, then stop (SIGTERM). */
    close(): Promise<void>;
    /** Stop at once without waiting for jobs in flight (their locks expire and other workers take them). */
    kill(): Promise<void>;
}
