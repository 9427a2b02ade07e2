// Member runs scheduled on the cores (the default) against every member started at once, one request at a time,
// alternating, with the per-request wall times printed (the at-once times are bimodal: which member the OS leaves a
// core of its own to is luck). Run from the repository root after `npm run build`:
//   node bench/member-schedule.mjs [MEMBERS_DIR] [WAV] [REPEATS]
// MEMBERS_DIR defaults to training/work/scaled-members (`/usr/bin/python3 training/scale_members.py`), loaded in
// place of the demo ensemble's members of the same names; `models` runs the demo's own members.
import path from 'node:path';
import { Ensemble } from '../dist/ensemble/ensemble.js';
import { loadCtcModelInWorker, memberRunSlots } from '../dist/runtime/member-workers.js';

const members = path.resolve(process.argv[2] ?? 'training/work/scaled-members');
const file = path.resolve(process.argv[3] ?? 'samples/en_1.wav');
const repeats = Number(process.argv[4] ?? 12);
const ens = await Ensemble.load('ensembles/demo', { loadModel: (d) => loadCtcModelInWorker(path.join(members, path.basename(d))) });
const cores = memberRunSlots();
const times = { scheduled: [], 'at once': [] };
for (let r = 0; r < repeats; r++) {
  for (const side of r % 2 ? ['at once', 'scheduled'] : ['scheduled', 'at once']) {
    memberRunSlots(side === 'scheduled' ? cores : Infinity);
    const t0 = performance.now();
    await ens.transcribe(file);
    times[side].push(performance.now() - t0);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`${members}, ${path.basename(file)}, ${cores} cores, wall ms per request (alternating; the first pair includes warm-up)`);
for (const [side, xs] of Object.entries(times)) console.log(`${side.padEnd(9)} ${xs.map((x) => x.toFixed(0)).join(' ')}  median ${median(xs).toFixed(1)}`);
console.log(`scheduled / at once, medians: ${(median(times.scheduled) / median(times['at once'])).toFixed(3)}`);
await ens.dispose();
