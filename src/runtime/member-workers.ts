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
 * The runs of all member workers of this thread are scheduled on the cores (`RunSlots`, `memberRunSlots`): longest
 * first, one per core, a run more only where sharing the cores is predicted to end sooner.
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
  | { type: 'ready'; info: MemberInfo }
  /** `costMs`: what the run cost in core-ms, as the worker measured it (its thread's CPU time where the OS tells it). */
  | { type: 'result'; id: number; logprobs: Logprobs; costMs?: number }
  | { type: 'error'; id: number; error: PostedError };

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

/** One member run, asked for or started. */
interface SlotRun {
  start: (run: SlotRun) => void;
  /** Expected run time on a core of its own (ms), from the model's earlier runs; 0 before its first. */
  cost: number;
  /** Runs asked for in the same turn of the event loop share a group. */
  group: number;
  /** Core-ms done so far (wall time while it had a core to itself, less while runs shared the cores). */
  done: number;
}

/**
 * Member runs executing at once in member workers of this thread, and those waiting. At most one run per core
 * (`limit`), chosen longest first: runs asked for in the same turn of the event loop form a group, older groups go
 * first (a request is not overtaken by a later one), and within a group the longest expected run starts first so
 * that the shorter ones fill in beside it. One run beyond the limit starts when, as predicted from the runs' expected
 * times, sharing the cores by time slices ends them no later than waiting for a core would (`sharingEndsSooner`).
 *
 * Why: onnxruntime-node runs each session on its worker's thread and the OS places the threads on the cores as it
 * sees fit: with every member started at once, whether the longest one gets a core of its own is luck (production-
 * size members, `training/scale_members.py`, en and vi 31 ms and digits 59 ms on a 3 s file: 62–66 ms when it does,
 * 76–86 when it shares; `bench/member-schedule.mjs`). Against the sequential ensemble: 0.54–0.58 scheduled, 0.61–0.65
 * at once (`BENCH_RUNTIME=scaled npm run bench -- runtime`). The demo's small members, short next to the shared front
 * end computed before two of them start, tie on paper and start together as before.
 *
 * All but the last free core start a run at once; the last is given out at the end of the turn, when the whole group
 * is known.
 */
export class RunSlots {
  private static readonly cores = Math.max(1, os.availableParallelism());

  constructor(private max = RunSlots.cores) {}

  private readonly running = new Set<SlotRun>();
  private readonly waiting: SlotRun[] = [];
  private group = 0;
  private endOfTurnQueued = false;
  private lastChange = performance.now();

  get limit(): number {
    return this.max;
  }

  set limit(n: number) {
    this.credit();
    this.max = n;
    this.startWaiting();
  }

  /** Runs started and not given back. */
  get started(): number {
    return this.running.size;
  }

  /** `start` now, at the end of this turn or when a core frees; every started run is given back with `release`. */
  acquire(start: (run: SlotRun) => void, cost: number): void {
    const run: SlotRun = { start, cost, group: this.group, done: 0 };
    if (this.running.size < this.max - 1) {
      this.begin(run);
      return;
    }
    this.waiting.push(run);
    if (!this.endOfTurnQueued) {
      this.endOfTurnQueued = true;
      queueMicrotask(() => {
        this.endOfTurnQueued = false;
        this.group++;
        this.startWaiting();
      });
    }
  }

  /** Ends `run`; returns the core-ms it did (its time on a core of its own). */
  release(run: SlotRun): number {
    this.credit();
    this.running.delete(run);
    this.startWaiting();
    return run.done;
  }

  private begin(run: SlotRun): void {
    this.credit();
    this.running.add(run);
    run.start(run);
  }

  /** Credits the running runs with the core time they had since the last change: a core each, or a share of one. */
  private credit(): void {
    const now = performance.now();
    // The machine's cores, not the limit: with every run started at once (limit Infinity) the runs still share them.
    const share = Math.min(1, RunSlots.cores / Math.max(1, this.running.size));
    for (const r of this.running) r.done += (now - this.lastChange) * share;
    this.lastChange = now;
  }

  private startWaiting(): void {
    const w = this.waiting;
    while (w.length > 0) {
      let next = 0;
      for (let i = 1; i < w.length; i++) if (w[i].group < w[next].group || (w[i].group === w[next].group && w[i].cost > w[next].cost)) next = i;
      if (this.running.size >= this.max && !(this.running.size === this.max && this.sharingEndsSooner(w[next]))) return;
      const [run] = w.splice(next, 1);
      this.begin(run);
    }
  }

