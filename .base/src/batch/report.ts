/**
 * What a batch has done: `batchStatus` (counts, rate, ETA) and `collectBatch` (one result line per manifest
 * entry, in manifest order, each exactly once). Both walk the batch's ordered job ids in chunks (one Redis round
 * trip per chunk), so memory stays bounded by the chunk however large the batch.
 *
 * A job's state is read from BullMQ's sets: in `completed` (score = when it finished) it has a result, in
 * `failed` it has its error; anything else is still pending (waiting, delayed for a retry, or running).
 */
import { createWriteStream, promises as fs } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { failedRecord } from '../ensemble/records.js';
import { UserError } from '../util/errors.js';
import { BATCH_DEFAULTS } from './defaults.js';
import { batchKeys, bullKey, checkBatchName, type BatchJobData, type QueueRef } from './jobs.js';

export type EntryState = 'completed' | 'failed' | 'pending' | 'missing';

export interface EntryInfo {
  id: string;
  state: EntryState;
  /** When it finished (ms since the epoch), for completed and failed jobs. */
  finishedOn: number | null;
}

export interface BatchStatus {
  name: string;
  ensembleId: string;
  total: number;
  completed: number;
  failed: number;
  pending: number;
  /** Entries whose job is not in Redis (a submit interrupted between steps): submit again. */
  missing: number;
  /** Jobs running now, queue-wide (all batches). */
  active: number;
  /** Workers connected to the queue. */
  workers: number;
  /** Completed per second over the last `rateWindowSeconds` (or since the first finished, if later). */
  ratePerSecond: number;
  /** Seconds to finish the pending entries at that rate; null when nothing is moving. */
  etaSeconds: number | null;
  /** Audio seconds of the completed entries whose manifest line gave a duration. */
  audioSecondsDone: number;
}

async function meta(redis: Redis, ref: QueueRef, name: string): Promise<Record<string, string>> {
  const m = await redis.hgetall(batchKeys(ref, name).meta);
  if (m.ensembleId === undefined)
    throw new UserError(`no batch named "${name}" on queue "${ref.queue}" (submit it with \`ensemble batch submit\`)`, { code: 'E_BATCH_UNKNOWN' });
  return m;
}

/** Walk the batch in manifest order, `chunk` entries at a time; `fields` are read from each job's hash. */
async function* walk(redis: Redis, ref: QueueRef, name: string, fields: string[]): AsyncGenerator<Array<EntryInfo & { values: Array<string | null> }>> {
  const keys = batchKeys(ref, name);
  const completed = bullKey(ref, 'completed');
  const failed = bullKey(ref, 'failed');
  const chunk = BATCH_DEFAULTS.scanChunk;
  for (let start = 0; ; start += chunk) {
    const ids = await redis.lrange(keys.order, start, start + chunk - 1);
    if (ids.length === 0) return;
    const pipe = redis.pipeline();
    for (const id of ids) {
      pipe.zscore(completed, id);
      pipe.zscore(failed, id);
      pipe.exists(bullKey(ref, id));
      if (fields.length) pipe.hmget(bullKey(ref, id), ...fields);
    }
    const res = (await pipe.exec()) ?? [];
    const per = fields.length ? 4 : 3;
    yield ids.map((id, i) => {
      const at = (k: number): unknown => {
        const [err, v] = res[i * per + k];
        if (err) throw err;
        return v;
      };
      const c = at(0) as string | null;
      const f = at(1) as string | null;
      const exists = Number(at(2)) === 1;
      const state: EntryState = c !== null ? 'completed' : f !== null ? 'failed' : exists ? 'pending' : 'missing';
      return { id, state, finishedOn: c !== null ? Number(c) : f !== null ? Number(f) : null, values: fields.length ? (at(3) as Array<string | null>) : [] };
    });
    if (ids.length < chunk) return;
  }
}

