/**
 * A batch worker: takes jobs from the queue and runs each through the same step as `ensemble infer --manifest`
 * (`transcribeEntry`), so a job's result is exactly the line `infer --manifest` writes for that entry.
 *
 * - The ensemble loads once, in `concurrency` worker threads (each with its own copy, as `serve`), so the
 *   event loop stays free to renew the job locks while ONNX Runtime computes; in this thread when the compiled
 *   worker script is absent (running from the TypeScript sources). Each thread has one more job waiting behind
 *   the one it runs, so no thread idles through the Redis round trip between jobs.
 * - Failures: bad input (a `UserError`: undecodable or missing audio, a URL answering 404, a file over the
 *   download limit) fails the job at once with its message (BullMQ `UnrecoverableError`: no retries wasted);
 *   anything else (a network error, a crashed worker thread) is retried with exponential backoff up to the
 *   job's attempts. No job error stops the worker.
 * - A worker killed mid-job (kill -9, a lost machine) stops renewing its lock; after `lockMs` another worker's
 *   stalled check (every `stalledMs`) puts the job back in the queue and it runs again elsewhere.
 * - Versioning: a job submitted for another ensemble (identity in `identity.ts`) is put back in the queue
 *   untouched and this worker stops taking jobs (`done` resolves with `refused`): a misconfigured worker must
 *   not turn a batch into failures, and the right workers still finish it. Run workers of two ensembles on two
 *   queues (`--queue`).
 */
