// Soak: `npm run bench -- soak [--minutes N]` (default 1 minute). The compiled `ensemble serve` (dist/, one
// worker per CPU) in a child process, on the 2-member tone-model ensemble of the tests. First its capacity
// is measured (closed loop, 2 clients per CPU, 10 s of valid requests); then requests arrive at a steady 80 %
// of that rate for N minutes, a mix of valid (16 kHz and 8 kHz WAV, stereo float, multipart, all=true) and
// invalid ones (bad media type, garbage, truncated WAV, odd sample rate, body over the limit, bad query,
// a second multipart file). Reported: requests, answers by status and error code, 5xx for valid input
// (must be 0), p50/p99 latency of the valid ones, and the server's RSS after warm-up and at the end.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav } from '../src/audio/wav.js';
import { buildEnsemble } from '../src/ensemble/build.js';
import { fixtureYaml, makeFixture, type Fixture } from '../tests/helpers/ensemble-fixture.js';
import { synthesizeTones } from '../tests/helpers/wav.js';

const pct = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};

function minutesArg(): number {
  const i = process.argv.indexOf('--minutes');
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number(process.env.SOAK_MINUTES ?? 1);
  if (!(v > 0)) throw new Error(`--minutes must be a positive number, got ${process.argv[i + 1]}`);
  return v;
}

interface Kind {
  name: string;
  valid: boolean;
  weight: number;
  send: (url: string) => Promise<Response>;
}

function kinds(fx: Fixture, maxBodyBytes: number): Kind[] {
  const tones = (t: string, rate = 16000) => synthesizeTones([...t], fx.frequencies, { sampleRate: rate, amp: 0.3 });
  const wav16 = encodeWav(tones('abbaabba'), 16000);
  const wav8 = encodeWav(tones('cddc', 8000), 8000);
  const stereo = encodeWav([tones('dcdc', 44100), tones('dcdc', 44100)], 44100, { encoding: 'float32' });
  const oddRate = wav16.slice();
  new DataView(oddRate.buffer).setUint32(24, 1, true);
  const body = (b: Uint8Array) => b as Uint8Array<ArrayBuffer>;
  const post = (url: string, b: BodyInit, type?: string, q = '') =>
    fetch(`${url}/v1/transcribe${q}`, { method: 'POST', body: b, headers: type ? { 'content-type': type } : {} });
  const form = (n: number) => {
    const fd = new FormData();
    for (let i = 0; i < n; i++) fd.append('file', new Blob([body(wav16)], { type: 'audio/wav' }), `${i}.wav`);
    return fd;
  };
  const big = new Uint8Array(maxBodyBytes + 1024);
  return [
    { name: 'wav 16 kHz', valid: true, weight: 40, send: (u) => post(u, body(wav16), 'audio/wav') },
    { name: 'wav 8 kHz', valid: true, weight: 10, send: (u) => post(u, body(wav8), 'audio/wav') },
    { name: 'stereo float 44.1 kHz', valid: true, weight: 10, send: (u) => post(u, body(stereo), 'application/octet-stream') },
    { name: 'multipart', valid: true, weight: 10, send: (u) => post(u, form(1)) },
    { name: 'all=true', valid: true, weight: 10, send: (u) => post(u, body(wav16), 'audio/wav', '?all=true&beam=8') },
    { name: 'text/plain', valid: false, weight: 3, send: (u) => post(u, 'hello', 'text/plain') },
    { name: 'garbage', valid: false, weight: 3, send: (u) => post(u, body(new Uint8Array(2000).fill(7)), 'application/octet-stream') },
    { name: 'truncated wav', valid: false, weight: 3, send: (u) => post(u, body(wav16.slice(0, 30)), 'audio/wav') },
    { name: 'rate 1 Hz', valid: false, weight: 3, send: (u) => post(u, body(oddRate), 'audio/wav') },
    { name: 'over the body limit', valid: false, weight: 2, send: (u) => post(u, body(big), 'audio/wav') },
    { name: 'bad query', valid: false, weight: 3, send: (u) => post(u, body(wav16), 'audio/wav', '?beam=0') },
    { name: 'two file parts', valid: false, weight: 3, send: (u) => post(u, form(2)) },
  ];
}

async function startServe(dir: string, maxBodyMb: number): Promise<{ url: string; pid: number; stop: () => Promise<number | null> } | null> {
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) return null;
  const child = spawn(process.execPath, [cli, 'serve', '--ensemble', dir, '--port', '0', '--max-body-mb', String(maxBodyMb)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    if (err.length > 1e6) err = err.slice(-1e5);
  });
  const t0 = Date.now();
  for (;;) {
    const m = /"msg":"listening","url":"([^"]+)"/.exec(err);
    if (m && /"msg":"models loaded"/.test(err)) {
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      return {
        url: m[1],
        pid: child.pid!,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
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

async function rssMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1] ?? NaN) / 2 ** 20;
}

/** Deterministic weighted choice for request number `i` (a low-discrepancy sequence over the weights). */
function pick(ks: Kind[], i: number): Kind {
  const total = ks.reduce((a, k) => a + k.weight, 0);
  const u = ((i * 0.6180339887498949) % 1) * total;
  let acc = 0;
  return ks.find((x) => (acc += x.weight) > u) ?? ks[0];
}

