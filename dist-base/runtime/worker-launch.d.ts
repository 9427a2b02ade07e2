/**
 * What the worker-thread modules share: starting a worker and waiting for its 'ready' message, and
 * turning an error a worker posted back into an Error in this thread.
 */
import { Worker } from 'node:worker_threads';
/** An error as a worker posts it (`user`: it was a `UserError`). */
export interface PostedError {
    message: string;
    user: boolean;
    code?: string;
    source?: string;
    stack?: string;
}
/** The Error to throw in this thread for one a worker posted back: a `UserError` stays one. */
export declare function toError(e: PostedError): Error;
/**
 * Start a worker and wait for its `{ type: 'ready' }` message, resolving to what `onReady` makes of it.
 * An `{ type: 'error' }` message, an 'error' event or an exit first rejects (the exit with
 * `exitMessage(code)`), and the worker is terminated.
 */
export declare function launchWorker<Reply extends {
    type: string;
}, T>(url: URL, workerData: unknown, onReady: (worker: Worker, reply: Extract<Reply, {
    type: 'ready';
}>) => T, exitMessage: (code: number) => string): Promise<T>;
