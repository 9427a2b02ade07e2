import type { Redis } from 'ioredis';
import type { Manifest, ManifestEntry } from '../ensemble/manifest.js';
import type { RecordEntry } from '../ensemble/records.js';
import type { TranscribeOptions } from '../ensemble/types.js';
export declare const JOB_SCHEMA_VERSION = 1;
/** Options a job passes unchanged to the shared transcription step (`transcribeEntry`). */
export type JobTranscribeOptions = Omit<TranscribeOptions, 'sampleRate' | 'source'> & Record<string, unknown>;
/** What one job carries. */
export interface BatchJobData extends RecordEntry {
    v: typeof JOB_SCHEMA_VERSION;
    batch: string;
    /** Absolute path on storage the workers share, or an `http(s)://` URL. */
    audio: string;
    /** `offset` of the manifest line (part of the entry's identity), null when absent. */
    offset: number | null;
    /** 1-based manifest line, for messages. */
    line: number;
    options: JobTranscribeOptions;
    /** `ensembleIdentity()` of the ensemble it was submitted for. */
    ensembleId: string;
    /** The audio file's bytes (base64), only with `embedAudio`. */
    audioBase64?: string;
}
export interface BatchMeta {
    name: string;
    ensembleId: string;
    ensembleDir: string;
    options: JobTranscribeOptions;
    manifest: string;
    createdAt: string;
}
export interface QueueRef {
    /** BullMQ queue name. */
    queue: string;
    prefix?: string;
}
export declare function isUrl(s: string): boolean;
/** Batch names become Redis keys and job names: keep them plain. */
export declare function checkBatchName(name: string | undefined): string;
/** Our keys of batch `name`. */
export declare function batchKeys(ref: QueueRef, name: string): {
    order: string;
    ids: string;
    meta: string;
};
/** BullMQ's key of a job's hash and of its state sets. */
export declare function bullKey(ref: QueueRef, suffix: string): string;
/** Options with keys sorted and undefined values dropped, so equal options hash equally. */
export declare function canonicalOptions(options: Record<string, unknown>): JobTranscribeOptions;
/** Deterministic job id of a manifest entry in a batch (BullMQ ids must not be integers or contain ':'). */
export declare function jobIdOf(name: string, audio: string, offset: number | null, duration: number | null, options: JobTranscribeOptions, ensembleId: string): string;
export declare function jobDataOf(name: string, e: ManifestEntry, options: JobTranscribeOptions, ensembleId: string): BatchJobData;
/** BullMQ options of every batch job: retries with exponential backoff; finished jobs are kept (they are the results). */
export declare function jobOptions(attempts?: number, backoffMs?: number): {
    readonly attempts: number;
    readonly backoff: {
        readonly type: "exponential";
        readonly delay: number;
    };
    readonly removeOnComplete: false;
    readonly removeOnFail: false;
};
/** Record the batch's ensemble and options on first submission; later submissions must match them. */
export declare function ensureBatchMeta(redis: Redis, ref: QueueRef, meta: BatchMeta): Promise<void>;
/** Put job ids in the batch's order (each once); returns, per id, whether its job already exists. */
export declare function registerJobs(redis: Redis, ref: QueueRef, name: string, ids: string[]): Promise<boolean[]>;
export interface SubmitOptions extends QueueRef {
    redis: Redis;
    /** BullMQ connection options for the queue. */
    connection: Record<string, unknown>;
    name: string;
    ensembleId: string;
    ensembleDir: string;
    options: JobTranscribeOptions;
    attempts?: number;
    backoffMs?: number;
    /** Check that local audio files exist before submitting (default true; off when workers see other storage). */
    checkAudio?: boolean;
    /** Put each file's bytes into its job (when workers cannot read the submitter's storage). */
    embedAudio?: boolean;
    maxEmbedBytes?: number;
    onChunk?: (done: number) => void;
}
export interface SubmitResult {
    entries: number;
    /** Jobs added now. */
    added: number;
    /** Jobs that were already queued, running, done or failed. */
    existing: number;
    /** Distinct jobs (identical manifest lines are one). */
    jobs: number;
}
/** Enqueue every entry of `manifest` as batch `name` (idempotent; see the module header). */
export declare function submitBatch(manifest: Manifest, o: SubmitOptions): Promise<SubmitResult>;
