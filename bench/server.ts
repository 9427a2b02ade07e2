// HTTP service timings: `npm run bench -- server`. On the 2-member tone-model ensemble of the tests:
// latency (p50/p95) and throughput of POST /v1/transcribe sequentially and with 4 clients, and the HTTP
// overhead (server total minus the ensemble's own time). In-thread ensemble always; when dist/ is built,
// also the compiled `ensemble serve` in a child process with one inference worker per CPU, and the demo ensemble
// under `serve --concurrency 1` (one worker whose sessions get every CPU as intra-op threads) with ONNX Runtime's
// thread pools not spinning (our default) and spinning (`--allow-spinning on`, ONNX Runtime's default): a 10 s English
// WAV, one request at a time with 50 ms between them, rounds alternating; the server's CPU from /proc/PID/stat.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav } from '../src/audio/wav.js';
import { buildEnsemble } from '../src/ensemble/build.js';
import { Ensemble } from '../src/ensemble/ensemble.js';
import { startServer } from '../src/server/server.js';
import { fixtureYaml, makeFixture, type Fixture } from '../tests/helpers/ensemble-fixture.js';
import { synthesizeTones } from '../tests/helpers/wav.js';
import { englishWavs } from './runtime.js';

const pct = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function load(
  url: string,
  wav: Uint8Array,
  clients: number,
  requests: number,
): Promise<{ lat: number[]; overhead: number[]; seconds: number; audio: number }> {
  const lat: number[] = [];
  const overhead: number[] = [];
  let audio = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next++ < requests) {
        const s = performance.now();
        const r = await fetch(`${url}/v1/transcribe`, { method: 'POST', body: wav, headers: { 'content-type': 'audio/wav' } });
        const j = (await r.json()) as { audioSeconds: number; timingsMs: Record<string, number> };
        lat.push(performance.now() - s);
        const t = j.timingsMs;
        overhead.push(t.total! - (t.features ?? 0) - (t.models ?? 0) - (t.confidence ?? 0) - (t.selector ?? 0) - (t.lm ?? 0) - (t.queue ?? 0));
        audio += j.audioSeconds;
      }
    }),
  );
  return { lat, overhead, seconds: (performance.now() - t0) / 1000, audio };
}

function report(label: string, r: Awaited<ReturnType<typeof load>>): void {
  console.log(
    `${label}: ${r.lat.length} requests, p50 ${pct(r.lat, 0.5).toFixed(1)} ms, p95 ${pct(r.lat, 0.95).toFixed(1)} ms, ` +
      `${(r.lat.length / r.seconds).toFixed(1)} req/s = ${(r.audio / r.seconds).toFixed(1)}× real time; server-side overhead p50 ${pct(r.overhead, 0.5).toFixed(2)} ms`,
  );
}

interface ChildServer {
  url: string;
  /** The server's CPU ms so far (user + system, all threads; /proc/PID/stat), or null off Linux. */
  cpuMs: () => number | null;
  stop: () => Promise<void>;
}

