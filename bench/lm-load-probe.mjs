// One binary-LM load in a fresh process, for `npm run bench -- lm` and bench/lm-load-paired.sh:
//   node bench/lm-load-probe.mjs DIST FILE.bin read|lazy|default TEXT LINES
// DIST is a compiled tree (this one's dist/ or another commit's, e.g. main's, for a paired comparison; a tree
// without lazy loading takes `default`). Prints one JSON line: the load call's wall time and the process's RSS
// when it returns; the time to score the first LINES lines of TEXT right after it (for a lazy load, the
// lookups that read the chunks they touch); the time from the load call until every table is resident; RSS
// then; the process's CPU time (all threads) over the whole; and the total log10 of those lines, which must
// be the same for every method.
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, file, method, textFile, linesArg] = process.argv.slice(2);
const lm = await import(pathToFileURL(path.resolve(dist, 'lm', 'index.js')).href);
// the text's first 4 MiB only (enough for the lines scored), so that it adds little to the RSS
const fd = openSync(textFile, 'r');
const text = Buffer.allocUnsafe(1 << 22);
const textLength = readSync(fd, text, 0, text.length, 0);
closeSync(fd);
let end = 0;
for (let n = 0; n < Number(linesArg) && end < textLength; n++) {
  const nl = text.indexOf(10, end);
  end = nl < 0 || nl >= textLength ? textLength : nl + 1;
}
const mb = () => process.memoryUsage().rss / 2 ** 20;
const c0 = process.cpuUsage();
const t0 = performance.now();
const m = await lm.loadLanguageModel(file, method === 'default' ? {} : { load: method });
const loadMs = performance.now() - t0;
const rssAtLoadMb = mb();
const loadingAfterLoad = m.loading === true;
const totals = lm.emptyTextScoreTotals();
m.scoreTextLines(text, 0, end, totals);
const firstMs = performance.now() - t0 - loadMs;
if (typeof m.whenResident === 'function') await m.whenResident();
const residentMs = performance.now() - t0;
const cpu = process.cpuUsage(c0);
console.log(
  JSON.stringify({
    method,
    loadMs,
    rssAtLoadMb,
    loadingAfterLoad,
    firstLines: totals.lines,
    firstTokens: totals.tokens,
    firstMs,
    residentMs,
    rssMb: mb(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    firstTotal: totals.total,
  }),
);
