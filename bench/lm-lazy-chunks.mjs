// Lazy-load chunk size, one fresh process per call: load FILE.bin lazily with CHUNK-byte chunks (4 MiB background
// reads), score the first LINES lines of TEXT right after the load returns, then wait for full residency.
//   node bench/lm-lazy-chunks.mjs FILE.bin TEXT CHUNK LINES
// Prints the load call's ms, the first lines' ms, ms until resident and the process's CPU ms.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [bin, textFile, chunkArg, linesArg] = process.argv.slice(2);
const lm = await import(pathToFileURL(path.resolve(here, '..', 'dist', 'lm', 'index.js')).href);
const text = readFileSync(textFile).subarray(0, 1 << 22);
let end = 0;
for (let i = 0; i < Number(linesArg); i++) end = text.indexOf(10, end) + 1;
const c0 = process.cpuUsage();
const t0 = performance.now();
const m = await lm.readBinaryModel(bin, 'lazy', { chunkBytes: Number(chunkArg), readBytes: 1 << 22 });
const t1 = performance.now();
m.scoreTextLines(text, 0, end, lm.emptyTextScoreTotals());
const t2 = performance.now();
await m.whenResident();
const t3 = performance.now();
const c = process.cpuUsage(c0);
console.log(
  `chunk ${chunkArg} lines ${linesArg}: load ${(t1 - t0).toFixed(1)} ms, first lines ${(t2 - t1).toFixed(1)} ms, resident at ${(t3 - t0).toFixed(1)} ms, CPU ${((c.user + c.system) / 1000).toFixed(0)} ms`,
);
