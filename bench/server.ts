// HTTP service timings: `npm run bench -- server`. On the 2-member tone-model ensemble of the tests:
// latency (p50/p95) and throughput of POST /v1/transcribe sequentially and with 4 clients, and the HTTP
// overhead (server total minus the ensemble's own time). In-thread ensemble always; when dist/ is built,
// also the compiled `ensemble serve` in a child process with one inference worker per CPU.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav } from '../src/audio/wav.js';
import { buildEnsemble } from '../src/ensemble/build.js';
import { Ensemble } from '../src/ensemble/ensemble.js';
import { startServer } from '../src/server/server.js';
import { fixtureYaml, makeFixture, type Fixture } from '../tests/helpers/ensemble-fixture.js';
import { synthesizeTones } from '../tests/helpers/wav.js';

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

async function childServer(dir: string): Promise<{ url: string; stop: () => Promise<void> } | null> {
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) return null;
  const child = spawn(process.execPath, [cli, 'serve', '--ensemble', dir, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const t0 = Date.now();
  for (;;) {
    const m = /"msg":"listening","url":"([^"]+)"/.exec(err);
    if (m && /"msg":"models loaded"/.test(err)) {
      return {
        url: m[1],
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
    } else {
      console.log('(dist/ not built: skipping the worker-thread server; run `npm run build` first)');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
