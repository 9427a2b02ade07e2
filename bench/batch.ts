// Batch queue throughput: `npm run bench -- batch`. The bundled demo ensemble (ensembles/demo) on a manifest of
// copies of samples/*.wav under distinct names (distinct jobs), greedy decoding. Per repeat: in-process
// `ensemble infer --manifest` (the baseline) and the queue with 1 and 2 `ensemble worker` processes (--concurrency 1
// each) on a throwaway redis-server, each timed end to end (process start and model load to the last result
// written, as a user waits for it: workers started, `batch submit`, wait, `batch collect`). Also the steady rate
// (first to last finished job). Prints medians and the load average (the machine may be shared).
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectRedis } from '../src/batch/connection.js';
import { batchStatus } from '../src/batch/report.js';
import { startRedis } from '../tests/helpers/redis.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const COPIES = Number(process.env.BENCH_BATCH_COPIES ?? 8);
const REPEATS = Number(process.env.BENCH_BATCH_REPEATS ?? 3);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function runCli(args: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    c.on('close', (code) => resolve({ code, err }));
  });
}

export async function run(): Promise<void> {
  if (!existsSync(cli)) {
    console.log('batch: dist/ is not built (npm run build); skipped');
    return;
  }
  const redis = await startRedis();
  if ('skip' in redis) {
    console.log(`batch: ${redis.skip}; skipped`);
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-batch-'));
  const client = await connectRedis(redis.url);
  const workers: ChildProcess[] = [];
  try {
    const samples = readFileSync(path.join(root, 'samples', 'manifest.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const lines: string[] = [];
    let audioSeconds = 0;
    for (let c = 0; c < COPIES; c++) {
      for (const l of samples) {
        const e = JSON.parse(l) as { audio_filepath: string; duration: number; text: string };
        const name = `${c}_${e.audio_filepath}`;
        copyFileSync(path.join(root, 'samples', e.audio_filepath), path.join(dir, name));
        lines.push(JSON.stringify({ ...e, audio_filepath: name }));
        audioSeconds += e.duration;
      }
    }
    const manifest = path.join(dir, 'manifest.jsonl');
    writeFileSync(manifest, lines.join('\n') + '\n');
    console.log(`data: ${lines.length} utterances (${COPIES} copies of samples/*.wav), ${(audioSeconds / 60).toFixed(1)} min of audio; ensemble ensembles/demo, greedy; ${REPEATS} repeats; ${os.cpus().length} CPUs`);
    const load0 = os.loadavg();
    const times: Record<string, number[]> = { infer: [], q1: [], q2: [] };
    const steady: Record<string, number[]> = { q1: [], q2: [] };
    for (let r = 0; r < REPEATS; r++) {
      let t0 = performance.now();
      const inf = await runCli(['infer', '--manifest', manifest, '-o', path.join(dir, `infer${r}.jsonl`), '--quiet']);
      if (inf.code !== 0) throw new Error(`infer failed: ${inf.err}`);
      times.infer!.push((performance.now() - t0) / 1000);
      for (const n of [1, 2]) {
        const queue = `bench-${r}-${n}`;
        t0 = performance.now();
        for (let i = 0; i < n; i++) {
          const w = spawn(process.execPath, [cli, 'worker', '--redis', redis.url, '--queue', queue, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
          workers.push(w);
        }
        const sub = await runCli(['batch', 'submit', manifest, '--redis', redis.url, '--queue', queue, '--name', 'bench']);
        if (sub.code !== 0) throw new Error(`submit failed: ${sub.err}`);
        for (;;) {
          const s = await batchStatus(client, { queue }, 'bench');
          if (s.pending === 0) {
            if (s.failed > 0) throw new Error(`${s.failed} jobs failed`);
            break;
          }
          await new Promise((res) => setTimeout(res, 100));
        }
        const col = await runCli(['batch', 'collect', '--redis', redis.url, '--queue', queue, '--name', 'bench', '-o', path.join(dir, `q${n}-${r}.jsonl`)]);
        if (col.code !== 0) throw new Error(`collect failed: ${col.err}`);
        times[`q${n}`]!.push((performance.now() - t0) / 1000);
        // steady rate: first to last finished job
        const fin = (await client.zrange(`bull:${queue}:completed`, 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number);
        steady[`q${n}`]!.push((Math.max(...fin) - Math.min(...fin)) / 1000 / (lines.length - 1));
        await Promise.all(
          workers.splice(0).map(
            (w) =>
              new Promise<void>((res) => {
                w.once('close', () => res());
                w.kill('SIGTERM');
              }),
          ),
        );
      }
    }
    const load1 = os.loadavg();
    const rate = (sec: number): string => `${((audioSeconds / 3600) / (sec / 3600)).toFixed(0)} audio h/h`;
    const mi = median(times.infer!);
    console.log(`infer --manifest (in process):  ${mi.toFixed(2)} s end to end = ${rate(mi)}  [runs ${times.infer!.map((t) => t.toFixed(2)).join(', ')}]`);
    for (const n of [1, 2]) {
      const m = median(times[`q${n}`]!);
      const per = median(steady[`q${n}`]!);
      console.log(
        `queue, ${n} worker process(es): ${m.toFixed(2)} s end to end = ${rate(m)}; steady ${(1 / per).toFixed(1)} utt/s = ${rate(per * lines.length)}  [runs ${times[`q${n}`]!.map((t) => t.toFixed(2)).join(', ')}]`,
      );
    }
    console.log(`queue overhead, 1 worker vs infer --manifest (end to end): ${((median(times.q1!) / mi - 1) * 100).toFixed(1)} % (target ≤ 10 %)`);
    console.log(`load average (1/5/15 min) before ${load0.map((x) => x.toFixed(2)).join(' / ')}, after ${load1.map((x) => x.toFixed(2)).join(' / ')}`);
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    client.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
