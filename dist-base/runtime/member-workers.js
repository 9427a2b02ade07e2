/**
 * A CTC model whose ONNX session lives in a worker thread of its own, so that the members of one
 * ensemble request run at the same time.
 *
 * Why: onnxruntime-node runs `InferenceSession.run` synchronously on the calling thread, so members
 * loaded in one thread run one after another however their promises are awaited. `loadCtcModelInWorker`
 * returns a `CtcModel` that computes the front end in the calling thread (features are shared between
 * members with the same front end, and computing them once is cheaper than in every worker) and sends
 * them to its worker, which runs the session and sends the posteriors back (the buffer is transferred,
 * not copied). `Ensemble.load(dir, { loadModel: (d) => loadCtcModelInWorker(d) })` and
 * `buildEnsemble(yaml, { loadModel })` then overlap the members of each utterance. Results are the
 * same as in-thread models with the same session settings: the same session, the same inputs.
 *
 * The worker script is the compiled `member-worker.js` next to this module (`memberWorkersAvailable()`);
 * running the TypeScript sources directly, callers load models in-thread instead.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { RUNTIME_DEFAULTS } from '../defaults.js';
import { computeModelFeatures, loadCtcModel } from '../models/load.js';
import { launchWorker, toError } from './worker-launch.js';
const workerUrl = new URL('./member-worker.js', import.meta.url);
/** True when the compiled worker script exists (running from dist/). */
export function memberWorkersAvailable() {
    return workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl));
}
/**
 * Whether members should run on worker threads: 'on'/'off' as given. 'auto' (`RUNTIME_DEFAULTS.parallelMembers`):
 * when cores allow — ≥ 2 CPUs with at least one idle (1-minute load average ≤ CPUs − 1; on a saturated machine
 * more threads only add switching) — for ≥ 2 members and, when the caller knows it, ≥ `MIN_UTTERANCES`
 * utterances (starting the workers costs about a second, more than they save on a file or two). Always
 * false without the compiled worker script.
 */
export function useMemberWorkers(setting = RUNTIME_DEFAULTS.parallelMembers, work = {}) {
    if (!memberWorkersAvailable() || setting === 'off')
        return false;
    if (setting === 'on')
        return true;
    const cpus = os.availableParallelism();
    return cpus >= 2 && os.loadavg()[0] <= cpus - 1 && (work.members ?? 2) >= 2 && (work.utterances ?? Infinity) >= MIN_UTTERANCES;
}
/** Fewest utterances for which 'auto' starts member workers. */
export const MIN_UTTERANCES = 4;
class WorkerCtcModel {
    worker;
    dir;
    layout;
    vocabulary;
    blankId;
    vocabSize;
    tokenizer;
    frontEnd;
    onnxFile;
    frameSamples;
    minSamples;
    pending = new Map();
    nextId = 1;
    dead = null;
    closing = false;
    constructor(worker, info) {
        this.worker = worker;
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
        worker.on('message', (m) => {
            if (m.type !== 'result' && m.type !== 'error')
                return;
            const p = this.pending.get(m.id);
            if (!p)
                return;
            this.pending.delete(m.id);
            if (m.type === 'result')
                p.resolve(m.logprobs);
            else
                p.reject(toError(m.error));
        });
        const died = (e) => {
            if (this.dead)
                return;
            this.dead = this.closing ? new Error('the model was disposed') : new Error(`the worker thread of model ${this.dir} died (${e.message})`);
            for (const p of this.pending.values())
                p.reject(this.dead);
            this.pending.clear();
        };
        worker.on('error', died);
        worker.on('exit', (code) => died(new Error(`exit code ${code}`)));
    }
    computeFeatures(samples) {
        return computeModelFeatures(this.frontEnd, samples);
    }
    async run(samples, options = {}) {
        return this.runFeatures(this.computeFeatures(samples), options);
    }
    runFeatures(features, options = {}) {
        if (this.dead)
            return Promise.reject(this.dead);
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject });
            this.worker.postMessage({ type: 'run', id, features, temperature: options.temperature ?? 1 });
        });
    }
    async dispose() {
        if (this.closing)
            return;
        this.closing = true;
        if (this.dead)
            return;
        await new Promise((resolve) => {
            this.worker.once('exit', () => resolve());
            this.worker.postMessage({ type: 'close' });
            setTimeout(() => void this.worker.terminate(), 5000).unref();
        });
    }
}
/**
 * Load a model folder (as `loadCtcModel`) with its ONNX session in a new worker thread. Without the
 * compiled worker script (`memberWorkersAvailable()` false) it loads the model in this thread.
 */
export async function loadCtcModelInWorker(dir, options = {}) {
    if (!memberWorkersAvailable())
        return loadCtcModel(dir, options);
    return launchWorker(workerUrl, { dir, options }, (worker, m) => new WorkerCtcModel(worker, m.info), (code) => `model worker exited with code ${code} while loading ${dir}`);
}
//# sourceMappingURL=member-workers.js.map