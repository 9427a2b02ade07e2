/**
 * The batch queue end to end: a real redis-server (tests/helpers/redis.ts), the compiled CLI in child processes
 * (`ensemble batch …`, `ensemble worker`), the two-member tone ensemble of tests/helpers/tiny-ensemble.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/batch/connection.js';
import { batchStatus, type BatchStatus } from '../../src/batch/report.js';
import { cliPath, ensureBuilt, runCli } from '../helpers/cli.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { buildTinyEnsemble, type TinyEnsemble } from '../helpers/tiny-ensemble.js';
import { synthesizeTones, writeWavFile } from '../helpers/wav.js';

let redis: TestRedis | null = null;
let skip = '';
let tiny: TinyEnsemble;
let client: Redis;
let manifest50: string;
let longManifest: string;
let badManifest: string;
let otherEnsemble: string;
const children: ChildProcess[] = [];

interface WorkerProc {
  child: ChildProcess;
  log: () => string;
  waitFor: (re: RegExp, ms?: number) => Promise<void>;
  exited: Promise<number | null>;
}

function startWorker(queue: string, ensemble: string, extra: string[] = []): WorkerProc {
  const child = spawn(
    process.execPath,
    [cliPath, 'worker', '--redis', redis!.url, '--queue', queue, '--ensemble', ensemble, '--lock-ms', '2000', '--stalled-ms', '500', ...extra],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(child);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  const waitFor = async (re: RegExp, ms = 60_000): Promise<void> => {
    const t0 = Date.now();
    while (!re.test(err)) {
      if (child.exitCode !== null) throw new Error(`worker exited (${child.exitCode}) before ${re}:\n${err.slice(-2000)}`);
      if (Date.now() - t0 > ms) throw new Error(`no ${re} within ${ms} ms:\n${err.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, log: () => err, waitFor, exited };
}

async function stopWorker(w: WorkerProc): Promise<number | null> {
  if (w.child.exitCode === null) w.child.kill('SIGTERM');
  return w.exited;
}

async function waitDone(queue: string, name: string, ms = 90_000): Promise<BatchStatus> {
  const t0 = Date.now();
  for (;;) {
    const s = await batchStatus(client, { queue }, name);
    if (s.pending === 0 && s.missing === 0) return s;
    if (Date.now() - t0 > ms) throw new Error(`batch ${name} not done within ${ms} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const withoutTimings = (line: string): Record<string, unknown> => {
  const o = JSON.parse(line) as Record<string, unknown>;
  delete (o.ensemble as Record<string, unknown> | undefined)?.timingsMs;
  return o;
};

const lines = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

beforeAll(async () => {
  const r = await startRedis();
  if ('skip' in r) {
    skip = r.skip;
    return;
  }
  redis = r;
  client = await connectRedis(redis.url);
  tiny = await buildTinyEnsemble({ test: 25 });
  const data = path.dirname(tiny.fx.domains[0].test);
  // 50 utterances, alternating domains (relative paths, as the fixture writes them)
  const a = lines(tiny.fx.domains[0].test);
  const b = lines(tiny.fx.domains[1].test);
  manifest50 = path.join(data, 'all.jsonl');
  writeFileSync(manifest50, a.flatMap((l, i) => [l, b[i]]).join('\n') + '\n');
  // 12 longer utterances (~10 s each) so that a job is still running when its worker is killed
  const long: string[] = [];
  for (let i = 0; i < 12; i++) {
    const d = tiny.fx.domains[i % 2];
    const toks = Array.from({ length: 40 }, (_, k) => d.tokens[(k * 7 + i) % 3 === 0 ? 1 : 0]);
    const file = writeWavFile(path.join(data, 'long', `long_${i}.wav`), synthesizeTones(toks, tiny.fx.frequencies, { amp: 0.25 }));
    long.push(JSON.stringify({ audio_filepath: file, duration: 0 + toks.length * 0.24 + 0.2, text: toks.join('') }));
  }
  longManifest = path.join(data, 'long.jsonl');
  writeFileSync(longManifest, long.join('\n') + '\n');
  // good audio with two bad files between them
  writeFileSync(path.join(data, 'garbage.wav'), Buffer.from('this is not a RIFF file at all, just text'));
  const good = readFileSync(tiny.fx.domains[0].testFiles[0]);
  writeFileSync(path.join(data, 'truncated.wav'), good.subarray(0, 30));
  badManifest = path.join(data, 'bad.jsonl');
  writeFileSync(
    badManifest,
    [
      ...a.slice(0, 3),
      JSON.stringify({ audio_filepath: 'garbage.wav', text: 'x' }),
      ...b.slice(0, 3),
      JSON.stringify({ audio_filepath: 'truncated.wav' }),
    ].join('\n') + '\n',
  );
  // the same models under another ensemble.json: another identity
  otherEnsemble = path.join(tiny.fx.root, 'ensemble-other');
  cpSync(tiny.dir, otherEnsemble, { recursive: true });
  const j = JSON.parse(readFileSync(path.join(otherEnsemble, 'ensemble.json'), 'utf8')) as Record<string, unknown>;
  j.createdAt = '2000-01-01T00:00:00.000Z';
  writeFileSync(path.join(otherEnsemble, 'ensemble.json'), JSON.stringify(j, null, 2));
  await ensureBuilt();
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  client?.disconnect();
  await redis?.stop();
});

describe('batch queue (real Redis, worker processes)', () => {
  it('2 workers give the results of infer --manifest, once per entry, in manifest order; resubmitting adds nothing', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const q = 'same';
    const inferOut = path.join(tiny.fx.root, 'infer.jsonl');
    const inf = await runCli(['infer', '--manifest', manifest50, '--ensemble', tiny.dir, '-o', inferOut, '--quiet'], { timeoutMs: 120_000 });
    expect(inf.code, inf.stderr).toBe(0);
    const workers = [startWorker(q, tiny.dir), startWorker(q, tiny.dir)];
    await Promise.all(workers.map((w) => w.waitFor(/"worker ready"/)));
    const sub = await runCli(['batch', 'submit', manifest50, '--redis', redis!.url, '--queue', q, '--name', 'fifty', '--ensemble', tiny.dir]);
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout).toMatch(/50 manifest entries \(50 distinct\), 50 jobs added, 0 already/);
    const s = await waitDone(q, 'fifty');
    expect(s).toMatchObject({ total: 50, completed: 50, failed: 0 });
    const again = await runCli(['batch', 'submit', manifest50, '--redis', redis!.url, '--queue', q, '--name', 'fifty', '--ensemble', tiny.dir]);
    expect(again.stdout).toMatch(/0 jobs added, 50 already queued or done/);
    const out = path.join(tiny.fx.root, 'fifty.jsonl');
    const col = await runCli(['batch', 'collect', '--redis', redis!.url, '--queue', q, '--name', 'fifty', '-o', out]);
    expect(col.code, col.stderr).toBe(0);
    expect(lines(out).map(withoutTimings)).toEqual(lines(inferOut).map(withoutTimings));
    // both processes took part
    for (const w of workers) expect((w.log().match(/"job completed"/g) ?? []).length).toBeGreaterThan(0);
    const st = await runCli(['batch', 'status', '--redis', redis!.url, '--queue', q, '--name', 'fifty']);
    expect(st.stdout).toMatch(/50\/50 done \(50 completed, 0 failed\), 0 pending/);
    expect(await Promise.all(workers.map(stopWorker))).toEqual([0, 0]);
  }, 240_000);

  it('a worker killed with -9 mid-job loses nothing: its job goes to the other worker, every entry once', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const q = 'kill';
    const a = startWorker(q, tiny.dir);
    await a.waitFor(/"worker ready"/);
    const sub = await runCli(['batch', 'submit', longManifest, '--redis', redis!.url, '--queue', q, '--name', 'killed', '--ensemble', tiny.dir]);
    expect(sub.code, sub.stderr).toBe(0);
    const b = startWorker(q, tiny.dir);
    await a.waitFor(/"job completed"/);
    await a.waitFor(/("job started"[^\n]*\n[^]*){2}/);
    const started = [...a.log().matchAll(/"job started","job":"(u[0-9a-f]+)"/g)].map((m) => m[1]);
    const inFlight = started[started.length - 1];
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe(null);
    const s = await waitDone(q, 'killed');
    expect(s).toMatchObject({ total: 12, completed: 12, failed: 0 });
    const out = path.join(tiny.fx.root, 'killed.jsonl');
    const col = await runCli(['batch', 'collect', '--redis', redis!.url, '--queue', q, '--name', 'killed', '-o', out]);
    expect(col.code, col.stderr).toBe(0);
    const recs = lines(out).map((l) => JSON.parse(l) as { audio_filepath: string; text: string; error?: string });
    const want = lines(longManifest).map((l) => (JSON.parse(l) as { audio_filepath: string }).audio_filepath);
    expect(recs.map((r) => r.audio_filepath)).toEqual(want);
    expect(recs.every((r) => r.error === undefined && typeof r.pred_text === 'string')).toBe(true);
    // the killed worker's job was handed on by the survivor's stalled check and finished there
    expect(a.log()).not.toContain(`"job completed","job":"${inFlight}"`);
    await b.waitFor(new RegExp(`"stalled job handed on","job":"${inFlight}"`), 5000);
    expect(b.log()).toContain(`"job completed","job":"${inFlight}"`);
    console.log(
      `killed mid-job: ${inFlight}; ${(a.log().match(/"job completed"/g) ?? []).length} done by the killed worker, ${(b.log().match(/"job completed"/g) ?? []).length} by the other`,
    );
    expect(await stopWorker(b)).toBe(0);
  }, 240_000);

  it('bad audio fails at once with its message, the rest complete, the worker keeps going', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const q = 'bad';
    const w = startWorker(q, tiny.dir);
    await w.waitFor(/"worker ready"/);
    const sub = await runCli([
      'batch',
      'submit',
      badManifest,
      '--redis',
      redis!.url,
      '--queue',
      q,
      '--name',
      'bad',
      '--ensemble',
      tiny.dir,
      '--backoff-ms',
      '60000',
    ]);
    expect(sub.code, sub.stderr).toBe(0);
    // with a 60 s backoff a retried job could not finish in time: failing at once is the only way to be done
    const s = await waitDone(q, 'bad', 45_000);
    expect(s).toMatchObject({ total: 8, completed: 6, failed: 2 });
    const out = path.join(tiny.fx.root, 'bad-results.jsonl');
    const col = await runCli(['batch', 'collect', '--redis', redis!.url, '--queue', q, '--name', 'bad', '-o', out]);
    expect(col.code).toBe(3);
    expect(col.stderr).toMatch(/failed: line 4: garbage\.wav: .*garbage\.wav/);
    expect(col.stderr).toMatch(/failed: line 8: truncated\.wav: /);
    const recs = lines(out).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs).toHaveLength(8);
    expect(recs[3]).toMatchObject({ audio_filepath: 'garbage.wav', text: 'x' });
    expect(String(recs[3].error)).toMatch(/garbage\.wav/);
    expect(recs[7].error).toEqual(expect.any(String));
    expect(recs.filter((r) => r.error === undefined)).toHaveLength(6);
    expect(w.log()).not.toMatch(/will be retried/);
    expect(w.child.exitCode).toBe(null);
    // retry puts the failed jobs back (they fail again: the audio is still bad); remove deletes the batch
    const retry = await runCli(['batch', 'retry', '--redis', redis!.url, '--queue', q, '--name', 'bad']);
    expect(retry.stdout).toMatch(/bad: 2 failed job\(s\) queued again/);
    await w.waitFor(/("job failed"[^]*){4}/, 30_000);
    expect(await waitDone(q, 'bad')).toMatchObject({ completed: 6, failed: 2 });
    const rm = await runCli(['batch', 'remove', '--redis', redis!.url, '--queue', q, '--name', 'bad']);
    expect(rm.stdout).toMatch(/removed 8 job\(s\)/);
    const gone = await runCli(['batch', 'status', '--redis', redis!.url, '--queue', q, '--name', 'bad']);
    expect(gone.stderr).toMatch(/no batch named "bad"/);
    expect(await client.keys(`bull:${q}:u*`)).toEqual([]);
    expect(await stopWorker(w)).toBe(0);
  }, 120_000);

  it('a worker with another ensemble refuses the jobs and stops; the right worker then does them', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const q = 'versions';
    const sub = await runCli(['batch', 'submit', badManifest, '--redis', redis!.url, '--queue', q, '--name', 'v', '--ensemble', otherEnsemble]);
    expect(sub.code, sub.stderr).toBe(0);
    const wrong = startWorker(q, tiny.dir);
    expect(await wrong.exited).toBe(3);
    expect(wrong.log()).toMatch(/was submitted for ensemble [0-9a-f]{24}, but this worker has ensemble [0-9a-f]{24} .*put the job back and stopped/);
    const mid = await batchStatus(client, { queue: q }, 'v');
    expect(mid).toMatchObject({ total: 8, completed: 0, failed: 0, pending: 8 });
    const right = startWorker(q, otherEnsemble);
    const s = await waitDone(q, 'v');
    expect(s).toMatchObject({ completed: 6, failed: 2 });
    expect(await stopWorker(right)).toBe(0);
  }, 120_000);

  it('eval --redis runs its passes through the queue and reports what in-process eval reports', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const q = 'eval';
    // The first domain's utterances as NeMo spans (the first half of each file): the queue jobs must carry the span.
    const d0 = tiny.fx.domains[0];
    const spans = path.join(path.dirname(d0.test), 'spans.jsonl');
    const spanLines = readFileSync(d0.test, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => {
        const e = JSON.parse(l) as { duration: number };
        return JSON.stringify({ ...e, offset: 0, duration: e.duration / 2 });
      });
    writeFileSync(spans, spanLines.join('\n') + '\n');
    const tests = tiny.fx.domains.flatMap((d) => ['--test', `${d.name}=${d === d0 ? spans : d.test}`]);
    const local = path.join(tiny.fx.root, 'eval-local');
    const viaQueue = path.join(tiny.fx.root, 'eval-queue');
    const w = startWorker(q, tiny.dir, ['--concurrency', '2']);
    await w.waitFor(/"worker ready"/);
    const [a, b] = await Promise.all([
      runCli(['eval', '--ensemble', tiny.dir, ...tests, '-o', local, '--quiet', '--jobs', '1'], { timeoutMs: 120_000 }),
      runCli(['eval', '--ensemble', tiny.dir, ...tests, '-o', viaQueue, '--quiet', '--redis', redis!.url, '--queue', q], { timeoutMs: 120_000 }),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    type Report = { selection: unknown; systems: unknown; perUtterance: Array<Record<string, unknown>>; parallelism: string };
    const ra = JSON.parse(readFileSync(path.join(local, 'eval.json'), 'utf8')) as Report;
    const rb = JSON.parse(readFileSync(path.join(viaQueue, 'eval.json'), 'utf8')) as Report;
    expect(rb.parallelism).toMatch(/batch queue: queue "eval"/);
    expect(rb.selection).toEqual(ra.selection);
    expect(rb.systems).toEqual(ra.systems);
    expect(rb.perUtterance).toEqual(ra.perUtterance);
    const halfSeconds = spanLines.map((l) => (JSON.parse(l) as { duration: number }).duration);
    const halves = rb.perUtterance.filter((u) => halfSeconds.some((d) => Math.abs(Number(u.audioSeconds) - d) < 1e-3));
    expect(halves.length).toBe(spanLines.length);
    expect((w.log().match(/"job completed"/g) ?? []).length).toBe(50);
    const early = await runCli(['eval', '--ensemble', tiny.dir, ...tests, '--early-route', '1', '--redis', redis!.url, '--queue', q]);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/--early-route cannot be used with --redis/);
    expect(await stopWorker(w)).toBe(0);
  }, 240_000);

  it('http(s) entries are fetched by the worker with a size limit; --embed-audio jobs need no shared storage', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const q = 'remote';
    const good = readFileSync(tiny.fx.domains[1].testFiles[2]);
    const big = readFileSync(path.join(path.dirname(longManifest), 'long', 'long_0.wav'));
    const server = http.createServer((req, res) => {
      if (req.url === '/good.wav') res.writeHead(200, { 'content-type': 'audio/wav' }).end(good);
      else if (req.url === '/big.wav') res.writeHead(200, { 'content-type': 'audio/wav' }).end(big);
      else res.writeHead(404).end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const m = path.join(tiny.fx.root, 'remote.jsonl');
      writeFileSync(m, [`${base}/good.wav`, `${base}/missing.wav`, `${base}/big.wav`].map((u) => JSON.stringify({ audio_filepath: u })).join('\n') + '\n');
      // a copy of a local file, embedded in its job and deleted before any worker runs
      const copy = path.join(tiny.fx.root, 'embedded.wav');
      writeFileSync(copy, good);
      const me = path.join(tiny.fx.root, 'embedded.jsonl');
      writeFileSync(me, JSON.stringify({ audio_filepath: copy }) + '\n');
      for (const [file, name, extra] of [
        [m, 'remote', []],
        [me, 'embedded', ['--embed-audio']],
      ] as const) {
        const sub = await runCli(['batch', 'submit', file, '--redis', redis!.url, '--queue', q, '--name', name, '--ensemble', tiny.dir, ...extra]);
        expect(sub.code, sub.stderr).toBe(0);
      }
      rmSync(copy);
      const w = startWorker(q, tiny.dir, ['--max-fetch-mb', String((big.length + good.length) / 2 / 1024 / 1024)]);
      expect(await waitDone(q, 'remote')).toMatchObject({ completed: 1, failed: 2 });
      expect(await waitDone(q, 'embedded')).toMatchObject({ completed: 1, failed: 0 });
      const out = path.join(tiny.fx.root, 'remote-results.jsonl');
      await runCli(['batch', 'collect', '--redis', redis!.url, '--queue', q, '--name', 'remote', '-o', out]);
      const recs = lines(out).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(recs[0]).toMatchObject({ audio_filepath: `${base}/good.wav`, pred_text: tiny.fx.domains[1].testTexts[2] });
      expect(recs[1].error).toMatch(/missing\.wav: HTTP 404/);
      expect(recs[2].error).toMatch(/big\.wav: .*download limit of \d+ bytes/);
      const outE = path.join(tiny.fx.root, 'embedded-results.jsonl');
      await runCli(['batch', 'collect', '--redis', redis!.url, '--queue', q, '--name', 'embedded', '-o', outE]);
      expect(JSON.parse(lines(outE)[0])).toMatchObject({ audio_filepath: copy, pred_text: tiny.fx.domains[1].testTexts[2] });
      expect(await stopWorker(w)).toBe(0);
    } finally {
      server.close();
    }
  }, 120_000);

  it('clear errors: bad URL, unknown batch, unfinished batch, a batch name reused with another ensemble', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const bad = await runCli(['batch', 'status', '--redis', 'http://x', '--name', 'n']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--redis must start with redis:\/\//);
    const unknown = await runCli(['batch', 'status', '--redis', redis!.url, '--name', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no batch named "nope"/);
    const sub = await runCli(['batch', 'submit', manifest50, '--redis', redis!.url, '--queue', 'idle', '--name', 'waiting', '--ensemble', tiny.dir]);
    expect(sub.code, sub.stderr).toBe(0);
    const col = await runCli(['batch', 'collect', '--redis', redis!.url, '--queue', 'idle', '--name', 'waiting', '-o', path.join(tiny.fx.root, 'x.jsonl')]);
    expect(col.code).toBe(2);
    expect(col.stderr).toMatch(/not finished: 50 entries pending/);
    const other = await runCli(['batch', 'submit', manifest50, '--redis', redis!.url, '--queue', 'idle', '--name', 'waiting', '--ensemble', otherEnsemble]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/was submitted for ensemble .* use another --name/);
  }, 120_000);
});
