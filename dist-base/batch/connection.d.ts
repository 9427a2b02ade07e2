/**
 * Redis connections of the batch queue. `--redis URL` is `redis://[user:password@]host:port[/db]` (or `rediss://`
 * with TLS). Commands that talk to Redis once (submit, status, collect) fail fast with one clear error when it
 * cannot be reached; workers keep reconnecting (BullMQ's requirement: `maxRetriesPerRequest: null`).
 */
import { Redis } from 'ioredis';
/** Check `--redis` and return it normalised. */
export declare function parseRedisUrl(raw: string | undefined, option?: string): string;
/** The URL without a password, for messages and logs. */
export declare function redactUrl(url: string): string;
/** BullMQ connection options of a long-running worker (reconnects forever). */
export declare function workerConnection(url: string): {
    url: string;
    maxRetriesPerRequest: null;
};
/** BullMQ connection options of a short command (a request fails instead of waiting for Redis forever). */
export declare function commandConnection(url: string): {
    url: string;
    maxRetriesPerRequest: number;
    connectTimeout: number;
};
/** A plain client for our own bookkeeping keys; resolves once Redis answers, else one UserError naming the URL. */
export declare function connectRedis(url: string): Promise<Redis>;
