/**
 * An ensemble spread over worker threads, for using every core.
 *
 * Why threads: onnxruntime-node runs `InferenceSession.run` synchronously on the calling thread (its
 * promise only defers the call with setImmediate), and the front ends and LM beam search are
 * JavaScript, so one thread transcribes one utterance at a time however many are "in flight". The
 * pool starts `workers` threads, each with its own copy of the ensemble models whose ONNX sessions use
 * `intraOpThreads` threads (default 1, so that N workers use N cores); each worker handles one
 * utterance at a time and further requests queue. Memory: one set of ONNX sessions per worker; the
 * member LMs are read once by the pool into SharedArrayBuffers that every worker scores from.
 *
 * A worker thread that dies (a native crash in ONNX Runtime, an out-of-memory abort, `process.exit` in
 * a dependency) costs only the request it was running: that request is rejected, the slot is
 * restarted with a fresh copy of the ensemble, and the other workers carry on. `liveWorkers()` says
 * how many can take work now (the server's /readyz is 503 while it is 0). A slot whose replacement
 * fails to load, or that died `maxRestarts` times within a minute, stays down; when every slot is down
 * the pool fails and rejects all work.
 *
 * Stopping: a worker thread must never be terminated (nor the process exit) while it is inside an ONNX
 * Runtime call: the binding then throws a C++ `Napi::Error` into a dying thread and the whole process
 * aborts (exit 134). `dispose()` therefore lets each worker finish the request it is running, then asks
 * it to close; only an idle worker is ever terminated.
 *
 * The worker script is the compiled `pool-worker.js` next to this module; when it is missing (running
 * the TypeScript sources directly, as the tests do), `workerPoolAvailable()` is false and callers use
 * an in-thread `Ensemble` instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { EnsembleMemberInfo, EnsembleResult, SegmentResult, TranscribeOptions } from '../ensemble/types.js';
import { launchWorker, toError, type PostedError } from './worker-launch.js';
import type { EnsembleSummary } from '../ensemble/summary.js';
import { checkEnsembleFiles, type EnsembleCheckOptions } from '../ensemble/verify.js';
import { readEnsembleJson, resolveFrom } from '../ensemble/format.js';
import { loadSharedLmBuffer } from '../lm/shared.js';

export interface WorkerData {
  dir: string;
  preloadLms: boolean;
  intraOpThreads: number;
  /** ORT's thread pools busy-wait (`OrtSettings.spinning`; default `RUNTIME_DEFAULTS.spinning`). */
  spinning?: boolean;
  /** Member LMs by resolved path, loaded once by the pool and shared by every worker (lm/shared.ts). */
  sharedLms?: Record<string, SharedArrayBuffer>;
}

/**
 * Messages to a worker. `stream`: post each segment as it finishes. `cancel`: stop that request at its next
 * segment (it then ends with an error reply, which frees the slot).
 */
export type WorkerRequest =
  | { type: 'transcribe'; id: number; audio: string | Uint8Array | Float32Array; options: TranscribeOptions; stream: boolean }
  | { type: 'cancel'; id: number }
  | { type: 'close' };

export type WorkerReply =
  | { type: 'ready'; members: EnsembleMemberInfo[]; summary: EnsembleSummary }
  | { type: 'segment'; id: number; segment: SegmentResult }
  | { type: 'result'; id: number; result: EnsembleResult }
  | { type: 'error'; id: number; error: PostedError };

const workerUrl = new URL('./pool-worker.js', import.meta.url);

/** True when the compiled worker script exists (running from dist/). */
export function workerPoolAvailable(): boolean {
  return workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl));
}

/** Per-request controls that cannot cross the thread boundary as data. */
export interface TranscribeControl {
  /** Aborting stops the request: a queued one is dropped, a running one ends at its next segment. */
  signal?: AbortSignal;
  /** Each segment as soon as the worker has finished it. */
  onSegment?: (segment: SegmentResult) => void | Promise<void>;
}

interface Job {
  id: number;
  audio: string | Uint8Array | Float32Array;
  options: TranscribeOptions;
  control: TranscribeControl;
  resolve: (r: EnsembleResult) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  /** null while the slot is restarting or down. */
  worker: Worker | null;
  job: Job | null;
  /** Times of recent deaths (ms), for the crash-loop limit. */
  deaths: number[];
  down: boolean;
  /** Called once the slot's current job has settled (dispose waits on them). */
  idleWaiters: Array<() => void>;
}

