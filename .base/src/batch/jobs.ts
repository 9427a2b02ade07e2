/**
 * Batch jobs: one BullMQ job per manifest entry, on one queue shared by every batch (a batch is the job name).
 *
 * Idempotent submission: a job's id is a hash of the batch name, the entry's identity (audio path or URL,
 * `offset`, `duration`), the transcription options and the ensemble identity, so submitting the same manifest
 * again finds every job already there (queued, running, done or failed) and adds none (BullMQ never adds a
 * second job with an existing id, and finished jobs are kept until the batch is removed). Two identical lines
 * of one manifest are one job and one result line.
 *
 * Our own keys, beside BullMQ's under `PREFIX:QUEUE:`: `batch:NAME:order` (job ids in manifest order, each once),
 * `batch:NAME:ids` (id → position, for the once), `batch:NAME:meta` (ensemble, options, manifest, time).
 * The job carries the path or URL of its audio, never the bytes, unless `embedAudio` asks for them.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Manifest, ManifestEntry } from '../ensemble/manifest.js';
import { checkAudioFiles } from '../ensemble/manifest.js';
import type { RecordEntry } from '../ensemble/records.js';
import type { TranscribeOptions } from '../ensemble/types.js';
import { UserError } from '../util/errors.js';
import { BATCH_DEFAULTS } from './defaults.js';

export const JOB_SCHEMA_VERSION = 1;

/** Options a job passes unchanged to the shared transcription step (`transcribeEntry`). */
export type JobTranscribeOptions = Omit<TranscribeOptions, 'sampleRate' | 'source'> & Record<string, unknown>;

/** What one job carries. */
export interface BatchJobData extends RecordEntry {
  v: typeof JOB_SCHEMA_VERSION;
  batch: string;
  /** Absolute path on storage the workers share, or an `http(s)://` URL. */
  audio: string;
  /** `offset` of the manifest line (part of the entry's identity), null when absent. */
  offset: number | null;
  /** 1-based manifest line, for messages. */
  line: number;
  options: JobTranscribeOptions;
  /** `ensembleIdentity()` of the ensemble it was submitted for. */
  ensembleId: string;
  /** The audio file's bytes (base64), only with `embedAudio`. */
  audioBase64?: string;
}

export interface BatchMeta {
  name: string;
  ensembleId: string;
  ensembleDir: string;
  options: JobTranscribeOptions;
  manifest: string;
  createdAt: string;
}

export interface QueueRef {
  /** BullMQ queue name. */
  queue: string;
  prefix?: string;
}

export function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** Batch names become Redis keys and job names: keep them plain. */
export function checkBatchName(name: string | undefined): string {
  if (!name) throw new UserError('--name JOB is required (the batch name: letters, digits, ".", "_", "-")', { code: 'E_BATCH_NAME' });
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new UserError(`--name must be 1-100 letters, digits, ".", "_" or "-" (starting with a letter or digit), got ${JSON.stringify(name)}`, {
      code: 'E_BATCH_NAME',
    });
  }
  return name;
}

/** Our keys of batch `name`. */
export function batchKeys(ref: QueueRef, name: string): { order: string; ids: string; meta: string } {
  const base = `${ref.prefix ?? BATCH_DEFAULTS.prefix}:${ref.queue}:batch:${name}`;
  return { order: `${base}:order`, ids: `${base}:ids`, meta: `${base}:meta` };
}

/** BullMQ's key of a job's hash and of its state sets. */
export function bullKey(ref: QueueRef, suffix: string): string {
  return `${ref.prefix ?? BATCH_DEFAULTS.prefix}:${ref.queue}:${suffix}`;
}

/** Options with keys sorted and undefined values dropped, so equal options hash equally. */
export function canonicalOptions(options: Record<string, unknown>): JobTranscribeOptions {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(options).sort()) if (options[k] !== undefined && options[k] !== false) out[k] = options[k];
  return out as JobTranscribeOptions;
}

