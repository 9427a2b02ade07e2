// Batch queue throughput: `npm run bench -- batch`. The bundled demo ensemble (ensembles/demo) on a manifest of
// copies of samples/*.wav under distinct names (distinct jobs), greedy decoding. Per repeat: in-process
// `ensemble infer --manifest` (the baseline) and the queue with 1 and 2 `ensemble worker` processes (--concurrency 1
// each) on a throwaway redis-server, each timed end to end (process start and model load to the last result
// written, as a user waits for it: workers started, `batch submit`, wait, `batch collect`), with CPU seconds beside
// wall time (less sensitive to a shared machine); and, from BullMQ's job timestamps, the steady rate (first start to
// last finish) and the share of that span the workers were not transcribing (the queue's own overhead). Prints
// medians and the load average. BENCH_BATCH_COPIES / BENCH_BATCH_REPEATS change the size (default 8 / 3).
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

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Run the CLI under bash and read its CPU seconds (user + sys) from bash's `times`. */
function runCli(args: string[]): Promise<{ code: number | null; err: string; cpu: number }> {
  return new Promise((resolve) => {
    const c = spawn('bash', ['-c', '"$0" "$@" >/dev/null; rc=$?; times; exit $rc', process.execPath, cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    c.on('close', (code) => {
      const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(out.trim());
      resolve({ code, err, cpu: m ? 60 * Number(m[1]) + Number(m[2]) + 60 * Number(m[3]) + Number(m[4]) : NaN });
    });
  });
}

/** CPU seconds (user + sys, all threads) of a running process, from /proc. */
function procCpu(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function redisCpu(client: Awaited<ReturnType<typeof connectRedis>>): Promise<number> {
  const info = await client.info('cpu');
  const v = (k: string): number => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return v('used_cpu_user') + v('used_cpu_sys');
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
    const samples = readFileSync(path.join(root, 'samples', 'manifest.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
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
    console.log(
      `data: ${lines.length} utterances (${COPIES} copies of samples/*.wav), ${(audioSeconds / 60).toFixed(1)} min of audio; ensemble ensembles/demo, greedy; ${REPEATS} repeats; ${os.cpus().length} CPUs`,
    );
    const load0 = os.loadavg();
    const times: Record<string, number[]> = { infer: [], q1: [], q2: [] };
    const cpus: Record<string, number[]> = { infer: [], q1: [], q2: [] };
    const steady: Record<string, number[]> = { q1: [], q2: [] };
    const idle: Record<string, number[]> = { q1: [], q2: [] };
    for (let r = 0; r < REPEATS; r++) {
      let t0 = performance.now();
      const inf = await runCli(['infer', '--manifest', manifest, '-o', path.join(dir, `infer${r}.jsonl`), '--quiet']);
      if (inf.code !== 0) throw new Error(`infer failed: ${inf.err}`);
      times.infer!.push((performance.now() - t0) / 1000);
      cpus.infer!.push(inf.cpu);
      for (const n of [1, 2]) {
        const queue = `bench-${r}-${n}`;
        t0 = performance.now();
        const redis0 = await redisCpu(client);
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
        times[`q${n}`].push((performance.now() - t0) / 1000);
        cpus[`q${n}`].push(workers.reduce((a, w) => a + procCpu(w.pid!), 0) + sub.cpu + col.cpu + (await redisCpu(client)) - redis0);
        // steady state, from BullMQ's own timestamps: rate from first start to last finish, and the share of
        // that span the workers were not transcribing (queue round trips, thread hand-off, waiting)
        const ids = await client.lrange(`bull:${queue}:batch:bench:order`, 0, -1);
        const pipe = client.pipeline();
        for (const id of ids) pipe.hmget(`bull:${queue}:${id}`, 'processedOn', 'finishedOn', 'returnvalue');
        const rows = ((await pipe.exec()) ?? []).map(([, v]) => v as [string, string, string]);
        const startMs = Math.min(...rows.map((r) => Number(r[0])));
        const endMs = Math.max(...rows.map((r) => Number(r[1])));
        const busyMs = rows.reduce((a, r) => a + (JSON.parse(r[2]) as { timingsMs: { total: number } }).timingsMs.total, 0);
        steady[`q${n}`].push((endMs - startMs) / 1000 / lines.length);
        idle[`q${n}`].push(1 - busyMs / (n * (endMs - startMs)));
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
    const rate = (sec: number): string => `${(audioSeconds / 3600 / (sec / 3600)).toFixed(0)} audio h/h`;
    const mi = median(times.infer!);
    const runs = (xs: number[]): string => xs.map((t) => t.toFixed(1)).join(', ');
    console.log(
      `infer --manifest (in process):  ${mi.toFixed(2)} s end to end = ${rate(mi)}; CPU ${median(cpus.infer!).toFixed(1)} s  [wall ${runs(times.infer!)}; CPU ${runs(cpus.infer!)}]`,
    );
    for (const n of [1, 2]) {
      const m = median(times[`q${n}`]);
      const per = median(steady[`q${n}`]);
      console.log(
        `queue, ${n} worker process(es): ${m.toFixed(2)} s end to end = ${rate(m)}; steady ${(1 / per).toFixed(1)} utt/s = ${rate(per * lines.length)}; ` +
          `workers not transcribing ${(median(idle[`q${n}`]) * 100).toFixed(1)} % of the steady span; CPU (workers + submit + collect + redis) ${median(cpus[`q${n}`]).toFixed(1)} s  ` +
          `[wall ${runs(times[`q${n}`])}; CPU ${runs(cpus[`q${n}`])}]`,
      );
    }
    console.log(
      `queue overhead, 1 worker vs infer --manifest: wall ${((median(times.q1!) / mi - 1) * 100).toFixed(1)} %, CPU ${((median(cpus.q1!) / median(cpus.infer!) - 1) * 100).toFixed(1)} %; ` +
        `steady-state share of a worker's time not spent transcribing ${(median(idle.q1!) * 100).toFixed(1)} % (target ≤ 10 %)`,
    );
    console.log(`load average (1/5/15 min) before ${load0.map((x) => x.toFixed(2)).join(' / ')}, after ${load1.map((x) => x.toFixed(2)).join(' / ')}`);
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    client.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
