/**
 * A transcriber whose `transcribe` runs on the batch queue: each call becomes a job (same deterministic id,
 * data and worker step as `ensemble batch submit`) and resolves with the worker's result. `ensemble eval --redis`
 * hands it to `evaluate`, so a large evaluation uses every worker on every machine; with as many calls in flight
 * as the workers can take, the queue stays full.
 *
 * Calls with different options (eval's greedy and LM passes) go to two batches, `NAME.greedy` and `NAME.lm`, so
 * `ensemble batch status` shows each pass. Finished jobs are kept, so running the same evaluation again reuses
 * their results instead of recomputing them (a batch name is tied to one ensemble identity, as for submit).
 */
import { Queue, QueueEvents } from 'bullmq';
import { readEnsembleJson } from '../ensemble/format.js';
import { UserError } from '../util/errors.js';
import { commandConnection, connectRedis } from './connection.js';
import { BATCH_DEFAULTS } from './defaults.js';
import { ensembleIdentity } from './identity.js';
import { canonicalOptions, checkBatchName, ensureBatchMeta, jobIdOf, jobOptions, JOB_SCHEMA_VERSION, registerJobs, } from './jobs.js';
export class QueueTranscriber {
    redis;
    queue;
    events;
    infos;
    ensembleId;
    ensembleDir;
    name;
    metaDone = new Map();
    constructor(redis, queue, events, infos, ensembleId, ensembleDir, name) {
        this.redis = redis;
        this.queue = queue;
        this.events = events;
        this.infos = infos;
        this.ensembleId = ensembleId;
        this.ensembleDir = ensembleDir;
        this.name = name;
    }
    static async open(o) {
        const { json } = await readEnsembleJson(o.ensembleDir);
        const ensembleId = await ensembleIdentity(o.ensembleDir);
        const name = checkBatchName(o.name ?? `eval-${ensembleId.slice(0, 8)}`);
        const redis = await connectRedis(o.redisUrl);
        const queueName = o.queue ?? BATCH_DEFAULTS.queue;
        const queue = new Queue(queueName, { connection: commandConnection(o.redisUrl), prefix: BATCH_DEFAULTS.prefix });
        const events = new QueueEvents(queueName, { connection: { url: o.redisUrl, maxRetriesPerRequest: null }, prefix: BATCH_DEFAULTS.prefix });
        queue.on('error', () => undefined);
        events.on('error', () => undefined);
        await events.waitUntilReady();
        const infos = json.models.map((m) => ({
            name: m.name,
            layout: m.layout,
            vocabSize: m.vocabSize,
            blankId: m.blankId,
            vocabulary: [],
            lm: m.lm ? { path: m.lm.path, alpha: m.lm.alpha, beta: m.lm.beta } : null,
        }));
        return new QueueTranscriber(redis, queue, events, infos, ensembleId, o.ensembleDir, name);
    }
    members() {
        return this.infos;
    }
    /** The batch names this transcriber has used (for `ensemble batch status`). */
    batches() {
        return [...this.metaDone.keys()];
    }
    async transcribe(audio, options = {}) {
        if (options.earlyRouteSeconds !== undefined && options.earlyRouteSeconds > 0) {
            // Batch jobs route on whole inputs (their options are lm/all/beam); silently routing fully would misreport.
            throw new UserError('early routing is not available through the batch queue (--redis): evaluate it without --redis', { code: 'E_USAGE' });
        }
        const opts = canonicalOptions({ lm: options.lm, all: options.all, beam: options.beam });
        // A NeMo manifest span travels in the job as it does for `batch submit`; the worker reads only that span.
        const offset = options.offsetSeconds ?? null;
        const duration = offset !== null ? (options.durationSeconds ?? null) : null;
        const name = `${this.name}.${opts.lm ? 'lm' : 'greedy'}`;
        const ref = { queue: this.queue.name };
        let meta = this.metaDone.get(name);
        if (!meta) {
            meta = ensureBatchMeta(this.redis, ref, {
                name,
                ensembleId: this.ensembleId,
                ensembleDir: this.ensembleDir,
                options: opts,
                manifest: '(ensemble eval)',
                createdAt: new Date().toISOString(),
            });
            this.metaDone.set(name, meta);
        }
        await meta;
        const id = jobIdOf(name, audio, offset, duration, opts, this.ensembleId);
        const data = {
            v: JOB_SCHEMA_VERSION,
            batch: name,
            audio,
            audioFilepath: audio,
            duration,
            offset,
            text: null,
            line: 0,
            options: opts,
            ensembleId: this.ensembleId,
        };
        const [exists] = await registerJobs(this.redis, ref, name, [id]);
        const job = exists ? await this.queue.getJob(id) : await this.queue.add(name, data, { ...jobOptions(), jobId: id });
        if (!job)
            throw new Error(`job ${id} vanished from the queue`);
        let rec;
        try {
            rec = (await job.waitUntilFinished(this.events));
        }
        catch (e) {
            throw new UserError(`${audio}: ${e.message}`, { code: 'E_BATCH_JOB_FAILED' });
        }
        const names = this.infos.map((m) => m.name);
        // A manifest record: the prediction in pred_text, ours under `ensemble` (ensemble/records.ts).
        const text = rec.pred_text;
        rec = (rec.ensemble ?? {});
        const result = {
            text: String(text),
            model: String(rec.model),
            modelIndex: names.indexOf(String(rec.model)),
            probabilities: rec.probabilities,
            confidences: rec.confidences,
            audioSeconds: Number(rec.audioSeconds),
            timingsMs: rec.timingsMs,
            decoding: rec.decoding === 'lm' ? 'lm' : 'greedy',
        };
        if (Array.isArray(rec.transcripts))
            result.transcripts = rec.transcripts;
        return result;
    }
    async dispose() {
        await Promise.allSettled([this.events.close(), this.queue.close()]);
        this.redis.disconnect();
    }
}
//# sourceMappingURL=queue-transcriber.js.map