// Long-form transcription: `npm run bench -- longform`. `ensemble infer FILE --quiet` (demo ensemble,
// greedy, --route file) as a child process on 1, 10 and 60 minutes of speech; wall time and peak RSS
// (/usr/bin/time -f %M when present, else the child's VmHWM). The recordings are generated here (never
// committed): real utterances joined with 0.8–2 s silences (tests/helpers/long-audio.ts) — the bundled
// samples plus, when ../shared/data is present, 100 FOSD (vi) and 100 FSDD (8 kHz digits) utterances,
// cycled until the length is reached. Targets (issue 11): ≤ 1.5 GB peak RSS at 60 min; time(60) /
// time(1) ≤ 70. `BENCH_LONGFORM_MINUTES=1,10` picks the lengths (default 1,10,60). Each length also runs with
// `--early-route S` (`BENCH_LONGFORM_EARLY=S`, default 2; 0 skips it): every member on the first S seconds of speech,
// then only the chosen one, against the same file routed fully. `BENCH_LONGFORM_MEMBERS=DIR` runs the demo ensemble
// with the members of DIR/{en,vi,digits} in place of its own (e.g. training/work/scaled-members, production-size,
// `/usr/bin/python3 training/scale_members.py`), through an ensemble.json written here with their checksums.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt, cliPath } from '../tests/helpers/cli.js';
import { manifestUtterances, writeLongRecording, type Utterance } from '../tests/helpers/long-audio.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const shared = path.resolve(repo, '..', 'shared', 'data');

function measure(args: string[]): Promise<{ seconds: number; peakMb: number; cpuSeconds: number }> {
  const useTime = existsSync('/usr/bin/time');
  const cmd = useTime ? '/usr/bin/time' : process.execPath;
  const argv = useTime ? ['-f', '@@%e %M %U %S', process.execPath, cliPath, ...args] : [cliPath, ...args];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let hwm = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch {
        /* exited */
      }
    }, 200);
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`ensemble ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      const m = /@@([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (m) resolve({ seconds: Number(m[1]), peakMb: Number(m[2]) / 1024, cpuSeconds: Number(m[3]) + Number(m[4]) });
      else resolve({ seconds: wall, peakMb: hwm / 1024, cpuSeconds: NaN });
    });
  });
}

/** A copy of the demo's ensemble.json in `dir`/ensemble whose members are `members`/NAME (their sha256 recorded). */
function withMembers(dir: string, members: string): string {
  const demo = path.join(repo, 'ensembles', 'demo');
  const json = JSON.parse(readFileSync(path.join(demo, 'ensemble.json'), 'utf8')) as {
    models: Array<{ name: string; path: string; onnxFile?: string; sha256?: string; lm?: { path: string } }>;
  };
  for (const m of json.models) {
    m.path = path.join(members, m.name);
    m.sha256 = createHash('sha256')
      .update(readFileSync(path.join(m.path, m.onnxFile ?? 'model.onnx')))
      .digest('hex');
    if (m.lm) m.lm.path = path.resolve(demo, m.lm.path);
  }
  const out = path.join(dir, 'ensemble');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'ensemble.json'), JSON.stringify(json, null, 2));
  return out;
}

export async function run(): Promise<void> {
  await ensureBuilt();
  const minutes = (process.env.BENCH_LONGFORM_MINUTES ?? '1,10,60')
    .split(',')
    .map(Number)
    .filter((x) => x > 0);
  const early = Number(process.env.BENCH_LONGFORM_EARLY ?? 2);
  const utts: Utterance[] = manifestUtterances(path.join(repo, 'samples', 'manifest.jsonl'), '');
  let data = 'bundled samples';
  if (existsSync(path.join(shared, 'fosd', 'train.jsonl'))) {
    const vi = manifestUtterances(path.join(shared, 'fosd', 'train.jsonl'), 'vi', 100);
    const digits = manifestUtterances(path.join(shared, 'fsdd', 'train.jsonl'), 'digits').filter((_, i) => i % 27 === 0);
    // Interleave the sources so that every length has the same mix.
    for (let i = 0; i < 100; i++) utts.push(vi[i], digits[i % digits.length]);
    data += ' + 100 FOSD (vi) + 100 FSDD (digits) utterances';
  }
  console.log(
    `data: ${data}, cycled; ensemble ensembles/demo; ensemble infer FILE --quiet (greedy, --route file); ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-longform-'));
  const ensembleArgs = process.env.BENCH_LONGFORM_MEMBERS ? ['--ensemble', withMembers(dir, path.resolve(repo, process.env.BENCH_LONGFORM_MEMBERS))] : [];
  if (ensembleArgs.length) console.log(`members: ${process.env.BENCH_LONGFORM_MEMBERS} (in place of the demo's)`);
  const rows: Array<{ min: number; seconds: number; peakMb: number; cpu: number }> = [];
  try {
    for (const m of minutes) {
      const file = path.join(dir, `${m}min.wav`);
      const { seconds: audio } = await writeLongRecording(file, utts, { targetSeconds: m * 60 });
      const r = await measure(['infer', file, ...ensembleArgs, '--quiet', '--format', 'json']);
      rows.push({ min: m, seconds: r.seconds, peakMb: r.peakMb, cpu: r.cpuSeconds });
      console.log(
        `${m} min (${audio.toFixed(0)} s of audio): ${r.seconds.toFixed(1)} s wall (CPU ${r.cpuSeconds.toFixed(1)} s), ` +
          `${(audio / r.seconds).toFixed(1)}× real time, peak RSS ${r.peakMb.toFixed(0)} MB`,
      );
      if (early > 0) {
        const e = await measure(['infer', file, ...ensembleArgs, '--quiet', '--format', 'json', '--early-route', String(early)]);
        console.log(
          `  --early-route ${early}: ${e.seconds.toFixed(1)} s wall (CPU ${e.cpuSeconds.toFixed(1)} s), peak RSS ${e.peakMb.toFixed(0)} MB; ` +
            `early / full: wall ${(e.seconds / r.seconds).toFixed(2)}, CPU ${(e.cpuSeconds / r.cpuSeconds).toFixed(2)}`,
        );
      }
      rmSync(file, { force: true });
    }
    const one = rows.find((r) => r.min === 1);
    const sixty = rows.find((r) => r.min === 60);
    if (one && sixty) {
      console.log(
        `time(60)/time(1) = ${(sixty.seconds / one.seconds).toFixed(1)} wall, ${(sixty.cpu / one.cpu).toFixed(1)} CPU (target ≤ 70); ` +
          `peak RSS at 60 min ${sixty.peakMb.toFixed(0)} MB (target ≤ 1536)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