export async function batchStatus(redis: Redis, ref: QueueRef, nameArg: string, now = Date.now()): Promise<BatchStatus> {
  const name = checkBatchName(nameArg);
  const m = await meta(redis, ref, name);
  const s: BatchStatus = {
    name,
    ensembleId: m.ensembleId!,
    total: 0,
    completed: 0,
    failed: 0,
    pending: 0,
    missing: 0,
    active: 0,
    workers: 0,
    ratePerSecond: 0,
    etaSeconds: null,
    audioSecondsDone: 0,
  };
  const windowMs = BATCH_DEFAULTS.rateWindowSeconds * 1000;
  let recent = 0;
  let first = Infinity;
  for await (const part of walk(redis, ref, name, ['data'])) {
    for (const e of part) {
      s.total++;
      s[e.state]++;
      if (e.finishedOn !== null) {
        first = Math.min(first, e.finishedOn);
        if (now - e.finishedOn <= windowMs) recent++;
      }
      if (e.state === 'completed' && e.values[0]) {
        const d = (JSON.parse(e.values[0]) as BatchJobData).duration;
        if (typeof d === 'number') s.audioSecondsDone += d;
      }
    }
  }
  const span = Math.min(windowMs, now - first);
  if (recent > 0 && span > 0) s.ratePerSecond = recent / (span / 1000);
  if (s.pending === 0) s.etaSeconds = 0;
  else if (s.ratePerSecond > 0) s.etaSeconds = s.pending / s.ratePerSecond;
  const pipe = redis.pipeline();
  pipe.llen(bullKey(ref, 'active'));
  pipe.client('LIST');
  const [[, active], [, clients]] = ((await pipe.exec()) ?? []) as Array<[Error | null, unknown]>;
  s.active = Number(active ?? 0);
  // BullMQ names a worker's connection `PREFIX:base64(QUEUE):w:NAME`
  const tag = `${ref.prefix ?? BATCH_DEFAULTS.prefix}:${Buffer.from(ref.queue).toString('base64')}:w:`;
  s.workers = String(clients ?? '')
    .split('\n')
    .filter((l) => l.includes(`name=${tag}`)).length;
  return s;
}

export interface CollectResult {
  total: number;
  completed: number;
  failed: Array<{ line: number | null; audio: string; error: string }>;
  pending: number;
  missing: number;
}

/**
 * Write one JSON line per manifest entry to `out` (temp file, then rename): completed entries exactly as
 * `infer --manifest` writes them, failed ones with their fields and `error`. With pending or missing entries
 * nothing is written unless `partial` (then those lines carry `"error": "pending"` / `"not submitted"`).
 */
export async function collectBatch(redis: Redis, ref: QueueRef, nameArg: string, out: string, options: { partial?: boolean } = {}): Promise<CollectResult> {
  const name = checkBatchName(nameArg);
  await meta(redis, ref, name);
  const r: CollectResult = { total: 0, completed: 0, failed: [], pending: 0, missing: 0 };
  if (!options.partial) {
    for await (const part of walk(redis, ref, name, [])) {
      for (const e of part)
        if (e.state === 'pending') r.pending++;
        else if (e.state === 'missing') r.missing++;
    }
    if (r.pending > 0 || r.missing > 0) return r;
  }
  await fs.mkdir(path.dirname(path.resolve(out)), { recursive: true });
  const tmp = `${out}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const stream = createWriteStream(tmp);
  const write = async (s: string): Promise<void> => {
    if (!stream.write(s)) await once(stream, 'drain');
  };
  r.pending = 0;
  r.missing = 0;
  try {
    for await (const part of walk(redis, ref, name, ['returnvalue', 'failedReason', 'data'])) {
      for (const e of part) {
        r.total++;
        const [ret, reason, dataText] = e.values;
        const data = dataText ? (JSON.parse(dataText) as BatchJobData) : null;
        if (e.state === 'completed' && ret) {
          r.completed++;
          await write(`${ret}\n`);
          continue;
        }
        const entry = data ?? { audioFilepath: `(job ${e.id})`, duration: null, text: null };
        const error = e.state === 'failed' ? (reason ?? 'failed') : e.state === 'pending' ? 'pending' : 'not submitted';
        if (e.state === 'pending') r.pending++;
        else if (e.state === 'missing') r.missing++;
        else r.failed.push({ line: data?.line ?? null, audio: entry.audioFilepath, error });
        await write(`${JSON.stringify(failedRecord(entry, error))}\n`);
      }
    }
    stream.end();
    await once(stream, 'finish');
    await fs.rename(tmp, out);
  } catch (e) {
    stream.destroy();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  return r;
}

/** Move the batch's failed jobs back to the queue (after fixing the audio or starting the right workers). */
export async function retryFailed(redis: Redis, ref: QueueRef, nameArg: string, retry: (id: string) => Promise<void>): Promise<number> {
  const name = checkBatchName(nameArg);
  await meta(redis, ref, name);
  let n = 0;
  for await (const part of walk(redis, ref, name, [])) {
    for (const e of part) {
      if (e.state !== 'failed') continue;
      await retry(e.id);
      n++;
    }
  }
  return n;
}

/** Delete a batch: its jobs (results included) and our keys. Running jobs are left alone (counted in `running`). */
export async function removeBatch(
  redis: Redis,
  ref: QueueRef,
  nameArg: string,
  remove: (id: string) => Promise<boolean>,
): Promise<{ removed: number; running: number }> {
  const name = checkBatchName(nameArg);
  await meta(redis, ref, name);
  let removed = 0;
  let running = 0;
  for await (const part of walk(redis, ref, name, [])) {
    for (const e of part) {
      if (e.state === 'missing') continue;
      if (await remove(e.id)) removed++;
      else running++;
    }
  }
  if (running === 0) {
    const k = batchKeys(ref, name);
    await redis.del(k.order, k.ids, k.meta);
  }
  return { removed, running };
}
