/**
 * Redis connections of the batch queue. `--redis URL` is `redis://[user:password@]host:port[/db]` (or `rediss://`
 * with TLS). Commands that talk to Redis once (submit, status, collect) fail fast with one clear error when it
 * cannot be reached; workers keep reconnecting (BullMQ's requirement: `maxRetriesPerRequest: null`).
 */
import { Redis } from 'ioredis';
import { UserError } from '../util/errors.js';

/** Check `--redis` and return it normalised. */
export function parseRedisUrl(raw: string | undefined, option = '--redis'): string {
  if (!raw) throw new UserError(`${option} URL is required (e.g. redis://127.0.0.1:6379)`, { code: 'E_REDIS_URL' });
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UserError(`${option} must be a URL like redis://host:6379, got ${JSON.stringify(raw)}`, { code: 'E_REDIS_URL' });
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UserError(`${option} must start with redis:// or rediss://, got ${JSON.stringify(raw)}`, { code: 'E_REDIS_URL' });
  }
  return u.toString();
}

/** The URL without a password, for messages and logs. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** BullMQ connection options of a long-running worker (reconnects forever). */
export function workerConnection(url: string): { url: string; maxRetriesPerRequest: null } {
  return { url, maxRetriesPerRequest: null };
}

/** BullMQ connection options of a short command (a request fails instead of waiting for Redis forever). */
export function commandConnection(url: string): { url: string; maxRetriesPerRequest: number; connectTimeout: number } {
  return { url, maxRetriesPerRequest: 2, connectTimeout: 5000 };
}

/** A plain client for our own bookkeeping keys; resolves once Redis answers, else one UserError naming the URL. */
export async function connectRedis(url: string): Promise<Redis> {
  const client = new Redis(url, {
    maxRetriesPerRequest: 2,
    connectTimeout: 5000,
    lazyConnect: true,
    retryStrategy: (times) => (times > 3 ? null : 200 * times),
  });
  let lastError: Error | null = null;
  client.on('error', (e: Error) => (lastError = e)); // the cause, reported with the failed command below
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    const why = (lastError as Error | null)?.message ?? (e as Error).message;
    throw new UserError(`cannot reach Redis at ${redactUrl(url)}: ${why}`, { code: 'E_REDIS_CONNECT', cause: e });
  }
  return client;
}
