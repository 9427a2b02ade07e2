// One in-memory `lm build` (order 5) in process, with the second thread forced on or off, for bench/lm-build-paired.sh:
//   node bench/lm-build-mode.mjs DIST CORPUS two|one|auto [MEMORY_MIB]
// prints wall time, CPU of all threads (user + sys), CPU of the main thread alone (/proc/self/task/PID/stat) and peak RSS.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, corpus, mode, memory] = process.argv.slice(2);
const { buildArpa } = await import(pathToFileURL(path.resolve(dist, 'lm', 'build.js')).href);
const secondThread = { two: 'always', one: 'never', auto: 'auto' }[mode];
if (!secondThread) throw new Error(`mode: two, one or auto (got ${mode})`);
const out = path.join(os.tmpdir(), `lm-build-mode-${mode}.arpa`);
const t0 = performance.now();
await buildArpa(corpus, out, {
  order: 5,
  discountFallback: [0.5, 1, 1.5],
  parallel: { secondThread },
  ...(memory ? { memoryBytes: Number(memory) * 2 ** 20 } : {}),
});
const wall = (performance.now() - t0) / 1000;
const c = process.cpuUsage();
const st = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
const mainCpu = (Number(st[11]) + Number(st[12])) / 100; // utime + stime in clock ticks
console.log(
  `${mode.padEnd(6)} ${wall.toFixed(2)} s wall ${((c.user + c.system) / 1e6).toFixed(2)} s cpu, main thread ${mainCpu.toFixed(2)} s, ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB peak (${out})`,
);
