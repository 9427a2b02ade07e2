/**
 * What the worker-thread modules share: starting a worker and waiting for its 'ready' message, and
 * turning an error a worker posted back into an Error in this thread.
 */
import { Worker } from 'node:worker_threads';
import { UserError } from '../util/errors.js';
/** The Error to throw in this thread for one a worker posted back: a `UserError` stays one. */
export function toError(e) {
    if (e.user)
        return new UserError(e.message, { code: e.code, source: e.source });
    const err = new Error(e.message);
    if (e.stack)
        err.stack = e.stack;
    return err;
}
/**
 * Start a worker and wait for its `{ type: 'ready' }` message, resolving to what `onReady` makes of it.
 * An `{ type: 'error' }` message, an 'error' event or an exit first rejects (the exit with
 * `exitMessage(code)`), and the worker is terminated.
 */
export function launchWorker(url, workerData, onReady, exitMessage) {
    const worker = new Worker(url, { workerData });
    return new Promise((resolve, reject) => {
        const cleanup = () => {
            worker.off('message', onMessage);
            worker.off('error', onError);
            worker.off('exit', onExit);
        };
        const failed = (e) => {
            cleanup();
            void worker.terminate();
            reject(e);
        };
        const onMessage = (m) => {
            if (m.type === 'ready') {
                cleanup();
                resolve(onReady(worker, m));
            }
            else if (m.type === 'error')
                failed(toError(m.error));
        };
        const onError = (e) => failed(e);
        const onExit = (code) => failed(new Error(exitMessage(code)));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
    });
}
//# sourceMappingURL=worker-launch.js.map