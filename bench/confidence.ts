// Confidence and selector timings: `npm run bench -- confidence`.
import { applyTemperature, computeConfidence, computeConfidenceGrid, DEFAULT_CONFIDENCE_SPEC } from '../src/confidence/index.js';
import { nemoTuningGrid } from '../src/confidence/spec.js';
import { trainSelector, tuneSelector } from '../src/selector/index.js';

function synthLogprobs(frames: number, V: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const rnd = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
  const logits = new Float32Array(frames * V);
  for (let f = 0; f < frames; f++) {
    const hot = rnd() < 0.6 ? V - 1 : Math.floor(rnd() * (V - 1)); // ~60 % blank frames, as CTC
    for (let v = 0; v < V; v++) logits[f * V + v] = (v === hot ? 8 : 0) + 2 * rnd();
  }
  return applyTemperature(logits, frames, V, 1);
}

function time(fn: () => void, minMs = 300): number {
  fn(); // warm-up / JIT
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    fn();
    n++;
    t = performance.now();
  }
  return (t - t0) / n;
}

export async function run(): Promise<void> {
  const frames = 1000;
  const V = 1025;
  const lp = synthLogprobs(frames, V, 1);
  const specs = nemoTuningGrid();
  const one = time(() => computeConfidence(lp, frames, V, V - 1, DEFAULT_CONFIDENCE_SPEC));
  const grid = time(() => computeConfidenceGrid(lp, frames, V, V - 1, specs));
  const separate = time(() => {
    for (const s of specs) computeConfidence(lp, frames, V, V - 1, s);
  }, 1000);
  console.log(
    `computeConfidence (renyi_lin α=0.25 mean, ${frames} frames × ${V}): ${one.toFixed(2)} ms  (${((frames * V) / one / 1e3).toFixed(0)} M values/s)`,
  );
  console.log(`computeConfidenceGrid, ${specs.length} specs, one pass: ${grid.toFixed(2)} ms`);
  console.log(`${specs.length} separate computeConfidence calls: ${separate.toFixed(1)} ms  → grid is ${(separate / grid).toFixed(1)}× faster`);

  // Selector: training and the 44-setting LR search on ensemble-sized data (3 models × 300 utterances).
  let s = 7;
  const rnd = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
  const make = (per: number): { X: number[][]; y: number[] } => {
    const X: number[][] = [];
    const y: number[] = [];
    for (let k = 0; k < 3; k++)
      for (let i = 0; i < per; i++) {
        X.push([0, 1, 2].map((m) => 0.15 + (m === k ? 0.06 : 0) + 0.08 * (rnd() - 0.5)));
        y.push(k);
      }
    return { X, y };
  };
  const tr = make(300);
  const dv = make(100);
  const fit = time(() => trainSelector(tr.X, tr.y), 500);
  const sel = trainSelector(tr.X, tr.y);
  console.log(
    `trainSelector (900 × 3, NeMo defaults, to max|∇| ≤ 1e-10): ${fit.toFixed(2)} ms, ${sel.training!.iterations} L-BFGS iterations, final max|∇| ${sel.training!.gradNorm.toExponential(1)}`,
  );
  const tune = time(() => tuneSelector(tr.X, tr.y, dv.X, dv.y), 1000);
  console.log(
    `tuneSelector (44 settings, 900 train / 300 dev): ${tune.toFixed(0)} ms → 144-spec tuning ≈ ${((tune * 120) / 1000).toFixed(1)} s (120 distinct specs)`,
  );
}
