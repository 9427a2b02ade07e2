// Member runs scheduled on the cores (the default) against every member started at once and against one run per core
// (never sharing a core), one request at a time, rotating which goes first, with the per-request wall times printed
// (the at-once times are bimodal: which member the OS leaves a core of its own to is luck), and each against the
// same ensemble with its members in this thread (sequential). Run from the repository root after `npm run build`:
//   node bench/member-schedule.mjs [MEMBERS_DIR] [WAV] [REPEATS]
// MEMBERS_DIR defaults to training/work/scaled-members (`/usr/bin/python3 training/scale_members.py`), loaded in
// place of the demo ensemble's members of the same names; `models` runs the demo's own members.
import path from 'node:path';
import { RUNTIME_DEFAULTS } from '../dist/defaults.js';
import { Ensemble } from '../dist/ensemble/ensemble.js';
import { loadCtcModel } from '../dist/models/load.js';
import { loadCtcModelInWorker, memberRunSlots } from '../dist/runtime/member-workers.js';

const members = path.resolve(process.argv[2] ?? 'training/work/scaled-members');
const file = path.resolve(process.argv[3] ?? 'samples/en_1.wav');
const repeats = Number(process.argv[4] ?? 12);
const memberDir = (d) => path.join(members, path.basename(d));
const ens = await Ensemble.load('ensembles/demo', { loadModel: (d) => loadCtcModelInWorker(memberDir(d)) });
const seq = await Ensemble.load('ensembles/demo', { loadModel: (d) => loadCtcModel(memberDir(d)) });
const cores = memberRunSlots();
const { memberShareMargin, memberWaitCostMs } = RUNTIME_DEFAULTS;
/** Each side sets the schedule before its request; "one per core" turns the sharing rule off. */
const sides = {
  scheduled: () => {
    memberRunSlots(cores);
    Object.assign(RUNTIME_DEFAULTS, { memberShareMargin, memberWaitCostMs });
  },
  'at once': () => memberRunSlots(Infinity),
  'one per core': () => {
    memberRunSlots(cores);
    Object.assign(RUNTIME_DEFAULTS, { memberShareMargin: 0, memberWaitCostMs: -Infinity });
  },
  sequential: () => undefined,
};
const names = Object.keys(sides);
const times = Object.fromEntries(names.map((k) => [k, []]));
for (let i = 0; i < 3; i++) for (const e of [ens, seq]) await e.transcribe(file); // warm-up
for (let r = 0; r < repeats; r++) {
  for (let k = 0; k < names.length; k++) {
    const side = names[(k + r) % names.length];
    sides[side]();
    const t0 = performance.now();
    await (side === 'sequential' ? seq : ens).transcribe(file);
    times[side].push(performance.now() - t0);
  }
}
sides.scheduled();
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`${members}, ${path.basename(file)}, ${cores} cores, wall ms per request (rotating order, after 3 warm-up requests each way)`);
for (const [side, xs] of Object.entries(times)) {
  const ratio = side === 'sequential' ? '' : `, / sequential ${(median(xs) / median(times.sequential)).toFixed(3)}`;
  console.log(`${side.padEnd(12)} ${xs.map((x) => x.toFixed(0)).join(' ')}  median ${median(xs).toFixed(1)}${ratio}`);
}
console.log(`scheduled / at once, medians: ${(median(times.scheduled) / median(times['at once'])).toFixed(3)}`);
await ens.dispose();
await seq.dispose();
