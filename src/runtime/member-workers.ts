/**
 * A CTC model whose ONNX session lives in a worker thread of its own, so that the members of one
 * ensemble request run at the same time.
 *
 * Why: onnxruntime-node runs `InferenceSession.run` synchronously on the calling thread, so members
 * loaded in one thread run one after another however their promises are awaited. `loadCtcModelInWorker`
 * returns a `CtcModel` to which the calling thread sends either features it computed (`runFeatures`: features
 * shared between members with the same front end are computed once, cheaper than in every worker) or the samples
 * (`run`: the worker computes the front end; `runMembers` does so for a member alone with its front end, so that the
 * calling thread goes on to the next front end sooner); the worker runs the session and sends the posteriors back
 * (the buffer is transferred, not copied). `Ensemble.load(dir, { loadModel: (d) => loadCtcModelInWorker(d) })` and
 * `buildEnsemble(yaml, { loadModel })` then overlap the members of each utterance. Results are the
 * same as in-thread models with the same session settings: the same session, the same inputs.
 *
 * The worker script is the compiled `member-worker.js` next to this module (`memberWorkersAvailable()`);
 * running the TypeScript sources directly, callers load models in-thread instead.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { RUNTIME_DEFAULTS } from '../defaults.js';
import { computeModelFeatures, loadCtcModel, type LoadModelOptions } from '../models/load.js';
import type { CtcModel, FrontEndConfig, Logprobs, ModelFeatures, ModelLayout, TokenizerInfo } from '../models/types.js';
import { launchWorker, toError, type PostedError } from './worker-launch.js';

export interface MemberWorkerData {
  dir: string;
  options: LoadModelOptions;
}

export interface MemberInfo {
  dir: string;
  layout: ModelLayout;
  vocabulary: string[];
  blankId: number;
  tokenizer: TokenizerInfo;
  frontEnd: FrontEndConfig;
  onnxFile: string;
  frameSamples?: number;
  minSamples?: number;
}

export type MemberWorkerRequest =
  | { type: 'run'; id: number; features: ModelFeatures; temperature: number }
  | { type: 'runSamples'; id: number; samples: Float32Array; temperature: number }
  | { type: 'close' };

export type MemberWorkerReply =
  { type: 'ready'; info: MemberInfo } | { type: 'result'; id: number; logprobs: Logprobs } | { type: 'error'; id: number; error: PostedError };

const workerUrl = new URL('./member-worker.js', import.meta.url);

/** True when the compiled worker script exists (running from dist/). */
export function memberWorkersAvailable(): boolean {
  return workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl));
}

/**
 * Whether members should run on worker threads: 'on'/'off' as given. 'auto' (`RUNTIME_DEFAULTS.parallelMembers`):
 * when cores allow — ≥ 2 CPUs with at least one idle (1-minute load average ≤ CPUs − 1; on a saturated machine
 * more threads only add switching) — for ≥ 2 members and, when the caller knows it, ≥ `MIN_UTTERANCES`
 * utterances (starting the workers costs about a second, more than they save on a file or two). Always
 * false without the compiled worker script.
 */
export function useMemberWorkers(
  setting: 'auto' | 'on' | 'off' = RUNTIME_DEFAULTS.parallelMembers,
  work: { members?: number; utterances?: number } = {},
): boolean {
  if (!memberWorkersAvailable() || setting === 'off') return false;
  if (setting === 'on') return true;
  const cpus = os.availableParallelism();
  return cpus >= 2 && os.loadavg()[0] <= cpus - 1 && (work.members ?? 2) >= 2 && (work.utterances ?? Infinity) >= MIN_UTTERANCES;
}

/** Fewest utterances for which 'auto' starts member workers. */
export const MIN_UTTERANCES = 4;

class WorkerCtcModel implements CtcModel {
  readonly dir: string;
  readonly layout: ModelLayout;
  readonly vocabulary: readonly string[];
  readonly blankId: number;
  readonly vocabSize: number;
  readonly tokenizer: TokenizerInfo;
  readonly frontEnd: FrontEndConfig;
  readonly onnxFile: string;
  readonly frameSamples?: number;
  readonly minSamples?: number;
  private readonly pending = new Map<number, { resolve: (lp: Logprobs) => void; reject: (e: unknown) => void }>();
  private nextId = 1;
  private dead: Error | null = null;
  private closing = false;

  constructor(
    private readonly worker: Worker,
    info: MemberInfo,
  ) {
    this.dir = info.dir;
    this.layout = info.layout;
    this.vocabulary = info.vocabulary;
    this.blankId = info.blankId;
    this.vocabSize = info.vocabulary.length;
    this.tokenizer = info.tokenizer;
    this.frontEnd = info.frontEnd;
    this.onnxFile = info.onnxFile;
    this.frameSamples = info.frameSamples;
    this.minSamples = info.minSamples;
    worker.on('message', (m: MemberWorkerReply) => {
      if (m.type !== 'result' && m.type !== 'error') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.type === 'result') p.resolve(m.logprobs);
      else p.reject(toError(m.error));
    });
    const died = (e: Error): void => {
      if (this.dead) return;
      this.dead = this.closing ? new Error('the model was disposed') : new Error(`the worker thread of model ${this.dir} died (${e.message})`);
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`exit code ${code}`)));
  }

  /** `run` computes the front end in the worker: the calling thread only copies the samples. */
  readonly frontEndOffThread = true;

  computeFeatures(samples: Float32Array): ModelFeatures {
    return computeModelFeatures(this.frontEnd, samples);
  }

  run(samples: Float32Array, options: { temperature?: number } = {}): Promise<Logprobs> {
    // Posting a view copies its whole buffer: a segment or prefix of longer audio goes as a copy of its own.
    const own = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength ? samples : samples.slice();
    return this.call((id) => ({ type: 'runSamples', id, samples: own, temperature: options.temperature ?? 1 }));
  }

  runFeatures(features: ModelFeatures, options: { temperature?: number } = {}): Promise<Logprobs> {
    return this.call((id) => ({ type: 'run', id, features, temperature: options.temperature ?? 1 }));
  }

  private call(request: (id: number) => MemberWorkerRequest): Promise<Logprobs> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(request(id));
    });
  }

  async dispose(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.dead) return;
    await new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ type: 'close' } satisfies MemberWorkerRequest);
      setTimeout(() => void this.worker.terminate(), 5000).unref();
    });
  }
}

/**
 * Load a model folder (as `loadCtcModel`) with its ONNX session in a new worker thread. Without the
 * compiled worker script (`memberWorkersAvailable()` false) it loads the model in this thread.
 */
export async function loadCtcModelInWorker(dir: string, options: LoadModelOptions = {}): Promise<CtcModel> {
  if (!memberWorkersAvailable()) return loadCtcModel(dir, options);
  return launchWorker<MemberWorkerReply, CtcModel>(
    workerUrl,
    { dir, options } satisfies MemberWorkerData,
    (worker, m) => new WorkerCtcModel(worker, m.info),
    (code) => `model worker exited with code ${code} while loading ${dir}`,
  );
}
