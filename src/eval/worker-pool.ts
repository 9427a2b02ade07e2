/**
 * An ensemble spread over worker threads, for using every core.
 *
 * Why threads: onnxruntime-node runs `InferenceSession.run` synchronously on the calling thread (its
 * promise only defers the call with setImmediate), and the front ends and LM beam search are
 * JavaScript, so one thread transcribes one utterance at a time however many are "in flight". The
 * pool starts `workers` threads, each with its own copy of the ensemble (models, and LMs when used)
 * whose ONNX sessions use `intraOpThreads` threads (default 1, so that N workers use N cores); each
 * worker handles one utterance at a time and further requests queue. Memory: one ensemble per worker.
 *
 * The worker script is the compiled `pool-worker.js` next to this module; when it is missing (running
 * the TypeScript sources directly, as the tests do), `workerPoolAvailable()` is false and callers use
 * an in-thread `Ensemble` instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EnsembleMemberInfo, EnsembleResult, TranscribeOptions } from '../ensemble/types.js';
import { UserError } from '../util/errors.js';
import type { EnsembleSummary } from '../server/summary.js';

export interface WorkerData {
  dir: string;
  preloadLms: boolean;
  intraOpThreads: number;
}

export type WorkerRequest = { type: 'transcribe'; id: number; audio: string | Uint8Array | Float32Array; options: TranscribeOptions } | { type: 'close' };

export type WorkerReply =
  | { type: 'ready'; members: EnsembleMemberInfo[]; summary: EnsembleSummary }
  | { type: 'result'; id: number; result: EnsembleResult }
  | { type: 'error'; id: number; error: { message: string; user: boolean; code?: string; stack?: string } };

const workerUrl = new URL('./pool-worker.js', import.meta.url);

/** True when the compiled worker script exists (running from dist/). */
export function workerPoolAvailable(): boolean {
  return workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl));
}

interface Job {
  id: number;
  audio: string | Uint8Array | Float32Array;
  options: TranscribeOptions;
  resolve: (r: EnsembleResult) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

function toError(e: { message: string; user: boolean; code?: string; stack?: string }): Error {
  if (e.user) return new UserError(e.message, { code: e.code });
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

export class WorkerPoolEnsemble {
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private failure: Error | null = null;

  private constructor(
    private readonly slots: Slot[],
    private readonly info: EnsembleMemberInfo[],
    private readonly summary: EnsembleSummary,
  ) {}

  /** Start `workers` threads, each loading the ensemble in `dir`; rejects if any fails to load. */
  static async start(dir: string, options: { workers: number; preloadLms?: boolean; intraOpThreads?: number }): Promise<WorkerPoolEnsemble> {
    if (!workerPoolAvailable()) throw new Error(`worker script ${fileURLToPath(workerUrl)} not found (run the compiled package)`);
    const n = Math.max(1, Math.floor(options.workers));
    const data: WorkerData = { dir, preloadLms: Boolean(options.preloadLms), intraOpThreads: Math.max(1, options.intraOpThreads ?? 1) };
    const workers = Array.from({ length: n }, () => new Worker(workerUrl, { workerData: data }));
    const ready = workers.map(
      (w) =>
        new Promise<{ members: EnsembleMemberInfo[]; summary: EnsembleSummary }>((resolve, reject) => {
          const onMessage = (m: WorkerReply): void => {
            w.off('message', onMessage);
            w.off('error', reject);
            if (m.type === 'ready') resolve({ members: m.members, summary: m.summary });
            else if (m.type === 'error') reject(toError(m.error));
          };
          w.on('message', onMessage);
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`worker exited with code ${code} while loading`)));
        }),
    );
    const settled = await Promise.allSettled(ready);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failed.reason;
    }
    const first = (settled[0] as PromiseFulfilledResult<{ members: EnsembleMemberInfo[]; summary: EnsembleSummary }>).value;
    const pool = new WorkerPoolEnsemble(
      workers.map((worker) => ({ worker, job: null })),
      first.members,
      first.summary,
    );
    for (const slot of pool.slots) pool.attach(slot);
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  members(): EnsembleMemberInfo[] {
    return this.info;
  }

  /** Selector summary (GET /v1/models). */
  describe(): EnsembleSummary {
    return this.summary;
  }

  transcribe(audio: string | Uint8Array | Float32Array, options: TranscribeOptions = {}): Promise<EnsembleResult> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, audio, options, resolve, reject });
      this.pump();
    });
  }

  /** Stop the workers (after the jobs in progress; queued jobs are rejected). */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new Error('the worker pool was closed'));
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.worker.once('exit', () => resolve());
            s.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
            setTimeout(() => void s.worker.terminate(), 5000).unref();
          }),
      ),
    );
  }

  private attach(slot: Slot): void {
    slot.worker.on('message', (m: WorkerReply) => {
      const job = slot.job;
      if (!job || (m.type !== 'result' && m.type !== 'error') || m.id !== job.id) return;
      slot.job = null;
      if (m.type === 'result') job.resolve(m.result);
      else job.reject(toError(m.error));
      this.pump();
    });
    const fail = (e: Error): void => {
      if (this.closed) return;
      this.failure = new Error(`an evaluation worker failed: ${e.message}`);
      slot.job?.reject(this.failure);
      slot.job = null;
      for (const j of this.queue.splice(0)) j.reject(this.failure);
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job !== null) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.postMessage({ type: 'transcribe', id: job.id, audio: job.audio, options: job.options } satisfies WorkerRequest);
    }
  }
}
