/**
 * Request bodies, in memory only: nothing a request sends is ever written to disk, and no request field
 * (multipart file name included) is ever used as a path.
 */
import type { IncomingMessage } from 'node:http';
/** An HTTP error with a status and a message safe to show to the client. */
export declare class HttpError extends Error {
    readonly status: number;
    readonly code: string;
    readonly headers: Record<string, string>;
    constructor(status: number, message: string, code: string, headers?: Record<string, string>);
}
export type BodyKind = 'wav' | 'audio' | 'octet-stream' | 'multipart';
export declare const ACCEPTED_TYPES = "audio/wav (audio/x-wav, audio/wave), any other audio/* type ffmpeg can decode, application/octet-stream, multipart/form-data with a field \"file\"";
/** The media type without parameters, lower-cased; '' when absent. */
export declare function mediaType(header: string | undefined): string;
/** Classify a body's media type; null when it is not one this service accepts. */
export declare function classifyMediaType(type: string): BodyKind | null;
export declare function formatBytes(n: number): string;
/**
 * Pace of an upload: slow clients (slowloris) are cut off with 408 instead of holding memory and a
 * connection for the whole request time limit.
 */
export interface UploadPace {
    /** Longest pause between two chunks of the body (ms). */
    idleMs: number;
    /** Slowest accepted average rate (bytes/s), checked once `graceMs` have passed since the upload began. */
    minBytesPerSec: number;
    graceMs: number;
}
/** The raw body, up to `limit` bytes (413 beyond). */
export declare function readRawBody(req: IncomingMessage, limit: number, signal?: AbortSignal, pace?: UploadPace): Promise<Uint8Array>;
/**
 * The bytes of the multipart field `file` (its file name is ignored), up to `limit` bytes. Other file
 * fields are skipped; text fields are ignored; a second `file` part is refused (400) rather than one of
 * the two being picked silently. The part's own Content-Type must be audio/*, application/octet-stream
 * or absent (415 otherwise).
 */
export declare function readMultipartFile(req: IncomingMessage, limit: number, signal?: AbortSignal, pace?: UploadPace): Promise<{
    bytes: Uint8Array;
    type: string;
}>;
/**
 * After answering early (413, 415, 503 …), swallow the rest of the body so that clients which send the
 * whole body before reading (Python's http.client, many SDKs) still read the answer instead of a broken
 * pipe: the connection is kept open while at most `capBytes` more bytes arrive within `capMs`, then cut.
 */
export declare function discardBody(req: IncomingMessage, capBytes: number, capMs: number): void;
