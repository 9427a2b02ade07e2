import type { Redis } from 'ioredis';
import { type QueueRef } from './jobs.js';
export type EntryState = 'completed' | 'failed' | 'pending' | 'missing';
export interface EntryInfo {
    id: string;
    state: EntryState;
    /** When it finished (ms since the epoch), for completed and failed jobs. */
    finishedOn: number | null;
}
export interface BatchStatus {
    name: string;
    ensembleId: string;
    total: number;
    completed: number;
    failed: number;
    pending: number;
    /** Entries whose job is not in Redis (a submit interrupted between steps): submit again. */
    missing: number;
    /** Jobs running now, queue-wide (all batches). */
    active: number;
    /** Workers connected to the queue. */
    workers: number;
    /** Completed per second over the last `rateWindowSeconds` (or since the first finished, if later). */
    ratePerSecond: number;
    /** Seconds to finish the pending entries at that rate; null when nothing is moving. */
    etaSeconds: number | null;
    /** Audio seconds of the completed entries whose manifest line gave a duration. */
    audioSecondsDone: number;
}
export declare function batchStatus(redis: Redis, ref: QueueRef, nameArg: string, now?: number): Promise<BatchStatus>;
export interface CollectResult {
    total: number;
    completed: number;
    failed: Array<{
        line: number | null;
        audio: string;
        error: string;
    }>;
    pending: number;
    missing: number;
}
/**
 * Write one JSON line per manifest entry to `out` (temp file, then rename): completed entries exactly as
 * `infer --manifest` writes them, failed ones with their fields and `error`. With pending or missing entries
 * nothing is written unless `partial` (then those lines carry `"error": "pending"` / `"not submitted"`).
 */
export declare function collectBatch(redis: Redis, ref: QueueRef, nameArg: string, out: string, options?: {
    partial?: boolean;
}): Promise<CollectResult>;
/** Move the batch's failed jobs back to the queue (after fixing the audio or starting the right workers). */
export declare function retryFailed(redis: Redis, ref: QueueRef, nameArg: string, retry: (id: string) => Promise<void>): Promise<number>;
/** Delete a batch: its jobs (results included) and our keys. Running jobs are left alone (counted in `running`). */
export declare function removeBatch(redis: Redis, ref: QueueRef, nameArg: string, remove: (id: string) => Promise<boolean>): Promise<{
    removed: number;
    running: number;
}>;
