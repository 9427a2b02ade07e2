// Live transcription latency: `npm run bench -- stream`. The compiled `ensemble serve` (dist/, built if missing)
// with the demo ensemble in a child process (2 inference workers), and N concurrent clients that each send a
// conversation at real time through GET /v1/stream: the 9 bundled samples (en, vi, 8 kHz digits; 3 each) in a
// rotated order with 1 s of silence between them (about 36 s per stream). Reported per N:
//   - latency from the end of an utterance's audio (the final's `end`, which includes the 250 ms speech pad, so
//     the endpointer's own 500 ms silence wait is partly inside it) to the final arriving, p50 / p95;
//   - the server's endpoint → final time (its histogram's mean), the decoding cost alone;
//   - finals that came from the member of the sample's domain.
// N = 1, 2, 4 and then more until finals fall behind (p95 over 2 s, or the server refuses a stream).
// BENCH_STREAM_MAX (default 8) bounds N.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAudio } from '../src/audio/load.js';
import { streamAudio } from '../src/stream/client.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pct = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function startServe(): Promise<{ child: ChildProcess; url: string }> {
  if (!existsSync(path.join(root, 'dist', 'cli', 'main.js'))) spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const child = spawn(
    process.execPath,
    [path.join(root, 'dist', 'cli', 'main.js'), 'serve', '--port', '0', '--workers', '2', '--concurrency', '2', '--max-streams', '64'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"msg":"listening","url":"([^"]+)"/.exec(buf);
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`serve exited with ${c}: ${buf.slice(-500)}`)));
  });
  for (let i = 0; i < 600; i++) {
    const r = await fetch(`${url}/readyz`).catch(() => null);
    if (r?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url };
}

async function metricMean(url: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = Number(/^ensemble_stream_final_latency_seconds_sum (\S+)/m.exec(text)?.[1] ?? 0);
  const count = Number(/^ensemble_stream_final_latency_seconds_count (\S+)/m.exec(text)?.[1] ?? 0);
  return { sum, count };
}

export async function run(): Promise<void> {
  const names = ['en_1', 'vi_1', 'digits_1', 'en_2', 'vi_2', 'digits_2', 'en_3', 'vi_3', 'digits_3'];
  const clips = await Promise.all(names.map(async (n) => ({ domain: n.split('_')[0], x: await loadAudio(path.join(root, 'samples', `${n}.wav`), 16000) })));
  const conversation = (rot: number): { x: Float32Array; domains: string[] } => {
    const order = clips.map((_, i) => clips[(i + rot) % clips.length]);
    const gap = 16000;
    const x = new Float32Array(order.reduce((a, c) => a + c.x.length + gap, gap));
    let o = gap;
    for (const c of order) {
      x.set(c.x, o);
      o += c.x.length + gap;
    }
    return { x, domains: order.map((c) => c.domain) };
  };
  const maxN = Number(process.env.BENCH_STREAM_MAX ?? 8);
  const { child, url } = await startServe();
  console.log(
    `data: samples/*.wav (3 en, 3 vi, 3 digits), 1 s gaps, ${(conversation(0).x.length / 16000).toFixed(1)} s per stream; serve --workers 2; load average ${os.loadavg()[0].toFixed(2)}`,
  );
  console.log('| streams | end of audio → final p50 / p95 (ms) | endpoint → final, server mean (ms) | finals from the domain member | refused |');
  console.log('|---|---|---|---|---|');
  try {
    for (let n = 1; n <= maxN; n = n < 4 ? n * 2 : n + 2) {
      const before = await metricMean(url);
      const lat: number[] = [];
      let right = 0;
      let finals = 0;
      let refused = 0;
      await Promise.all(
        Array.from({ length: n }, async (_, k) => {
          const c = conversation(k);
          const arrivals: Array<{ at: number; end: number }> = [];
          const r = await streamAudio(url, c.x, {
            speed: 1,
            onMessage: (m, at) => {
              if (m.type === 'final') arrivals.push({ at, end: m.end });
            },
          }).catch(() => null);
          if (r) for (const a of arrivals) lat.push(a.at - (r.startedAt + a.end * 1000));
          if (!r || r.closeCode !== 1000) {
            refused++;
            return;
          }
          const fs = r.messages.filter((m) => m.type === 'final');
          finals += fs.length;
          fs.forEach((f, i) => {
            if (f.type === 'final' && f.model === c.domains[i]) right++;
          });
        }),
      );
      const after = await metricMean(url);
      const serverMean = after.count > before.count ? ((after.sum - before.sum) / (after.count - before.count)) * 1000 : NaN;
      const p95 = pct(lat, 0.95);
      console.log(`| ${n} | ${pct(lat, 0.5).toFixed(0)} / ${p95.toFixed(0)} | ${serverMean.toFixed(0)} | ${right} / ${finals} | ${refused} |`);
      if (p95 > 2000 || refused > 0) {
        console.log(`finals fall behind at ${n} concurrent real-time streams`);
        break;
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
}
