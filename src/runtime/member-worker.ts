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
 * The kernel updates it at scheduler ticks and switches, so it is only good for runs of several ticks.
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

/**
 * Runs at least this long (ms, wall) report their CPU time: five ticks at the common 250 Hz; its error, up to a tick
 * either way, averages out over the runs the model's cost is learnt from.
 */
const CPU_TIME_MIN_MS = 20;

/**
 * What a run cost in core-ms, for the scheduler of member runs (`RunSlots`): the thread's CPU time for a long run
 * where the OS reports it (wall time is longer whenever the run shared its core, and the OS does not share the cores
 * evenly), else the run's wall time here.
 */
function runCost(wall0: number, cpu0: number | null): number {
  const wall = performance.now() - wall0;
  if (cpu0 === null || wall < CPU_TIME_MIN_MS) return wall;
  const cpu = threadCpuMs();
  return cpu === null ? wall : Math.min(wall, cpu - cpu0);
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
    const wall0 = performance.now();
    const cpu0 = threadCpuMs();
    (m.type === 'run' ? model.runFeatures(m.features, options) : model.run(m.samples, options)).then(
      (lp) => {
        const reply: MemberWorkerReply = { type: 'result', id: m.id, logprobs: lp, costMs: runCost(wall0, cpu0) };
        port.postMessage(reply, [lp.data.buffer as ArrayBuffer]);
      },
      (e: unknown) => port.postMessage(errorReply(m.id, e)),
    );
  });
}

void main();
