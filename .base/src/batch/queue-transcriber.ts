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
import type { Redis } from 'ioredis';
import { readEnsembleJson } from '../ensemble/format.js';
import type { EnsembleMemberInfo, EnsembleResult, MemberTranscript, TranscribeOptions } from '../ensemble/types.js';
import { UserError } from '../util/errors.js';
import { commandConnection, connectRedis } from './connection.js';
import { BATCH_DEFAULTS } from './defaults.js';
import { ensembleIdentity } from './identity.js';
import {
  canonicalOptions,
  checkBatchName,
  ensureBatchMeta,
  jobIdOf,
  jobOptions,
  JOB_SCHEMA_VERSION,
  registerJobs,
  type BatchJobData,
  type JobTranscribeOptions,
} from './jobs.js';

export interface QueueTranscriberOptions {
  redisUrl: string;
  ensembleDir: string;
  queue?: string;
  /** Batch name stem (default `eval-` + the first 8 digits of the ensemble identity). */
  name?: string;
}

export class QueueTranscriber {
  private readonly metaDone = new Map<string, Promise<void>>();

  private constructor(
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly infos: EnsembleMemberInfo[],
    readonly ensembleId: string,
    private readonly ensembleDir: string,
    readonly name: string,
  ) {}

  static async open(o: QueueTranscriberOptions): Promise<QueueTranscriber> {
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
    const infos: EnsembleMemberInfo[] = json.models.map((m) => ({
      name: m.name,
      layout: m.layout,
      vocabSize: m.vocabSize,
      blankId: m.blankId,
      vocabulary: [],
      lm: m.lm ? { path: m.lm.path, alpha: m.lm.alpha, beta: m.lm.beta } : null,
    }));
    return new QueueTranscriber(redis, queue, events, infos, ensembleId, o.ensembleDir, name);
  }

  members(): EnsembleMemberInfo[] {
    return this.infos;
  }

  /** The batch names this transcriber has used (for `ensemble batch status`). */
  batches(): string[] {
    return [...this.metaDone.keys()];
  }

  async transcribe(audio: string, options: TranscribeOptions = {}): Promise<EnsembleResult> {
    if (options.earlyRouteSeconds !== undefined && options.earlyRouteSeconds > 0) {
      // Batch jobs route on whole inputs (their options are lm/all/beam); silently routing fully would misreport.
      throw new UserError('early routing is not available through the batch queue (--redis): evaluate it without --redis', { code: 'E_USAGE' });
    }
    const opts: JobTranscribeOptions = canonicalOptions({ lm: options.lm, all: options.all, beam: options.beam });
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
    const data: BatchJobData = {
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
    if (!job) throw new Error(`job ${id} vanished from the queue`);
    let rec: Record<string, unknown>;
    try {
      rec = (await job.waitUntilFinished(this.events)) as Record<string, unknown>;
    } catch (e) {
      throw new UserError(`${audio}: ${(e as Error).message}`, { code: 'E_BATCH_JOB_FAILED' });
    }
    const names = this.infos.map((m) => m.name);
    // A manifest record: the prediction in pred_text, ours under `ensemble` (ensemble/records.ts).
    const text = rec.pred_text;
    rec = (rec.ensemble ?? {}) as Record<string, unknown>;
    const result: EnsembleResult = {
      text: String(text),
      model: String(rec.model),
      modelIndex: names.indexOf(String(rec.model)),
      probabilities: rec.probabilities as Record<string, number>,
      confidences: rec.confidences as Record<string, number>,
      audioSeconds: Number(rec.audioSeconds),
      timingsMs: rec.timingsMs as Record<string, number>,
      decoding: rec.decoding === 'lm' ? 'lm' : 'greedy',
    };
    if (Array.isArray(rec.transcripts)) result.transcripts = rec.transcripts as MemberTranscript[];
    return result;
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }
}
