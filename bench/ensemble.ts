// Ensemble timings: `npm run bench -- ensemble`. On the tone-model ensembles of tests (2 and 3 members; the
// 3-member one has two front-end configurations): `ensemble build` model passes per second (cold, then the
// resumed build from the cache), and `Ensemble.transcribe` latency per stage and throughput (× real time)
// sequentially and with 4 requests in flight.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildEnsemble } from '../src/ensemble/build.js';
import { Ensemble } from '../src/ensemble/ensemble.js';
import { fixtureYaml, makeFixture } from '../tests/helpers/ensemble-fixture.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function run(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bench-ensemble-'));
  try {
    for (const domains of [2, 3]) {
      const fx = makeFixture(path.join(root, `d${domains}`), { domains, train: 30, dev: 1, test: 10, mel64: domains === 3 ? [2] : [] });
      const yaml = path.join(fx.root, 'e.yaml');
      writeFileSync(yaml, fixtureYaml(fx));
      const quiet = { progress: false as const, log: () => undefined };
      let t0 = performance.now();
      const cold = await buildEnsemble(yaml, quiet);
      const coldS = (performance.now() - t0) / 1000;
      t0 = performance.now();
      const warm = await buildEnsemble(yaml, quiet);
      const warmS = (performance.now() - t0) / 1000;
      console.log(
        `${domains} models: build ${cold.stats.modelPasses} passes (${cold.stats.frontEndPasses} front ends) in ${coldS.toFixed(2)} s ` +
          `= ${(cold.stats.modelPasses / coldS).toFixed(1)} passes/s; resumed build (${warm.stats.cachedPasses} cached) ${warmS.toFixed(2)} s`,
      );
      const ens = await Ensemble.load(cold.outDir);
      try {
        const files = fx.domains.flatMap((d) => d.testFiles);
        for (const f of files.slice(0, 3)) await ens.transcribe(f); // warm-up
        const stages: Record<string, number[]> = {};
        let audio = 0;
        t0 = performance.now();
        for (const f of files) {
          const r = await ens.transcribe(f);
          audio += r.audioSeconds;
          for (const [k, v] of Object.entries(r.timingsMs)) (stages[k] ??= []).push(v);
        }
        const seqS = (performance.now() - t0) / 1000;
        t0 = performance.now();
        const queue = [...files, ...files];
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            for (let f = queue.pop(); f; f = queue.pop()) await ens.transcribe(f);
          }),
        );
        const parS = (performance.now() - t0) / 1000;
        const per = Object.entries(stages)
          .map(([k, v]) => `${k} ${median(v).toFixed(2)}`)
          .join(', ');
        console.log(`  transcribe (median ms per utterance of ${(audio / files.length).toFixed(2)} s): ${per}`);
        console.log(`  throughput: sequential ${(audio / seqS).toFixed(1)}× real time; 4 in flight ${((2 * audio) / parS).toFixed(1)}× real time`);
      } finally {
        await ens.dispose();
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
