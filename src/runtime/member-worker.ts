/**
 * Worker thread of `loadCtcModelInWorker` (member-workers.ts): holds one model's ONNX session and runs
 * `runFeatures` for the thread that owns the proxy, one call at a time.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { loadCtcModel, type LoadedCtcModel } from '../models/load.js';
import { isUserError } from '../util/errors.js';
import type { MemberWorkerData, MemberWorkerReply, MemberWorkerRequest } from './member-workers.js';

const port = parentPort!;
const data = workerData as MemberWorkerData;

/**
 * This thread's CPU time in ms (Linux: /proc/thread-self/schedstat, nanoseconds), or null where that cannot be read.
 * The scheduler of member runs (`RunSlots`) learns each model's cost from it: wall time is longer whenever the run
 * shared its core, and the OS does not share the cores evenly.
 */
let schedstat = true;
function threadCpuMs(): number | null {
  if (!schedstat) return null;
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    schedstat = false;
    return null;
  }
}

function errorReply(id: number, e: unknown): MemberWorkerReply {
  const err = e as Error & { code?: string; source?: string };
  return { type: 'error', id, error: { message: err?.message ?? String(e), user: isUserError(e), code: err?.code, source: err?.source, stack: err?.stack } };
}

async function main(): Promise<void> {
  let model: LoadedCtcModel;
  try {
    model = await loadCtcModel(data.dir, data.options);
  } catch (e) {
    port.postMessage(errorReply(-1, e));
    return;
  }
  port.postMessage({
    type: 'ready',
    info: {
      dir: model.dir,
      layout: model.layout,
      vocabulary: [...model.vocabulary],
      blankId: model.blankId,
      tokenizer: model.tokenizer,
      frontEnd: model.frontEnd,
      onnxFile: model.onnxFile,
      frameSamples: model.frameSamples,
      minSamples: model.minSamples,
    },
  } satisfies MemberWorkerReply);
  // Calls arrive one at a time from the event loop; session.run blocks this thread, so they run in order.
  port.on('message', (m: MemberWorkerRequest) => {
    if (m.type === 'close') {
      void model.dispose().finally(() => port.close());
      return;
    }
    const options = { temperature: m.temperature };
    const cpu0 = threadCpuMs();
    (m.type === 'run' ? model.runFeatures(m.features, options) : model.run(m.samples, options)).then(
      (lp) => {
        const cpu1 = cpu0 === null ? null : threadCpuMs();
        const reply: MemberWorkerReply = { type: 'result', id: m.id, logprobs: lp, ...(cpu1 !== null ? { cpuMs: cpu1 - cpu0! } : {}) };
        port.postMessage(reply, [lp.data.buffer as ArrayBuffer]);
      },
      (e: unknown) => port.postMessage(errorReply(m.id, e)),
    );
  });
}

void main();
