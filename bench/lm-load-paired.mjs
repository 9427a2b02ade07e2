// Binary-LM load, paired: main's code (a compiled tree, e.g. `git archive main src tsconfig.json` built with
// tsc into BASE_DIST), this tree's `read` and `lazy` loads and KenLM `query` on its own binary with no input
// (whole command; it mmaps), alternating round by round so that all see the same machine load; medians.
//   node bench/lm-load-paired.mjs BASE_DIST FILE.bin TEXT [ROUNDS=5] [LINES=100] [KENLM_QUERY KENLM.bin]
// Whole-command times are measured around the child process (spawn included, as for KenLM). Prints the load
// average before and after, and the medians (wall ms of the load call, RSS when it
// returns, first LINES lines scored right after it, time to full residency, process CPU, peak RSS).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [baseDist, bin, text, roundsArg = '5', linesArg = '100', query, kenBin] = process.argv.slice(2);
const ownDist = path.resolve(here, '..', 'dist');
const probe = path.join(here, 'lm-load-probe.mjs');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(args) {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'TIMED %U %S %M', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-1000)}`);
  const wallMs = performance.now() - t0;
  const t = /TIMED ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return { wallMs, cmdCpuMs: 1000 * (Number(t[1]) + Number(t[2])), peakMb: Number(t[3]) / 1024, out: r.stdout };
}

const sides = [
  { name: `main (${baseDist}), full read`, run: () => timed([process.execPath, probe, baseDist, bin, 'default', text, linesArg]) },
  { name: 'this tree, --lm-load read', run: () => timed([process.execPath, probe, ownDist, bin, 'read', text, linesArg]) },
  { name: 'this tree, --lm-load lazy', run: () => timed([process.execPath, probe, ownDist, bin, 'lazy', text, linesArg]) },
];
if (query) sides.push({ name: `KenLM query ${kenBin} < /dev/null (whole command)`, run: () => timed([query, kenBin]), kenlm: true });

console.log(
  `${new Date().toISOString()} load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${bin}; first ${linesArg} lines of ${text}`,
);
const results = sides.map(() => []);
for (let r = 0; r < Number(roundsArg); r++) {
  sides.forEach((s, i) => {
    const t = s.run();
    const p = s.kenlm ? {} : JSON.parse(t.out.trim().split('\n').pop());
    results[i].push({ ...t, ...p });
  });
}
sides.forEach((s, i) => {
  const rs = results[i];
  const m = (f) => median(rs.map(f));
  if (s.kenlm) {
    console.log(
      `${s.name}: whole command ${m((x) => x.wallMs).toFixed(0)} ms (CPU ${m((x) => x.cmdCpuMs).toFixed(0)} ms), peak RSS ${m((x) => x.peakMb).toFixed(0)} MiB`,
    );
    return;
  }
  const totals = new Set(rs.map((x) => x.firstTotal));
  console.log(
    `${s.name}: load returns ${m((x) => x.loadMs).toFixed(1)} ms (runs ${rs.map((x) => x.loadMs.toFixed(1)).join(', ')}), RSS then ${m((x) => x.rssAtLoadMb).toFixed(0)} MiB; ` +
      `first ${rs[0].firstLines} lines (${rs[0].firstTokens} tokens) ${m((x) => x.firstMs).toFixed(1)} ms; resident at ${m((x) => x.residentMs).toFixed(1)} ms; ` +
      `CPU in process ${m((x) => x.cpuMs).toFixed(0)} ms; RSS ${m((x) => x.rssMb).toFixed(0)} MiB; whole command ${m((x) => x.wallMs).toFixed(0)} ms (CPU ${m((x) => x.cmdCpuMs).toFixed(0)} ms, peak RSS ${m((x) => x.peakMb).toFixed(0)} MiB); ` +
      `log10 total of those lines ${[...totals].join(' / ')}`,
  );
});
console.log(
  `${new Date().toISOString()} load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