import os from 'node:os';
import { UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { Ensemble } from '../ensemble/ensemble.js';
import { transcribeEntry } from '../ensemble/records.js';
import { WorkerPoolEnsemble, workerPoolAvailable } from '../runtime/worker-pool.js';
import { isUserError, UserError } from '../util/errors.js';
import { connectRedis, workerConnection } from './connection.js';
import { BATCH_DEFAULTS } from './defaults.js';
import { ensembleIdentity } from './identity.js';
import { isUrl, JOB_SCHEMA_VERSION } from './jobs.js';
/** Download an `http(s)://` entry with a size limit; 4xx answers and oversize bodies are bad input (not retried). */
export async function fetchAudio(url, maxBytes, timeoutMs) {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
        const msg = `${url}: HTTP ${res.status} ${res.statusText}`;
        if (res.status >= 400 && res.status < 500)
            throw new UserError(msg, { code: 'E_AUDIO_FETCH' });
        throw new Error(msg);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes)
        throw new UserError(`${url}: ${declared} bytes is over the download limit of ${maxBytes} bytes`, { code: 'E_AUDIO_FETCH' });
    const chunks = [];
    let size = 0;
    if (res.body) {
        for await (const c of res.body) {
            size += c.length;
            if (size > maxBytes)
                throw new UserError(`${url}: more than the download limit of ${maxBytes} bytes`, { code: 'E_AUDIO_FETCH' });
            chunks.push(c);
        }
    }
    return Buffer.concat(chunks);
}
export class BatchWorker {
    identity;
    transcriber;
    pooled;
    opts;
    worker;
    stopped = null;
    resolveDone;
    /** Resolves when the worker has stopped (closed, or after refusing a job of another ensemble). */
    done;
    closing = null;
    constructor(identity, transcriber, pooled, opts, worker = null) {
        this.identity = identity;
        this.transcriber = transcriber;
        this.pooled = pooled;
        this.opts = opts;
        this.worker = worker;
        this.done = new Promise((r) => (this.resolveDone = r));
    }
    /** Load the ensemble, then start taking jobs. */
    static async start(opts) {
        const concurrency = opts.concurrency ?? BATCH_DEFAULTS.concurrency;
        // fail fast on a wrong URL; once running, the worker rides out Redis restarts (it reconnects)
        (await connectRedis(opts.redisUrl)).disconnect();
        const identity = await ensembleIdentity(opts.ensembleDir);
        const pooled = workerPoolAvailable();
        const transcriber = pooled ? await WorkerPoolEnsemble.start(opts.ensembleDir, { workers: concurrency }) : await Ensemble.load(opts.ensembleDir);
        const w = new BatchWorker(identity, transcriber, pooled, opts);
        w.worker = new Worker(opts.queue ?? BATCH_DEFAULTS.queue, (job, token) => w.process(job, token), {
            connection: workerConnection(opts.redisUrl),
            prefix: opts.prefix ?? BATCH_DEFAULTS.prefix,
            // with threads, one job queued per thread behind the running one (BATCH_DEFAULTS.prefetchPerThread)
            concurrency: pooled ? concurrency * (1 + BATCH_DEFAULTS.prefetchPerThread) : concurrency,
            lockDuration: opts.lockMs ?? BATCH_DEFAULTS.lockMs,
            stalledInterval: opts.stalledMs ?? BATCH_DEFAULTS.stalledMs,
            maxStalledCount: opts.maxStalled ?? BATCH_DEFAULTS.maxStalled,
            name: `ctc-ensemble-${os.hostname().replace(/[^A-Za-z0-9._-]/g, '_')}-${process.pid}`,
        });
        const log = opts.log ?? (() => undefined);
        w.worker.on('active', (job) => log({ msg: 'job started', job: job.id, batch: job.name, audio: job.data.audioFilepath }));
        w.worker.on('completed', (job) => log({ msg: 'job completed', job: job.id, batch: job.name, audio: job.data.audioFilepath }));
        w.worker.on('failed', (job, err) => {
            if (!job || err.name === 'WaitingError')
                return;
            const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
            log({
                msg: final ? 'job failed' : 'job will be retried',
                job: job.id,
                batch: job.name,
                audio: job.data.audioFilepath,
                error: err.message,
                attempts: job.attemptsMade,
            });
        });
        w.worker.on('stalled', (id) => log({ msg: 'stalled job handed on', job: id }));
        w.worker.on('error', (err) => log({ msg: 'queue error', error: err.message }));
        await w.worker.waitUntilReady();
        log({
            msg: 'worker ready',
            ensemble: identity,
            dir: opts.ensembleDir,
            concurrency,
            threads: pooled ? concurrency : 0,
            queue: opts.queue ?? BATCH_DEFAULTS.queue,
        });
        return w;
    }
    async process(job, token) {
        const d = job.data;
        if (!d || d.v !== JOB_SCHEMA_VERSION || typeof d.audio !== 'string') {
            throw new UnrecoverableError(`job ${job.id}: not a ctc-ensemble batch job of schema ${JOB_SCHEMA_VERSION}`);
        }
        if (d.ensembleId !== this.identity) {
            await job.moveToWait(token);
            const message = `job ${job.id} (batch "${d.batch}", ${d.audioFilepath}) was submitted for ensemble ${d.ensembleId}, ` +
                `but this worker has ensemble ${this.identity} (${this.opts.ensembleDir}); put the job back and stopped taking jobs`;
            this.stopAfter({ reason: 'refused', message });
            throw new WaitingError();
        }
        try {
            const audio = d.audioBase64 !== undefined
                ? Buffer.from(d.audioBase64, 'base64')
                : isUrl(d.audio)
                    ? await fetchAudio(d.audio, this.opts.maxFetchBytes ?? BATCH_DEFAULTS.maxFetchMb * 1024 * 1024, this.opts.fetchTimeoutMs ?? BATCH_DEFAULTS.fetchTimeoutMs)
                    : d.audio;
            const options = typeof audio === 'string' ? d.options : { ...d.options, source: d.audioFilepath };
            return await transcribeEntry(this.transcriber, d, audio, options);
        }
        catch (e) {
            if (isUserError(e))
                throw new UnrecoverableError(e.message);
            throw e;
        }
    }
    stopAfter(s) {
        if (this.stopped)
            return;
        this.stopped = s;
        // not awaited here: closing waits for the job that is refusing now
        setImmediate(() => void this.close());
    }
    /** Finish the jobs in flight, then stop (SIGTERM). */
    close() {
        this.closing ??= (async () => {
            this.stopped ??= { reason: 'closed' };
            try {
                await this.worker?.close();
            }
            finally {
                await this.transcriber.dispose();
                this.resolveDone(this.stopped);
            }
        })();
        return this.closing;
    }
    /** Stop at once without waiting for jobs in flight (their locks expire and other workers take them). */
    async kill() {
        this.stopped ??= { reason: 'closed' };
        await this.worker?.close(true);
        await this.transcriber.dispose();
        this.resolveDone(this.stopped);
    }
}
//# sourceMappingURL=worker.js.map