/** Pool events, for logging (`ensemble serve` writes them to its JSON log). */
export type WorkerPoolEvent =
  | { type: 'worker-died'; slot: number; error: string; lostRequest: boolean }
  | { type: 'worker-restarted'; slot: number }
  | { type: 'worker-down'; slot: number; error: string };

export interface WorkerPoolOptions {
  workers: number;
  /** Checks run once, here, before the workers load (verify.ts); the workers skip them. */
  checks?: EnsembleCheckOptions;
  preloadLms?: boolean;
  intraOpThreads?: number;
  /** ORT's thread pools busy-wait (`OrtSettings.spinning`; default `RUNTIME_DEFAULTS.spinning`: off). */
  spinning?: boolean;
  /** Load each member LM once in a SharedArrayBuffer that every worker scores from (default true). */
  shareLms?: boolean;
  /** Restarts of one slot allowed within 60 s before it is left down (default 3). */
  maxRestarts?: number;
  onEvent?: (event: WorkerPoolEvent) => void;
}

interface Loaded {
  members: EnsembleMemberInfo[];
  summary: EnsembleSummary;
}

/** Start one worker and wait for its ensemble to load; the worker is terminated if loading fails. */
function startPoolWorker(data: WorkerData): Promise<{ worker: Worker; loaded: Loaded }> {
  return launchWorker<WorkerReply, { worker: Worker; loaded: Loaded }>(
    workerUrl,
    data,
    (worker, m) => ({ worker, loaded: { members: m.members, summary: m.summary } }),
    (code) => `worker exited with code ${code} while loading`,
  );
}