/** Valid requests answered per second with `clients` in a closed loop, over the valid mix. */
async function capacity(url: string, valid: Kind[], clients: number, ms: number): Promise<number> {
  let n = 0;
  let i = 0;
  const end = Date.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const r = await pick(valid, i++).send(url);
        await r.arrayBuffer();
        if (r.status === 200) n++;
      }
    }),
  );
  return n / (ms / 1000);
}

export async function run(): Promise<void> {
  const minutes = minutesArg();
  const root = mkdtempSync(path.join(os.tmpdir(), 'bench-soak-'));
  const maxBodyMb = 1;
  try {
    const fx: Fixture = makeFixture(root, { domains: 2, train: 10, dev: 1, test: 1 });
    const yaml = path.join(root, 'e.yaml');
    writeFileSync(yaml, fixtureYaml(fx));
    const built = await buildEnsemble(yaml, { progress: false, log: () => undefined });
    const srv = await startServe(built.outDir, maxBodyMb);
    if (!srv) {
      console.log('(dist/ not built: run `npm run build` first)');
      return;
    }
    let exit: number | null = null;
    try {
      const ks = kinds(fx, maxBodyMb * 1024 * 1024);
      const cpus = os.cpus().length;
      // Warm-up (every kind once, then 5 s of load), then capacity of the main valid kind.
      for (const k of ks) await (await k.send(srv.url)).arrayBuffer();
      const valid = ks.filter((k) => k.valid);
      await capacity(srv.url, valid, 2 * cpus, 5000);
      const cap = await capacity(srv.url, valid, 2 * cpus, 10_000);
      const rate = 0.8 * cap;
      const rssStart = await rssMb(srv.url);
      console.log(
        `capacity ${cap.toFixed(1)} valid req/s (closed loop, ${2 * cpus} clients, ${cpus} workers, load average ${os.loadavg()[0].toFixed(1)}); ` +
          `soak at ${rate.toFixed(1)} req/s for ${minutes} min`,
      );

      const byStatus = new Map<string, number>();
      const latValid: number[] = [];
      let sent = 0;
      let validServerErrors = 0;
      let validShed = 0;
      let transportErrors = 0;
      let maxOutstanding = 0;
      let outstanding = 0;
      const rssSamples: number[] = [];
      const start = performance.now();
      const endAt = start + minutes * 60_000;
      const inflight = new Set<Promise<void>>();
      let nextRss = start + 10_000;
      for (let i = 0; ; i++) {
        const due = start + (i * 1000) / rate;
        if (due >= endAt) break;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (performance.now() >= nextRss) {
          nextRss += 10_000;
          void rssMb(srv.url).then(
            (v) => rssSamples.push(v),
            () => undefined,
          );
        }
        const k = pick(ks, i);
        sent++;
        outstanding++;
        maxOutstanding = Math.max(maxOutstanding, outstanding);
        const t0 = performance.now();
        const p = k
          .send(srv.url)
          .then(async (r) => {
            const text = await r.text();
            let code = '';
            try {
              code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
            } catch {
              code = 'not JSON';
            }
            const key = `${r.status}${code ? ` ${code}` : ''}${k.valid ? '' : ' (invalid input)'}`;
            byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
            if (k.valid) {
              latValid.push(performance.now() - t0);
              if (r.status >= 500) validServerErrors++;
              if (r.status === 503 && code === 'E_BUSY') validShed++;
            }
          })
          .catch(() => {
            transportErrors++;
          })
          .finally(() => {
            outstanding--;
            inflight.delete(p);
          });
        inflight.add(p);
      }
      await Promise.all([...inflight]);
      const seconds = (performance.now() - start) / 1000;
      const rssEnd = await rssMb(srv.url);
      console.log(`load average at the end ${os.loadavg()[0].toFixed(1)} (${os.cpus().length} CPUs)`);
      console.log(
        `${sent} requests in ${seconds.toFixed(0)} s (${(sent / seconds).toFixed(1)} req/s), at most ${maxOutstanding} outstanding, ${transportErrors} transport errors`,
      );
      for (const [k, v] of [...byStatus.entries()].sort()) console.log(`  ${k}: ${v}`);
      console.log(
        `5xx for valid input: ${validServerErrors} (503 E_BUSY load shedding with Retry-After: ${validShed}; any other: ${validServerErrors - validShed})`,
      );
      console.log(`valid requests: p50 ${pct(latValid, 0.5).toFixed(1)} ms, p99 ${pct(latValid, 0.99).toFixed(1)} ms`);
      console.log(
        `server RSS: ${rssStart.toFixed(1)} MB after warm-up, ${rssEnd.toFixed(1)} MB at the end` +
          (rssSamples.length ? ` (every 10 s: ${rssSamples.map((x) => x.toFixed(0)).join(' ')})` : ''),
      );
    } finally {
      exit = await srv.stop();
      console.log(`SIGTERM: server exit status ${exit}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
