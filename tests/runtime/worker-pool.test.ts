/**
 * WorkerPoolEnsemble with real worker threads (the compiled dist/ build: the worker script is
 * JavaScript). A worker death is injected by terminating its thread, which the pool sees exactly as
 * it sees a native crash: an 'exit' event with the job still outstanding.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/server.js';
import type { WorkerPoolEnsemble, WorkerPoolEvent } from '../../src/runtime/worker-pool.js';
import { ensureBuilt } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';
import { buildTinyEnsemble, toneWav, type TinyEnsemble } from '../helpers/tiny-ensemble.js';

type PoolModule = typeof import('../../src/runtime/worker-pool.js');

let tiny: TinyEnsemble;
let Pool: PoolModule['WorkerPoolEnsemble'];
const open: WorkerPoolEnsemble[] = [];

beforeAll(async () => {
  await ensureBuilt();
  tiny = await buildTinyEnsemble();
  const mod = (await import(pathToFileURL(path.join(repoRoot, 'dist', 'runtime', 'worker-pool.js')).href)) as PoolModule;
  expect(mod.workerPoolAvailable()).toBe(true);
  Pool = mod.WorkerPoolEnsemble;
}, 300_000);

afterAll(async () => {
  await Promise.all(open.map((p) => p.dispose()));
});

async function startPool(workers: number, maxRestarts?: number): Promise<{ pool: WorkerPoolEnsemble; events: WorkerPoolEvent[] }> {
  const events: WorkerPoolEvent[] = [];
  const pool = await Pool.start(tiny.dir, { workers, maxRestarts, onEvent: (e) => events.push(e) });
  open.push(pool);
  return { pool, events };
}

function killWorker(pool: WorkerPoolEnsemble, slot: number): void {
  const w = (pool as unknown as { slots: { worker: Worker | null }[] }).slots[slot].worker;
  if (!w) throw new Error(`slot ${slot} has no worker`);
  void w.terminate();
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 60_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('WorkerPoolEnsemble', () => {
  it('transcribes on every worker', async () => {
    const { pool } = await startPool(2);
    expect([pool.size, pool.liveWorkers()]).toEqual([2, 2]);
    const texts = await Promise.all(['abab', 'cdcd', 'aabb', 'ccdd'].map(async (t) => (await pool.transcribe(toneWav(tiny.fx, t))).text));
    expect(texts).toEqual(['abab', 'cdcd', 'aabb', 'ccdd']);
  });

  it('a worker that dies mid-request fails only that request, is restarted, and the pool carries on', async () => {
    const { pool, events } = await startPool(2);
    const lost = pool.transcribe(toneWav(tiny.fx, 'abababab'));
    killWorker(pool, 0); // slot 0 took the request synchronously
    await expect(lost).rejects.toThrow(/worker thread transcribing this request died.*not completed/);
    expect(events[0]).toMatchObject({ type: 'worker-died', slot: 0, lostRequest: true });
    // The other worker keeps serving while slot 0 reloads.
    expect((await pool.transcribe(toneWav(tiny.fx, 'cd'))).text).toBe('cd');
    await until('the restart', () => events.some((e) => e.type === 'worker-restarted'));
    expect(pool.liveWorkers()).toBe(2);
    const texts = await Promise.all(['ab', 'cd', 'ba'].map(async (t) => (await pool.transcribe(toneWav(tiny.fx, t))).text));
    expect(texts).toEqual(['ab', 'cd', 'ba']);
    // An idle worker's death loses nothing.
    killWorker(pool, 1);
    await until('the second restart', () => events.filter((e) => e.type === 'worker-restarted').length === 2);
    expect(events.filter((e) => e.type === 'worker-died').map((e) => (e as { lostRequest: boolean }).lostRequest)).toEqual([true, false]);
  });

  it('a slot that keeps dying is left down; with every slot down the pool rejects work', async () => {
    const { pool, events } = await startPool(1, 0);
    killWorker(pool, 0);
    await until('the slot going down', () => events.some((e) => e.type === 'worker-down'));
    expect(events.map((e) => e.type)).toEqual(['worker-died', 'worker-down']);
    expect(pool.liveWorkers()).toBe(0);
    await expect(pool.transcribe(toneWav(tiny.fx, 'ab'))).rejects.toThrow(/every worker thread is down/);
  });

  it('the server answers /readyz and transcriptions with 503 while no worker is live, and 200 again after the restart', async () => {
    const { pool, events } = await startPool(1, 1);
    const srv = await startServer(pool, { port: 0, logStream: null, defaultMetrics: false });
    try {
      const post = (t: string) => fetch(`${srv.url}/v1/transcribe`, { method: 'POST', body: toneWav(tiny.fx, t), headers: { 'content-type': 'audio/wav' } });
      expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
      killWorker(pool, 0);
      await until('the death', () => events.length > 0);
      const ready = await fetch(`${srv.url}/readyz`);
      expect([ready.status, ((await ready.json()) as { status: string }).status]).toEqual([503, 'degraded']);
      const busy = await post('ab');
      expect(busy.status).toBe(503);
      expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('E_NOT_READY');
      expect(busy.headers.get('retry-after')).toBe('5');
      await until('the restart', () => events.some((e) => e.type === 'worker-restarted'));
      expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
      const ok = await post('cdc');
      expect([ok.status, ((await ok.json()) as { text: string }).text]).toEqual([200, 'cdc']);
    } finally {
      await srv.stop();
    }
  });
});
