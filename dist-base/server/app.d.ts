import type { Writable } from 'node:stream';
import type { Express } from 'express';
import type { EnsembleMemberInfo, EnsembleResult, SegmentResult, TranscribeOptions } from '../ensemble/types.js';
import { type ServiceMetrics } from './metrics.js';
/** The part of `Ensemble` the server uses; anything with these methods can be served. */
export interface Transcriber {
    members(): readonly EnsembleMemberInfo[];
    /**
     * Called with the upload's bytes (decoded by the transcriber, in its worker thread) and
     * `maxSeconds`, or with mono samples at `options.sampleRate` (live streams); `signal` cancels between
     * segments, `onSegment` receives segments as they finish.
     */
    transcribe(audio: Uint8Array | Float32Array, options: TranscribeOptions & {
        signal?: AbortSignal;
        onSegment?: (s: SegmentResult) => void | Promise<void>;
    }): Promise<EnsembleResult>;
    /** Summary for GET /v1/models (selector, confidence spec, …); must be JSON-serialisable. */
    describe(): unknown;
    /**
     * Optional: how many workers can take a request now (a `WorkerPoolEnsemble` restarting a crashed
     * worker thread). At 0, /readyz and transcription requests answer 503 until one is back.
     */
    liveWorkers?(): number;
}
export interface AppOptions {
    /** Largest accepted request body in bytes (default 25 MB). */
    maxBodyBytes?: number;
    /** Longest accepted audio in seconds (default 600). */
    maxAudioSeconds?: number;
    /** Transcriptions running at once (default: number of CPUs). */
    concurrency?: number;
    /** Further requests admitted to wait (default 4 × concurrency); beyond that 503 + Retry-After. */
    queue?: number;
    /** Per-request time limit in ms from arrival, upload and queue wait included (default 120000); 504 beyond. */
    timeoutMs?: number;
    /** Largest `beam` accepted (default 256). */
    maxBeam?: number;
    /** Request bodies received at once (default 32); beyond that 503 + Retry-After. Uploads never hold an inference slot. */
    maxUploads?: number;
    /** Longest pause between two chunks of a body in ms (default 10000); 408 beyond. */
    uploadIdleMs?: number;
    /** Slowest accepted average upload rate in bytes/s once `uploadGraceMs` have passed (default 4096); 408 below. */
    minUploadBytesPerSec?: number;
    /** Time an upload may take before the minimum rate applies (default 5000 ms). */
    uploadGraceMs?: number;
    /** Where the JSON log lines go (default process.stderr); null: no logs. */
    logStream?: Writable | null;
    /** Also export prom-client's default process metrics (default true). */
    defaultMetrics?: boolean;
    /** Early routing for requests without `early_route` / `early_route_min_prob` (`ensemble serve --early-route`, `--early-route-min-prob`). */
    earlyRouteSeconds?: number;
    earlyRouteMinProb?: number;
}
export type LoadState = 'loading' | 'ready' | 'failed' | 'draining';
/** Control surface used by `startServer` (readiness, draining, in-flight tracking). */
export interface ServiceControl {
    readonly metrics: ServiceMetrics;
    readonly limits: Required<Omit<AppOptions, 'logStream' | 'defaultMetrics' | 'earlyRouteSeconds' | 'earlyRouteMinProb'>>;
    state(): LoadState;
    setTranscriber(t: Transcriber): void;
    /** The loaded transcriber while the service is ready (not draining), else null. */
    transcriber(): Transcriber | null;
    /** Stop accepting transcriptions (503); readyz turns 503. */
    drain(): void;
    /** Requests on /v1/transcribe admitted and not yet answered. */
    inFlight(): number;
    /** Resolves when no transcription request is in flight. */
    whenIdle(): Promise<void>;
    /** Work still running in the background after a timeout answer. */
    backgroundWork(): number;
    /**
     * Answer every transcription request not yet answered with 503 (shutdown past the grace period);
     * their inference, which cannot be interrupted, finishes in the background. Returns how many.
     */
    interruptInFlight(): number;
    log(entry: Record<string, unknown>): void;
}
export type EnsembleApp = Express & {
    service: ServiceControl;
};
/** Transcription options plus what the answer should contain. */
export type TranscribeQuery = TranscribeOptions & {
    segments?: boolean;
    stream?: boolean;
};
declare module 'express-serve-static-core' {
    interface Locals {
        requestId?: string;
        logExtra?: Record<string, unknown>;
    }
}
/** Validate `lm`, `all`, `beam`, `route`, `segments`, `stream`; unknown parameters are refused (they are almost always typos). */
export declare function parseTranscribeQuery(query: Record<string, unknown>, maxBeam: number): TranscribeQuery;
/**
 * Strip what a response must never show: heap addresses (ffmpeg's `[hls @ 0x55a7…]`) and absolute server
 * paths (reduced to their file name). Applied to every message that comes from below the server (decoders,
 * loaders) before a client sees it.
 */
export declare function redactMessage(message: string): string;
/** A failure on the server's side (e.g. an LM file that cannot be loaded): 500 with a generic message, details in the log. */
export declare class ServerFault extends Error {
    readonly publicMessage: string;
    readonly code: string;
    constructor(publicMessage: string, code: string, options?: {
        cause?: unknown;
    });
}
/**
 * Build the app. `transcriber` may be a promise (the server answers /healthz and 503 on /readyz while
 * the models load) or null (set it later with `app.service.setTranscriber`).
 */
export declare function createApp(transcriber: Transcriber | Promise<Transcriber> | null, options?: AppOptions): EnsembleApp;