/** Deterministic job id of a manifest entry in a batch (BullMQ ids must not be integers or contain ':'). */
export function jobIdOf(
  name: string,
  audio: string,
  offset: number | null,
  duration: number | null,
  options: JobTranscribeOptions,
  ensembleId: string,
): string {
  const key = JSON.stringify([name, audio, offset, duration, canonicalOptions(options), ensembleId]);
  return `u${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

function offsetOf(e: ManifestEntry): number | null {
  const o = e.raw.offset;
  if (o === undefined || o === null) return null;
  if (typeof o !== 'number' || !Number.isFinite(o) || o < 0) {
    throw new UserError(`"offset" must be a non-negative number, got ${JSON.stringify(o)}`, { code: 'E_MANIFEST' });
  }
  return o;
}

export function jobDataOf(name: string, e: ManifestEntry, options: JobTranscribeOptions, ensembleId: string): BatchJobData {
  return {
    v: JOB_SCHEMA_VERSION,
    batch: name,
    audio: isUrl(e.audioFilepath) ? e.audioFilepath : e.audioPath,
    audioFilepath: e.audioFilepath,
    duration: e.duration,
    offset: offsetOf(e),
    text: e.text,
    raw: e.raw,
    line: e.line,
    options,
    ensembleId,
  };
}

/** Register ids in the batch's order, each once (atomic per call). Returns how many were new. */
const REGISTER_LUA = `
local n = 0
local base = redis.call('LLEN', KEYS[2])
for i, id in ipairs(ARGV) do
  if redis.call('HSETNX', KEYS[1], id, base + n) == 1 then
    redis.call('RPUSH', KEYS[2], id)
    n = n + 1
  end
end
return n`;

/** BullMQ options of every batch job: retries with exponential backoff; finished jobs are kept (they are the results). */
export function jobOptions(attempts?: number, backoffMs?: number) {
  return {
    attempts: attempts ?? BATCH_DEFAULTS.attempts,
    backoff: { type: 'exponential', delay: backoffMs ?? BATCH_DEFAULTS.backoffMs },
    removeOnComplete: false,
    removeOnFail: false,
  } as const;
}

/** Record the batch's ensemble and options on first submission; later submissions must match them. */
export async function ensureBatchMeta(redis: Redis, ref: QueueRef, meta: BatchMeta): Promise<void> {
  const key = batchKeys(ref, meta.name).meta;
  const options = JSON.stringify(meta.options);
  const before = await redis.hgetall(key);
  if (before.ensembleId === undefined) {
    await redis.hset(key, { ...meta, options });
    return;
  }
  if (before.ensembleId !== meta.ensembleId) {
    throw new UserError(
      `batch "${meta.name}" was submitted for ensemble ${before.ensembleId} (${before.ensembleDir}); this ensemble is ${meta.ensembleId}: use another --name so the results of two ensembles do not mix`,
      { code: 'E_BATCH_ENSEMBLE' },
    );
  }
  if (before.options !== options) {
    throw new UserError(`batch "${meta.name}" was submitted with options ${before.options}; these are ${options}: use another --name`, {
      code: 'E_BATCH_OPTIONS',
    });
  }
}

/** Put job ids in the batch's order (each once); returns, per id, whether its job already exists. */
export async function registerJobs(redis: Redis, ref: QueueRef, name: string, ids: string[]): Promise<boolean[]> {
  const keys = batchKeys(ref, name);
  await redis.eval(REGISTER_LUA, 2, keys.ids, keys.order, ...ids);
  const pipe = redis.pipeline();
  for (const id of ids) pipe.exists(bullKey(ref, id));
  return ((await pipe.exec()) ?? []).map(([err, v]) => !err && Number(v) === 1);
}

export interface SubmitOptions extends QueueRef {
  redis: Redis;
  /** BullMQ connection options for the queue. */
  connection: Record<string, unknown>;
  name: string;
  ensembleId: string;
  ensembleDir: string;
  options: JobTranscribeOptions;
  attempts?: number;
  backoffMs?: number;
  /** Check that local audio files exist before submitting (default true; off when workers see other storage). */
  checkAudio?: boolean;
  /** Put each file's bytes into its job (when workers cannot read the submitter's storage). */
  embedAudio?: boolean;
  maxEmbedBytes?: number;
  onChunk?: (done: number) => void;
}

export interface SubmitResult {
  entries: number;
  /** Jobs added now. */
  added: number;
  /** Jobs that were already queued, running, done or failed. */
  existing: number;
  /** Distinct jobs (identical manifest lines are one). */
  jobs: number;
}

/** Enqueue every entry of `manifest` as batch `name` (idempotent; see the module header). */
export async function submitBatch(manifest: Manifest, o: SubmitOptions): Promise<SubmitResult> {
  const name = checkBatchName(o.name);
  const options = canonicalOptions(o.options);
  if (o.checkAudio !== false) {
    checkAudioFiles({ ...manifest, entries: manifest.entries.filter((e) => !isUrl(e.audioFilepath)) });
  }
  if (o.embedAudio && manifest.entries.some((e) => isUrl(e.audioFilepath))) {
    throw new UserError('--embed-audio works with local files only; the manifest has http(s) URLs (workers fetch those themselves)', {
      source: manifest.file,
      code: 'E_BATCH_EMBED',
    });
  }
  await ensureBatchMeta(o.redis, o, {
    name,
    ensembleId: o.ensembleId,
    ensembleDir: o.ensembleDir,
    options,
    manifest: manifest.file,
    createdAt: new Date().toISOString(),
  });
  const queue = new Queue(o.queue, { connection: o.connection, prefix: o.prefix ?? BATCH_DEFAULTS.prefix });
  queue.on('error', () => undefined);
  const jobOpts = jobOptions(o.attempts, o.backoffMs);
  const maxEmbed = o.maxEmbedBytes ?? BATCH_DEFAULTS.maxEmbedMb * 1024 * 1024;
  let added = 0;
  let existing = 0;
  const seen = new Set<string>();
  try {
    const chunk = BATCH_DEFAULTS.scanChunk;
    for (let start = 0; start < manifest.entries.length; start += chunk) {
      const part: Array<{ id: string; data: BatchJobData }> = [];
      for (const e of manifest.entries.slice(start, start + chunk)) {
        let data: BatchJobData;
        try {
          data = jobDataOf(name, e, options, o.ensembleId);
        } catch (err) {
          throw err instanceof UserError ? new UserError((err as Error).message, { source: `${manifest.file}:${e.line}`, code: err.code }) : err;
        }
        const id = jobIdOf(name, data.audio, data.offset, data.duration, options, o.ensembleId);
        if (seen.has(id)) continue;
        seen.add(id);
        part.push({ id, data });
      }
      if (part.length === 0) continue;
      const exists = await registerJobs(
        o.redis,
        o,
        name,
        part.map((p) => p.id),
      );
      const fresh = part.filter((_, i) => !exists[i]);
      existing += part.length - fresh.length;
      if (o.embedAudio) {
        for (const p of fresh) {
          const st = await fs.stat(p.data.audio);
          if (st.size > maxEmbed) {
            throw new UserError(`${st.size} bytes is over the --embed-audio limit of ${maxEmbed} bytes`, {
              source: `${manifest.file}:${p.data.line}`,
              code: 'E_BATCH_EMBED',
            });
          }
          p.data.audioBase64 = (await fs.readFile(p.data.audio)).toString('base64');
        }
      }
      if (fresh.length > 0) {
        await queue.addBulk(fresh.map((p) => ({ name, data: p.data, opts: { ...jobOpts, jobId: p.id } })));
        added += fresh.length;
      }
      o.onChunk?.(Math.min(manifest.entries.length, start + chunk));
    }
  } finally {
    await queue.close();
  }
  return { entries: manifest.entries.length, added, existing, jobs: seen.size };
}
