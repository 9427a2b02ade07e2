/**
 * Worker thread of `WorkerPoolEnsemble` (worker-pool.ts): loads its own copy of the ensemble and
 * transcribes one request at a time. ONNX Runtime's Node binding runs `session.run` synchronously on
 * the calling thread, so parallel inference needs threads of its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Ensemble } from '../ensemble/ensemble.js';
import { loadCtcModel } from '../models/load.js';
import { isUserError } from '../util/errors.js';
import { loadLanguageModel } from '../lm/index.js';
import { modelFromSharedBuffer } from '../lm/shared.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-pool.js';

const port = parentPort!;
const data = workerData as WorkerData;

function errorReply(id: number, e: unknown): WorkerReply {
  const err = e as Error & { code?: string; source?: string };
  return {
    type: 'error',
    id,
    error: { message: err?.message ?? String(e), user: isUserError(e), code: err?.code, stack: err?.stack },
  };
}

async function main(): Promise<void> {
  let ensemble: Ensemble;
  try {
    ensemble = await Ensemble.load(data.dir, {
      preloadLms: data.preloadLms,
      checks: false,
      loadLm: async (file) => {
        const shared = data.sharedLms?.[file];
        return shared ? modelFromSharedBuffer(shared, file) : loadLanguageModel(file);
      },
      loadModel: (d) => loadCtcModel(d, { ort: { intraOpThreads: data.intraOpThreads, spinning: data.spinning } }),
    });
  } catch (e) {
    port.postMessage(errorReply(-1, e));
    return;
  }
  port.postMessage({ type: 'ready', members: ensemble.members(), summary: ensemble.describe() } satisfies WorkerReply);
  // The transcription in progress: 'close' waits for it, since disposing the sessions under a run
  // (between its awaits) would make its next ONNX Runtime call fail inside native code.
  let current: Promise<unknown> = Promise.resolve();
  // Requests in progress, for `cancel` (the pool sends one request at a time, but a cancel may race its end).
  const running = new Map<number, AbortController>();
  port.on('message', (m: WorkerRequest) => {
    if (m.type === 'close') {
      // Work still running is abandoned (its request was answered): stop it at the next segment, then close.
      for (const a of running.values()) a.abort(new Error('the worker is closing'));
      void current.finally(() => ensemble.dispose()).finally(() => port.close());
      return;
    }
    if (m.type === 'cancel') {
      running.get(m.id)?.abort(new Error('the request was cancelled'));
      return;
    }
    const abort = new AbortController();
    running.set(m.id, abort);
    current = ensemble
      .transcribe(m.audio, {
        ...m.options,
        signal: abort.signal,
        onSegment: m.stream ? (segment) => port.postMessage({ type: 'segment', id: m.id, segment } satisfies WorkerReply) : undefined,
      })
      .then(
        (result) => port.postMessage({ type: 'result', id: m.id, result } satisfies WorkerReply),
        (e: unknown) => port.postMessage(errorReply(m.id, e)),
      )
      .finally(() => running.delete(m.id));
  });
}

void main();