  /** With every core busy: `sharingEndsSooner` for `run` and the running runs' expected remaining times. */
  private sharingEndsSooner(run: SlotRun): boolean {
    this.credit();
    return sharingEndsSooner(
      [...this.running].map((r) => Math.max(0, r.cost - r.done)),
      run.cost,
      this.max,
    );
  }
}

/**
 * With `cores` runs on as many cores (expected remaining times `running`): whether starting one more run of expected
 * time `cost` now ends all of them no later than starting it when the first running one ends. Sharing L cores among
 * L + 1 runs of remaining times w (processor sharing) ends at max(w) + min(w) / L; waiting ends at
 * max(max(running), min(running) + cost); sharing is chosen up to `RUNTIME_DEFAULTS.memberShareMargin` × the latter
 * + `memberWaitCostMs` (what waiting costs beyond the prediction).
 * Never on one core, where sharing only adds switching.
 */
export function sharingEndsSooner(running: readonly number[], cost: number, cores: number): boolean {
  if (cores < 2 || running.length === 0) return false;
  const all = [...running, cost];
  const waiting = Math.max(Math.max(...running), Math.min(...running) + cost);
  return Math.max(...all) + Math.min(...all) / cores <= waiting * RUNTIME_DEFAULTS.memberShareMargin + RUNTIME_DEFAULTS.memberWaitCostMs;
}

const slots = new RunSlots();

/**
 * The cores member runs of this thread's member workers are scheduled on (initially one per CPU,
 * `os.availableParallelism()`; see `RunSlots`). `n` sets it (a positive integer, or `Infinity`: every run starts at
 * once, the OS sharing the cores); returns the setting.
 */
export function memberRunSlots(n?: number): number {
  if (n !== undefined) {
    if (!(n === Infinity || (Number.isInteger(n) && n >= 1))) throw new RangeError(`memberRunSlots: expected a positive integer or Infinity, got ${n}`);
    slots.limit = n;
  }
  return slots.limit;
}

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
  /** Calls not answered yet: `run` once started (posted to the worker), `samples` the input's length. */
  private readonly pending = new Map<number, { resolve: (lp: Logprobs) => void; reject: (e: unknown) => void; run: SlotRun | null; samples: number }>();
  private nextId = 1;
  /**
   * Core-ms per input sample of this model's runs (exponential average of the last ones, as the worker measured them),
   * for `RunSlots`; 0 before the first.
   */
  private msPerSample = 0;
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
      // Before resolving: the next waiting run is posted before this thread goes on.
      const work = slots.release(p.run!);
      if (m.type === 'result') {
        const ms = (m.costMs ?? work) / Math.max(1, p.samples);
        this.msPerSample = this.msPerSample === 0 ? ms : 0.8 * this.msPerSample + 0.2 * ms;
        p.resolve(m.logprobs);
      } else p.reject(toError(m.error));
    });
    const died = (e: Error): void => {
      if (this.dead) return;
      this.dead = this.closing ? new Error('the model was disposed') : new Error(`the worker thread of model ${this.dir} died (${e.message})`);
      const calls = [...this.pending.values()];
      this.pending.clear(); // calls still waiting for a slot see this when it comes and give it back
      for (const p of calls) p.reject(this.dead);
      for (const p of calls) if (p.run) slots.release(p.run);
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
    return this.call(own.length, (id) => ({ type: 'runSamples', id, samples: own, temperature: options.temperature ?? 1 }));
  }

  runFeatures(features: ModelFeatures, options: { temperature?: number } = {}): Promise<Logprobs> {
    return this.call(features.samples, (id) => ({ type: 'run', id, features, temperature: options.temperature ?? 1 }));
  }

  /** `samples`: the input's length in samples, for the expected run time. */
  private call(samples: number, request: (id: number) => MemberWorkerRequest): Promise<Logprobs> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const call = { resolve, reject, run: null as SlotRun | null, samples };
      this.pending.set(id, call);
      slots.acquire((run) => {
        if (this.pending.get(id) !== call) return void slots.release(run); // the worker died while this call waited
        call.run = run;
        try {
          this.worker.postMessage(request(id));
        } catch (e) {
          this.pending.delete(id);
          slots.release(run);
          reject(e);
        }
      }, this.msPerSample * samples);
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
