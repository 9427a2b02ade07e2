import http from 'node:http';
import { type AppOptions, type EnsembleApp, type Transcriber } from './app.js';
import { type StreamEndpoint, type StreamEndpointOptions } from './stream-endpoint.js';
export interface ServerOptions extends AppOptions {
    /** Port (default 8080; 0 = an ephemeral port). */
    port?: number;
    /** Interface to bind (default 127.0.0.1). */
    host?: string;
    /** Longest wait for in-flight requests on shutdown (default 30000 ms). */
    graceMs?: number;
    /** Limits of live streams on `GET /v1/stream` (WebSocket). */
    stream?: StreamEndpointOptions;
}
export interface RunningServer {
    app: EnsembleApp;
    server: http.Server;
    /** The live-transcription endpoint (`GET /v1/stream`). */
    streams: StreamEndpoint;
    host: string;
    port: number;
    /** Base URL, e.g. `http://127.0.0.1:8080`. */
    url: string;
    /**
     * Graceful shutdown; resolves when every connection is closed, with the number of requests answered
     * 503 because the grace period ran out. Safe to call more than once; `now` cuts the grace period short.
     */
    stop(options?: {
        now?: boolean;
    }): Promise<StopResult>;
}
export interface StopResult {
    /** Requests in flight answered 503 because the grace period ran out (or `now` was asked). */
    interrupted: number;
}
export declare function startServer(transcriber: Transcriber | Promise<Transcriber> | null, options?: ServerOptions): Promise<RunningServer>;
