/**
 * What the worker-thread modules share: starting a worker and waiting for its 'ready' message, and
 * turning an error a worker posted back into an Error in this thread.
 */
import { Worker } from 'node:worker_threads';
import { UserError } from '../util/errors.js';

/** An error as a worker posts it (`user`: it was a `UserError`). */
export interface PostedError {
  message: string;
  user: boolean;
  code?: string;
  source?: string;
  stack?: string;
}

/** The Error to throw in this thread for one a worker posted back: a `UserError` stays one. */
export function toError(e: PostedError): Error {
  if (e.user) return new UserError(e.message, { code: e.code, source: e.source });
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * Start a worker and wait for its `{ type: 'ready' }` message, resolving to what `onReady` makes of it.
 * An `{ type: 'error' }` message, an 'error' event or an exit first rejects (the exit with
 * `exitMessage(code)`), and the worker is terminated.
 */
export function launchWorker<Reply extends { type: string }, T>(
  url: URL,
  workerData: unknown,
  onReady: (worker: Worker, reply: Extract<Reply, { type: 'ready' }>) => T,
  exitMessage: (code: number) => string,
): Promise<T> {
  const worker = new Worker(url, { workerData });
  return new Promise<T>((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const failed = (e: Error): void => {
      cleanup();
      void worker.terminate();
      reject(e);
    };
    const onMessage = (m: Reply): void => {
      if (m.type === 'ready') {
        cleanup();
        resolve(onReady(worker, m as Extract<Reply, { type: 'ready' }>));
      } else if (m.type === 'error') failed(toError((m as unknown as { error: PostedError }).error));
    };
    const onError = (e: Error): void => failed(e);
    const onExit = (code: number): void => failed(new Error(exitMessage(code)));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