/** Every member LM of the ensemble in `dir`, read once into shared memory, by resolved path. */
async function loadSharedLms(dir: string): Promise<Record<string, SharedArrayBuffer>> {
  const { json } = await readEnsembleJson(dir);
  const out: Record<string, SharedArrayBuffer> = {};
  for (const m of json.models) {
    if (!m.lm) continue;
    const file = resolveFrom(dir, m.lm.path);
    out[file] ??= await loadSharedLmBuffer(file);
  }
  return out;
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
    private readonly data: WorkerData,
    private readonly maxRestarts: number,
    private readonly onEvent: (event: WorkerPoolEvent) => void,
  ) {}

  /** Start `workers` threads, each loading the ensemble in `dir`; rejects if any fails to load. */
  static async start(dir: string, options: WorkerPoolOptions): Promise<WorkerPoolEnsemble> {
    if (!workerPoolAvailable()) throw new Error(`worker script ${fileURLToPath(workerUrl)} not found (run the compiled package)`);
    await checkEnsembleFiles(dir, options.checks ?? {});
    const n = Math.max(1, Math.floor(options.workers));
    const data: WorkerData = {
      dir,
      preloadLms: Boolean(options.preloadLms),
      intraOpThreads: Math.max(1, options.intraOpThreads ?? 1),
      spinning: options.spinning,
    };
    if (options.shareLms ?? true) data.sharedLms = await loadSharedLms(dir);
    const settled = await Promise.allSettled(Array.from({ length: n }, () => startPoolWorker(data)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const started = settled.filter((s): s is PromiseFulfilledResult<{ worker: Worker; loaded: Loaded }> => s.status === 'fulfilled').map((s) => s.value);
    if (failed) {
      await Promise.all(started.map((s) => s.worker.terminate()));
      throw failed.reason;
    }
    const pool = new WorkerPoolEnsemble(
      started.map(({ worker }) => ({ worker, job: null, deaths: [], down: false, idleWaiters: [] })),
      started[0].loaded.members,
      started[0].loaded.summary,
      data,
      Math.max(0, Math.floor(options.maxRestarts ?? 3)),
      options.onEvent ?? (() => undefined),
    );
    pool.slots.forEach((slot, i) => pool.attach(slot, i, slot.worker!));
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Workers that can take a request now (not restarting, not down). */
  liveWorkers(): number {
    return this.closed || this.failure ? 0 : this.slots.filter((s) => s.worker !== null).length;
  }

  members(): EnsembleMemberInfo[] {
    return this.info;
  }

  /** Selector summary (GET /v1/models). */
  describe(): EnsembleSummary {
    return this.summary;
  }

  /**
   * Transcribe on the next free worker. `options` may carry `signal` and `onSegment` (as for
   * `Ensemble.transcribe`): they are kept here and relayed as messages.
   */
  transcribe(audio: string | Uint8Array | Float32Array, options: TranscribeOptions & TranscribeControl = {}): Promise<EnsembleResult> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const { signal, onSegment, ...plain } = options as TranscribeOptions & TranscribeControl & { onProgress?: unknown };
    delete (plain as { onProgress?: unknown }).onProgress;
    if (signal?.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, audio, options: plain, control: { signal, onSegment }, resolve, reject };
      this.queue.push(job);
      signal?.addEventListener(
        'abort',
        () => {
          const q = this.queue.indexOf(job);
          if (q >= 0) {
            this.queue.splice(q, 1);
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
            return;
          }
          const slot = this.slots.find((x) => x.job === job);
          slot?.worker?.postMessage({ type: 'cancel', id: job.id } satisfies WorkerRequest);
        },
        { once: true },
      );
      this.pump();
    });
  }

  /** Requests being transcribed by a worker now. */
  busyWorkers(): number {
    return this.slots.filter((s) => s.job !== null).length;
  }

  /**
   * Stop the workers: queued jobs are rejected, each job in progress runs to its end (it cannot be
   * interrupted inside ONNX Runtime, and terminating the thread there aborts the process), then the
   * worker disposes its ensemble and exits. Resolves when every worker thread has exited.
   */
  async dispose(): Promise<void> {
    if (this.closed) return this.disposing;
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new Error('the worker pool was closed'));
    this.disposing = Promise.all(
      this.slots.map(async (s) => {
        if (s.job) await new Promise<void>((r) => s.idleWaiters.push(r));
        const w = s.worker;
        if (!w) return;
        await new Promise<void>((resolve) => {
          w.once('exit', () => resolve());
          w.postMessage({ type: 'close' } satisfies WorkerRequest);
          // Idle by now, so terminating is safe should it not close by itself.
          setTimeout(() => void w.terminate(), 5000).unref();
        });
      }),
    ).then(() => undefined);
    return this.disposing;
  }

  private disposing: Promise<void> = Promise.resolve();

  private settled(slot: Slot): void {
    const w = slot.idleWaiters.splice(0);
    for (const f of w) f();
  }

  private attach(slot: Slot, index: number, worker: Worker): void {
    worker.on('message', (m: WorkerReply) => {
      const job = slot.job;
      if (slot.worker !== worker || !job || (m.type !== 'result' && m.type !== 'error' && m.type !== 'segment') || m.id !== job.id) return;
      if (m.type === 'segment') {
        void Promise.resolve(job.control.onSegment?.(m.segment)).catch(() => undefined);
        return;
      }
      slot.job = null;
      if (m.type === 'result') job.resolve(m.result);
      else job.reject(toError(m.error));
      this.settled(slot);
      this.pump();
    });
    // 'error' (an uncaught exception) is followed by 'exit'; the first one seen handles the death.
    const died = (e: Error): void => {
      if (slot.worker !== worker) return;
      if (this.closed) {
        slot.worker = null;
        slot.job?.reject(new Error('the worker pool was closed'));
        slot.job = null;
        this.settled(slot);
        return;
      }
      slot.worker = null;
      const job = slot.job;
      slot.job = null;
      job?.reject(new Error(`the worker thread transcribing this request died (${e.message}); the request was not completed`));
      this.settled(slot);
      this.onEvent({ type: 'worker-died', slot: index, error: e.message, lostRequest: job !== null });
      const now = Date.now();
      slot.deaths = [...slot.deaths.filter((t) => now - t < 60_000), now];
      if (slot.deaths.length > this.maxRestarts) this.slotDown(slot, index, new Error(`died ${slot.deaths.length} times within a minute`));
      else this.restart(slot, index);
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`exit code ${code}`)));
  }

  private restart(slot: Slot, index: number): void {
    startPoolWorker(this.data).then(
      ({ worker }) => {
        if (this.closed) {
          void worker.terminate();
          return;
        }
        slot.worker = worker;
        this.attach(slot, index, worker);
        this.onEvent({ type: 'worker-restarted', slot: index });
        this.pump();
      },
      (e: unknown) => this.slotDown(slot, index, e instanceof Error ? e : new Error(String(e))),
    );
  }

  private slotDown(slot: Slot, index: number, e: Error): void {
    slot.down = true;
    this.onEvent({ type: 'worker-down', slot: index, error: e.message });
    if (this.slots.every((s) => s.down) && !this.closed) {
      this.failure = new Error(`every worker thread is down (last: ${e.message})`);
      for (const j of this.queue.splice(0)) j.reject(this.failure);
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job !== null || slot.worker === null) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.postMessage({
        type: 'transcribe',
        id: job.id,
        audio: job.audio,
        options: job.options,
        stream: Boolean(job.control.onSegment),
      } satisfies WorkerRequest);
    }
  }
}
