/**
 * `GET /v1/stream`: live transcription over WebSocket (the `ws` package) on the same HTTP server as
 * `/v1/transcribe`. This thread moves bytes, runs the small Silero VAD per 32 ms window (~0.2 ms each) and keeps
 * each stream's current utterance; the ensemble runs in the server's transcriber (the worker pool of `serve`).
 * The protocol is in `src/stream/protocol.ts`, the per-stream logic in `src/stream/session.ts`.
 *
 * Limits: `maxStreams` open streams (the next gets 1013), `maxFrameBytes` per binary message (1009),
 * `maxStreamSeconds` of audio per stream (1008), `idleTimeoutMs` without a message (1008). Every resource of a
 * stream (its VAD state, its utterance buffer, its pending decodes' results) is released when the socket closes.
 */
import type http from 'node:http';
import type { ServiceControl } from './app.js';
export interface StreamEndpointOptions {
    maxStreams?: number;
    maxStreamSeconds?: number;
    idleTimeoutMs?: number;
    maxFrameBytes?: number;
    partialIntervalSeconds?: number;
    maxPendingSeconds?: number;
}
export interface StreamEndpoint {
    /** Open streams. */
    active(): number;
    /** Close every stream with 1001 (server shutting down) and stop accepting new ones. */
    close(): Promise<void>;
}
export declare const STREAM_PATH = "/v1/stream";
export declare function attachStreamEndpoint(server: http.Server, service: ServiceControl, options?: StreamEndpointOptions): StreamEndpoint;
