/**
 * Defaults of the batch queue (`ensemble batch …`, `ensemble worker`); the CLI's help strings read them from here.
 */
export declare const BATCH_DEFAULTS: {
    /** BullMQ queue name; one queue serves every batch (a batch is the job name). */
    readonly queue: "ctc-ensemble";
    /** Redis key prefix of BullMQ's keys and ours. */
    readonly prefix: "bull";
    /** Tries per job (the first run included) before it is failed; bad audio fails at once. */
    readonly attempts: 3;
    /** First retry after this delay, doubling each time (BullMQ exponential backoff). */
    readonly backoffMs: 2000;
    /** A worker's lock on a job; renewed every half of it while the job runs (BullMQ `lockDuration`). */
    readonly lockMs: 30000;
    /** How often workers look for jobs whose lock expired (a killed worker's) and hand them on (BullMQ `stalledInterval`). */
    readonly stalledMs: 30000;
    /** A job found stalled more often than this is failed instead of handed on (BullMQ `maxStalledCount`). */
    readonly maxStalled: 2;
    /** Jobs one worker process runs at once, each in its own worker thread with its own copy of the ensemble. */
    readonly concurrency: 1;
    /**
     * Jobs taken from the queue per thread beyond the one it runs: the next job waits in the thread pool, so a thread
     * never idles through the Redis round trip between two jobs (a killed worker strands these too; they are handed on).
     */
    readonly prefetchPerThread: 1;
    /** Largest audio a worker downloads for an `http(s)://` entry. */
    readonly maxFetchMb: 200;
    readonly fetchTimeoutMs: 60000;
    /** Largest file `submit --embed-audio` puts into a job. */
    readonly maxEmbedMb: 10;
    /** Job ids read from Redis per round trip (status, collect). */
    readonly scanChunk: 500;
    /** `ensemble eval --redis`: utterances in flight on the queue. */
    readonly evalInFlight: 128;
    /** `batch status` rate window. */
    readonly rateWindowSeconds: 60;
};
