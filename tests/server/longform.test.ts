// Long audio over HTTP with the demo ensemble in a real worker thread (dist/ build): NDJSON streaming of
// segments, segments with words, and cancellation (timeout, closed connection) freeing the slot.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { WorkerPoolEnsemble } from '../../src/runtime/worker-pool.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { longFormUtterances, writeLongRecording } from '../helpers/long-audio.js';
import { repoRoot } from '../helpers/shared.js';

type PoolModule = typeof import('../../src/runtime/worker-pool.js');
const demo = path.join(repoRoot, 'ensembles', 'demo');

describe('long audio over HTTP (worker thread, demo ensemble)', () => {
  let dir: string;
  let long: Uint8Array;
  let short: Uint8Array;
  let pool: WorkerPoolEnsemble;
  const servers: RunningServer[] = [];
  /** Wall time of one whole streamed transcription of `long` (the baseline of the cancellation tests). */
  let fullMs = 0;

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'server-longform-'));
    const file = path.join(dir, 'long.wav');
    await writeLongRecording(file, longFormUtterances(), { targetSeconds: 120 });
    long = new Uint8Array(readFileSync(file));
    short = new Uint8Array(readFileSync(path.join(repoRoot, 'samples', 'en_1.wav')));
    const mod = (await import(pathToFileURL(path.join(repoRoot, 'dist', 'runtime', 'worker-pool.js')).href)) as PoolModule;
    pool = await mod.WorkerPoolEnsemble.start(demo, { workers: 1 });
  }, 300_000);
  afterAll(async () => {
    for (const s of servers) await s.stop().catch(() => undefined);
    await pool?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(timeoutMs = 120_000): Promise<string> {
    const s = await startServer(pool, { port: 0, concurrency: 1, queue: 4, timeoutMs, logStream: null, maxAudioSeconds: 600 });
    servers.push(s);
    return s.url;
  }

  it('?stream=1 sends each segment as NDJSON before the whole file is done, then the result', async () => {
    const base = await serve();
    const t0 = performance.now();
    const res = await fetch(`${base}/v1/transcribe?stream=1&route=segment`, { method: 'POST', body: long, headers: { 'content-type': 'audio/wav' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const arrivals: Array<{ t: number; line: Record<string, any> }> = [];
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        arrivals.push({ t: performance.now() - t0, line: JSON.parse(buf.slice(0, nl)) });
        buf = buf.slice(nl + 1);
      }
    }
    fullMs = performance.now() - t0;
    const segs = arrivals.filter((a) => a.line.type === 'segment');
    const last = arrivals[arrivals.length - 1];
    expect(segs.length).toBeGreaterThan(8);
    expect(last.line.type).toBe('result');
    expect(last.line.text).toBe(
      segs
        .map((s) => s.line.text)
        .filter(Boolean)
        .join(' '),
    );
    // The first segment arrived while most of the file was still to do.
    expect(segs[0].t).toBeLessThan(0.5 * fullMs);
    for (const s of segs) expect(Array.isArray(s.line.words)).toBe(true);
  }, 300_000);

  it('?segments=1 returns the segments with their words', async () => {
    const base = await serve();
    const r = await fetch(`${base}/v1/transcribe?segments=1`, { method: 'POST', body: short, headers: { 'content-type': 'audio/wav' } });
    const j = (await r.json()) as Record<string, any>;
    expect(r.status).toBe(200);
    expect(j.segments).toHaveLength(1);
    expect(j.segments[0].words.map((w: { word: string }) => w.word).join(' ')).toBe(j.text);
    expect(j.route).toBe('file');
  }, 120_000);

  it('a request cancelled by its timeout frees the slot: the next request is served at once', async () => {
    expect(fullMs).toBeGreaterThan(0);
    const base = await serve(Math.max(1000, Math.round(fullMs / 5)));
    const slow = await fetch(`${base}/v1/transcribe?route=segment`, { method: 'POST', body: long, headers: { 'content-type': 'audio/wav' } });
    expect(slow.status).toBe(504);
    const t0 = performance.now();
    const next = await fetch(`${base}/v1/transcribe`, { method: 'POST', body: short, headers: { 'content-type': 'audio/wav' } });
    const waited = performance.now() - t0;
    expect(next.status).toBe(200);
    expect(((await next.json()) as { text: string }).text.length).toBeGreaterThan(10);
    // Without cancellation it would wait for the rest of the long file (≈ 4/5 of fullMs).
    expect(waited).toBeLessThan(0.5 * fullMs);
  }, 300_000);

  it('a client that closes the connection cancels its work', async () => {
    const base = await serve();
    const abort = new AbortController();
    const res = await fetch(`${base}/v1/transcribe?stream=1&route=segment`, {
      method: 'POST',
      body: long,
      headers: { 'content-type': 'audio/wav' },
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    await reader.read(); // the first segment
    abort.abort();
    const t0 = performance.now();
    const next = await fetch(`${base}/v1/transcribe`, { method: 'POST', body: short, headers: { 'content-type': 'audio/wav' } });
    expect(next.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(0.5 * fullMs);
  }, 300_000);

  it('serve refuses settings whose memory estimate exceeds the budget, naming what to lower', async () => {
    const r = await runCli(['serve', '--port', '0', '--concurrency', '64', '--max-body-mb', '200', '--memory-budget-mb', '4000'], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /may need about \d+ MB \(64 concurrent requests × \d+ MB \+ 64 workers × \d+ MB \+ the process\), more than the memory budget of 4000 MB; lower --concurrency, --workers or --max-body-mb, or raise --memory-budget-mb/,
    );
  }, 90_000);

  it('serve refuses an --allow-spinning that is not on or off', async () => {
    const r = await runCli(['serve', '--port', '0', '--allow-spinning', 'maybe'], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--allow-spinning must be on or off, got "maybe"/);
  }, 90_000);
});