async function childServer(dir: string, extra: string[] = []): Promise<ChildServer | null> {
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) return null;
  const child = spawn(process.execPath, [cli, 'serve', '--ensemble', dir, '--port', '0', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  const tick = 1000 / 100; // USER_HZ: 100 on Linux
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const t0 = Date.now();
  for (;;) {
    const m = /"msg":"listening","url":"([^"]+)"/.exec(err);
    if (m && /"msg":"models loaded"/.test(err)) {
      return {
        url: m[1],
        cpuMs: () => {
          try {
            const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
            return (Number(f[11]) + Number(f[12])) * tick;
          } catch {
            return null;
          }
        },
        stop: () =>
          new Promise((r) => {
            child.on('close', () => r());
            child.kill('SIGTERM');
          }),
      };
    }
    if (child.exitCode !== null || Date.now() - t0 > 60_000) {
      console.log(`(compiled server did not start: ${err.slice(-300)})`);
      child.kill('SIGKILL');
      return null;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `serve --concurrency 1` on the demo ensemble: thread pools not spinning (the default) against spinning. */
async function spinningServers(tmp: string): Promise<void> {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const wav = readFileSync(englishWavs(tmp, [10]).get(10)!);
  console.log(
    `\n### serve --concurrency 1, demo ensemble, ${os.cpus().length} intra-op threads per session: ONNX Runtime's thread pools spinning or not (load ${os.loadavg()[0].toFixed(1)})`,
  );
  console.log('| --allow-spinning | requests | wall per request, median | server CPU per request |');
  console.log('|---|---|---|---|');
  const rows: Record<string, { wall: number[]; cpu: number[] }> = { off: { wall: [], cpu: [] }, on: { wall: [], cpu: [] } };
  for (let round = 0; round < 4; round++) {
    for (const spin of round % 2 ? ['on', 'off'] : ['off', 'on']) {
      const child = await childServer(path.join(repo, 'ensembles', 'demo'), ['--concurrency', '1', '--allow-spinning', spin]);
      if (!child) return;
      try {
        for (let i = 0; i < 3; i++) await fetch(`${child.url}/v1/transcribe`, { method: 'POST', body: wav, headers: { 'content-type': 'audio/wav' } });
        await new Promise((r) => setTimeout(r, 200));
        const c0 = child.cpuMs();
        const n = 20;
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          const r = await fetch(`${child.url}/v1/transcribe`, { method: 'POST', body: wav, headers: { 'content-type': 'audio/wav' } });
          if (!r.ok) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
          await r.arrayBuffer();
          rows[spin].wall.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 50));
        }
        await new Promise((r) => setTimeout(r, 200));
        const c1 = child.cpuMs();
        if (c0 !== null && c1 !== null) rows[spin].cpu.push((c1 - c0) / n);
      } finally {
        await child.stop();
      }
    }
  }
  for (const [spin, r] of Object.entries(rows)) {
    const cpu = r.cpu.length ? `${pct(r.cpu, 0.5).toFixed(1)} ms (per round: ${r.cpu.map((c) => c.toFixed(0)).join(', ')})` : 'n/a (no /proc)';
    console.log(`| ${spin}${spin === 'off' ? ' (default)' : " (ONNX Runtime's default)"} | ${r.wall.length} | ${pct(r.wall, 0.5).toFixed(1)} ms | ${cpu} |`);
  }
  console.log(`(load average after: ${os.loadavg()[0].toFixed(1)})`);
}

export async function run(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bench-server-'));
  try {
    const fx: Fixture = makeFixture(root, { domains: 2, train: 10, dev: 1, test: 1 });
    const yaml = path.join(root, 'e.yaml');
    writeFileSync(yaml, fixtureYaml(fx));
    const built = await buildEnsemble(yaml, { progress: false, log: () => undefined });
    const wav = encodeWav(synthesizeTones([...'abbaabbaabba'], fx.frequencies), 16000);
    const ens = await Ensemble.load(built.outDir);
    const srv = await startServer(ens, { port: 0, logStream: null });
    try {
      await load(srv.url, wav, 1, 5); // warm-up
      report('in-thread, 1 client', await load(srv.url, wav, 1, 40));
      report('in-thread, 4 clients', await load(srv.url, wav, 4, 40));
    } finally {
      await srv.stop();
      await ens.dispose();
    }
    const child = await childServer(built.outDir);
    if (child) {
      try {
        await load(child.url, wav, 1, 5);
        report(`compiled serve, ${os.cpus().length} workers, 1 client`, await load(child.url, wav, 1, 40));
        report(`compiled serve, ${os.cpus().length} workers, 4 clients`, await load(child.url, wav, 4, 40));
      } finally {
        await child.stop();
      }
      await spinningServers(root);
    } else {
      console.log('(dist/ not built: skipping the worker-thread server; run `npm run build` first)');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
