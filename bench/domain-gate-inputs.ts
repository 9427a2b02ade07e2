// Which input should the domain gate read: the whole utterance or its first S seconds? Fits the gate's logistic
// regression (as `ensemble build` does: NeMo's LR grid tuned on the selector's dev inputs, temperature-scaled on them)
// on acoustic summaries of whole inputs and of 0.5 / 1 / 1.5 s prefixes, and prints accuracy and coverage at a few
// floors on held-out sets. Usage (the demo's training data, see README "Domain gate"):
//   npx vite-node bench/domain-gate-inputs.ts DATA_DIR    (or BENCH_GATE_DATA=DATA_DIR npm run bench -- domain-gate-inputs)
// with DATA_DIR/{en,vi,digits}/{selector_mix,selector_mix_dev,dev,test}.jsonl (training/work/data of the demo build);
// skipped with a message without it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AcousticSummary } from '../src/features/acoustic-summary.js';
import { loadManifest } from '../src/ensemble/manifest.js';
import { DecodedAudio } from '../src/ensemble/runner.js';
import { fitProbabilityTemperature, selectorAccuracy, tuneSelector } from '../src/selector/index.js';

export async function run(data = process.env.BENCH_GATE_DATA): Promise<void> {
  if (!data) {
    console.log("domain gate inputs: skipped (set BENCH_GATE_DATA=DIR, the demo build's training/work/data)");
    return;
  }
  const domains = ['en', 'vi', 'digits'];
  const sets = { train: 'selector_mix.jsonl', seldev: 'selector_mix_dev.jsonl', dev: 'dev.jsonl', test: 'test.jsonl' } as const;
  const prefixes = [0.5, 1, 1.5];
  type Row = { y: number; whole: number[]; pre: number[][] };
  const rows: Record<string, Row[]> = {};
  let summaryMs = 0;
  let audioSeconds = 0;
  for (const [k, f] of Object.entries(sets)) {
    rows[k] = [];
    for (const [y, d] of domains.entries()) {
      for (const e of (await loadManifest(path.join(data, d, f), { checkAudio: false })).entries) {
        const s16 = (await DecodedAudio.from(e.audioPath)).at(16000);
        const t0 = process.cpuUsage();
        const whole = new AcousticSummary().add(s16).features();
        const dt = process.cpuUsage(t0);
        summaryMs += (dt.user + dt.system) / 1000;
        audioSeconds += s16.length / 16000;
        const pre = prefixes.map((S) => new AcousticSummary().add(s16.subarray(0, Math.min(s16.length, Math.round(S * 16000)))).features());
        rows[k].push({ y, whole, pre });
      }
    }
  }
  console.log(`acoustic summary of whole inputs: ${(summaryMs / audioSeconds).toFixed(2)} ms of CPU per second of audio (${audioSeconds.toFixed(0)} s)`);
  const floors = [0.8, 0.9, 0.95, 0.98, 0.99];
  for (const [v, label] of [[-1, 'whole input'], ...prefixes.map((S, i) => [i, `first ${S} s`] as const)] as const) {
    const X = (k: string): number[][] => rows[k].map((r) => (v < 0 ? r.whole : r.pre[v]));
    const Y = (k: string): number[] => rows[k].map((r) => r.y);
    let sel = tuneSelector(X('train'), Y('train'), X('seldev'), Y('seldev'), {}).selector;
    sel = sel.with({ probabilityTemperature: fitProbabilityTemperature(sel, X('seldev'), Y('seldev')) });
    for (const k of ['dev', 'test']) {
      const pr = sel.predictProba(X(k));
      const y = Y(k);
      const at = floors.map((p) => {
        let n = 0;
        let ok = 0;
        pr.forEach((row, i) => {
          const top = Math.max(...row);
          if (top >= p) {
            n++;
            if (sel.classes[row.indexOf(top)] === y[i]) ok++;
          }
        });
        return `P ${p}: ${((100 * n) / y.length).toFixed(1)} % at ${n ? ((100 * ok) / n).toFixed(1) : '–'} %`;
      });
      console.log(`${label}, ${k}: accuracy ${(100 * selectorAccuracy(sel, X(k), y)).toFixed(1)} %; gated / their accuracy ${at.join('; ')}`);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run(process.argv[2]);
