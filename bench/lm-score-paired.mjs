// Scoring speed once resident, paired in one process: main's code (a compiled tree BASE_DIST, its default load)
// and this tree's lazy load (awaited until every table is resident) score the same text from its bytes
// (`scoreTextLines`, as `lm score` and KenLM query read), alternating, ROUNDS times; medians of the rates and of
// the per-pair ratios, wall and CPU (this thread: scoring is synchronous).
//   node bench/lm-score-paired.mjs BASE_DIST FILE.bin TEXT [ROUNDS=7]
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [baseDist, bin, textFile, roundsArg = '7'] = process.argv.slice(2);
const load = (dist) => import(pathToFileURL(path.resolve(dist, 'lm', 'index.js')).href);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = await load(baseDist);
const own = await load(path.resolve(here, '..', 'dist'));
const text = readFileSync(textFile);
const baseModel = await base.loadLanguageModel(bin);
const ownModel = await own.loadLanguageModel(bin, { load: 'lazy' });
await ownModel.whenResident();
if (ownModel.loading) throw new Error('still loading');

function run(lm, m) {
  const totals = lm.emptyTextScoreTotals();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  m.scoreTextLines(text, 0, text.length, totals);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { rate: totals.tokens / ms / 1000, cpuRate: totals.tokens / ((c.user + c.system) / 1000) / 1000, total: totals.total };
}

console.log(
  `${new Date().toISOString()} load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${bin}; ${textFile}`,
);
const b = [];
const o = [];
run(base, baseModel); // warm-up of both
run(own, ownModel);
for (let r = 0; r < Number(roundsArg); r++) {
  b.push(run(base, baseModel));
  o.push(run(own, ownModel));
}
const same = b.every((x, i) => x.total === o[i].total);
console.log(
  `main: ${median(b.map((x) => x.rate)).toFixed(3)} M words/s (per CPU second ${median(b.map((x) => x.cpuRate)).toFixed(3)}); ` +
    `this tree, lazy load once resident: ${median(o.map((x) => x.rate)).toFixed(3)} (${median(o.map((x) => x.cpuRate)).toFixed(3)}); ` +
    `ratio this / main, median of pairs: wall ${median(o.map((x, i) => x.rate / b[i].rate)).toFixed(3)}, CPU ${median(o.map((x, i) => x.cpuRate / b[i].cpuRate)).toFixed(3)}; ` +
    `totals ${same ? 'identical' : 'DIFFER'} (${o[0].total})`,
);
console.log(
  `${new Date().toISOString()} load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
