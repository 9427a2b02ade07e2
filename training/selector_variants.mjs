// The demo selector's variants scored on the DEV sets only (issue 18): the synthetic dev sets (dev/*.wav) and
// select_real (real clips no member trained on), per domain; never real_dev or test.
//
//   node training/selector_variants.mjs rows NAME SET   selector input rows of data/<domain>/SET.jsonl for all three
//                                                        domains (via `ensemble build` and its cache in
//                                                        training/work/ens_rows) -> training/work/selexp/NAME.json
//   node training/selector_variants.mjs score [TRAIN,…]  fits every NeMo LR setting (+ C 1e5) on the rows named TRAIN
//                                                        (default mix), scores selector_mix_dev; TOP=n lines, best
//                                                        dev accuracy first; NO_TRAIN_SYNTH=1 drops train/*.wav rows
//
// Needs `npm run build` (reads dist/) and the manifests of training/selector_sets.py. Run from the repository root.
import fs from 'node:fs';
import { buildEnsemble } from '../dist/ensemble/build.js';
import { trainSelector } from '../dist/selector/selector.js';
import { nemoCGrid } from '../dist/selector/tuning.js';

const W = 'training/work';
const rowsFile = (n) => `${W}/selexp/${n}.json`;
const [cmd, ...args] = process.argv.slice(2);

if (cmd === 'rows') {
  const [name, set, devSet = 'selector_mix_dev'] = args;
  const ov = ['tune_logistic_regression=false', 'selector.calibration=none'];
  ['en', 'vi', 'digits'].forEach((d, i) =>
    ov.push(
      `ensemble.${i}.training_manifest=${W}/data/${d}/${set}.jsonl`,
      `ensemble.${i}.dev_manifest=${W}/data/${d}/${devSet}.jsonl`,
      `ensemble.${i}.max_training_samples=1000000`,
    ),
  );
  const r = await buildEnsemble('configs/demo.yaml', { outDir: `${W}/ens_rows`, overrides: ov, progress: false, log: () => undefined, concurrency: 2 });
  fs.mkdirSync(`${W}/selexp`, { recursive: true });
  const y = r.training.flatMap((s, j) => s.map(() => j));
  const files = r.training.flatMap((s) => s.map((e) => e.audioPath));
  fs.writeFileSync(rowsFile(name), JSON.stringify({ X: r.selectorInputs.train, y, files }));
  console.log(`${name}: ${y.length} rows`);
} else if (cmd === 'score') {
  const load = (n) => JSON.parse(fs.readFileSync(rowsFile(n), 'utf8'));
  const sets = (args[0] ?? 'mix').split(',').map(load);
  if (process.env.NO_TRAIN_SYNTH) {
    for (const s of sets) {
      const keep = s.files.map((f) => !/\/train\/\d+\.wav$/.test(f));
      for (const k of ['X', 'y']) s[k] = s[k].filter((_, i) => keep[i]);
    }
  }
  const X = sets.flatMap((s) => s.X);
  const y = sets.flatMap((s) => s.y);
  const dev = load('mixdev'); // rows of selector_mix_dev.jsonl: `rows mixdev selector_mix_dev`
  const synthetic = dev.files.map((f) => /\/dev\/\d+\.wav$/.test(f));
  const pct = (x) => (x * 100).toFixed(1);
  const out = [];
  for (const multiClass of ['ovr', 'multinomial'])
    for (const classWeight of [null, 'balanced'])
      for (const C of [...nemoCGrid(), 1e5]) {
        const p = trainSelector(X, y, { C, multiClass, classWeight }).predict(dev.X);
        const ok = { true: [0, 0, 0], false: [0, 0, 0] };
        const n = { true: [0, 0, 0], false: [0, 0, 0] };
        p.forEach((k, i) => {
          n[synthetic[i]][dev.y[i]]++;
          if (k === dev.y[i]) ok[synthetic[i]][dev.y[i]]++;
        });
        const sum = (a) => a.reduce((u, v) => u + v, 0);
        out.push({
          multiClass,
          classWeight,
          C,
          all: (sum(ok.true) + sum(ok.false)) / p.length,
          synth: sum(ok.true) / sum(n.true),
          synthPer: ok.true.map((v, i) => v / n.true[i]),
          realPer: ok.false.map((v, i) => v / n.false[i]),
        });
      }
  out.sort((a, b) => b.all - a.all);
  console.log(`training rows ${X.length}; dev ${dev.y.length} (synthetic ${synthetic.filter(Boolean).length})`);
  for (const o of out.slice(0, Number(process.env.TOP ?? 10))) {
    console.log(
      `${o.multiClass.padEnd(11)} ${String(o.classWeight).padEnd(8)} C ${o.C.toPrecision(3).padEnd(8)} dev ${pct(o.all)} | synthetic dev ${pct(o.synth)} ` +
        `(en/vi/digits ${o.synthPer.map(pct).join(' / ')}) | select_real ${o.realPer.map(pct).join(' / ')}`,
    );
  }
} else {
  console.error('usage: node training/selector_variants.mjs rows NAME SET | score [TRAIN,…]');
  process.exit(2);
}
