/**
 * `ensemble tune-lm`: grid search of each member's LM weight (alpha) and word bonus (beta) on that
 * member's dev manifest, by corpus WER of the LM-fused beam search; the best pair (the first one on
 * ties, in alpha-major grid order) is written back into `ensemble.json` atomically.
 * Each member's posteriors are computed once per dev utterance; only the beam search reruns per pair.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { mapConcurrent } from '../util/concurrency.js';
import { addCounts, errorRate, wordErrors, zeroCounts, type ErrorCounts } from './wer.js';
import type { Logprobs } from '../models/types.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { DEFAULT_BEAM, Ensemble, type EnsembleLoadOptions } from '../ensemble/ensemble.js';
import { ENSEMBLE_FILE, resolveFrom, type EnsembleJson } from '../ensemble/format.js';
import { loadManifest, requireWholeFiles } from '../ensemble/manifest.js';
import { Progress, type ProgressOptions } from '../ensemble/progress.js';
import { DecodedAudio } from '../ensemble/runner.js';

export const DEFAULT_TUNE_ALPHAS = [0, 0.25, 0.5, 0.75, 1, 1.5, 2];
export const DEFAULT_TUNE_BETAS = [0, 0.5, 1, 1.5, 2, 3];

export interface TuneLmOptions {
  alphas?: number[];
  betas?: number[];
  /** Beam width of the search (default: the inference default, 100). */
  beam?: number;
  /** Only these members (names); default every member with an LM and a dev manifest. */
  members?: string[];
  /** Use at most this many dev utterances per member (first lines). */
  maxUtterances?: number;
  concurrency?: number;
  progress?: ProgressOptions | false;
  log?: (line: string) => void;
  /** Do not write ensemble.json (report only). */
  dryRun?: boolean;
  loadModel?: EnsembleLoadOptions['loadModel'];
}

export interface TuneLmMemberResult {
  name: string;
  alpha: number;
  beta: number;
  devWer: number;
  greedyWer: number;
  previous: { alpha: number; beta: number; wer: number };
  utterances: number;
  /** WER per (alpha, beta), alpha-major. */
  grid: Array<{ alpha: number; beta: number; wer: number }>;
}

export interface TuneLmResult {
  file: string;
  members: TuneLmMemberResult[];
  skipped: Array<{ name: string; reason: string }>;
}

function checkGrid(name: string, values: number[], min?: number): void {
  if (values.length === 0) throw new UserError(`${name} must list at least one value`, { code: 'E_OPTIONS' });
  for (const v of values) {
    if (!Number.isFinite(v) || (min !== undefined && v < min)) {
      throw new UserError(`${name}: ${v} is not a ${min !== undefined ? `number ≥ ${min}` : 'finite number'}`, { code: 'E_OPTIONS' });
    }
  }
}

export async function tuneLm(dir: string, options: TuneLmOptions = {}): Promise<TuneLmResult> {
  const alphas = options.alphas ?? DEFAULT_TUNE_ALPHAS;
  const betas = options.betas ?? DEFAULT_TUNE_BETAS;
  checkGrid('alphas', alphas, 0);
  checkGrid('betas', betas);
  const beam = options.beam ?? DEFAULT_BEAM;
  const log = options.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const ensemble = await Ensemble.load(dir, { loadModel: options.loadModel });
  const results: TuneLmMemberResult[] = [];
  const skipped: Array<{ name: string; reason: string }> = [];
  try {
    const json = ensemble.json;
    const wanted = options.members;
    if (wanted) {
      for (const n of wanted) {
        if (!json.models.some((m) => m.name === n)) {
          throw new UserError(`--member ${n}: not a member of the ensemble (members: ${json.models.map((m) => m.name).join(', ')})`, { code: 'E_OPTIONS' });
        }
      }
    }
    for (const [i, m] of json.models.entries()) {
      if (wanted && !wanted.includes(m.name)) continue;
      if (!m.lm) {
        skipped.push({ name: m.name, reason: 'no LM' });
        continue;
      }
      if (!m.devManifest) {
        skipped.push({ name: m.name, reason: 'no dev_manifest in the ensemble YAML' });
        continue;
      }
      const manifestFile = resolveFrom(dir, m.devManifest);
      const man = await loadManifest(manifestFile, { requireText: true });
      requireWholeFiles(man, 'tune-lm');
      const entries = options.maxUtterances ? man.entries.slice(0, options.maxUtterances) : man.entries;
      if (entries.length === 0) {
        skipped.push({ name: m.name, reason: 'empty dev manifest' });
        continue;
      }
      await ensemble.lmOf(i); // load once before the search
      const lps: Logprobs[] = await mapConcurrent(entries, options.concurrency ?? 4, async (e) => {
        const audio = await DecodedAudio.from(e.audioPath);
        return (await ensemble.posteriors(audio, [i]))[0];
      });
      const refs = entries.map((e) => e.text!);
      const corpusWer = async (decode: (lp: Logprobs) => Promise<string>): Promise<number> => {
        let c: ErrorCounts = zeroCounts();
        for (let u = 0; u < lps.length; u++) c = addCounts(c, wordErrors(refs[u], await decode(lps[u])));
        return errorRate(c);
      };
      const greedyWer = await corpusWer((lp) => ensemble.memberText(i, lp));
      const progress =
        options.progress === false
          ? null
          : new Progress(
              `tune-lm ${m.name} (${alphas.length}×${betas.length} on ${entries.length} utterances)`,
              alphas.length * betas.length,
              options.progress ?? {},
            );
      const grid: TuneLmMemberResult['grid'] = [];
      let best: { alpha: number; beta: number; wer: number } | null = null;
      for (const alpha of alphas) {
        for (const beta of betas) {
          const w = await corpusWer((lp) => ensemble.memberText(i, lp, { lm: true, alpha, beta, beam }));
          grid.push({ alpha, beta, wer: w });
          if (!best || w < best.wer) best = { alpha, beta, wer: w };
          progress?.tick();
        }
      }
      progress?.finish();
      const previousWer = await corpusWer((lp) => ensemble.memberText(i, lp, { lm: true, beam }));
      results.push({
        name: m.name,
        alpha: best!.alpha,
        beta: best!.beta,
        devWer: best!.wer,
        greedyWer,
        previous: { alpha: m.lm.alpha, beta: m.lm.beta, wer: previousWer },
        utterances: entries.length,
        grid,
      });
      log(
        `${m.name}: alpha ${best!.alpha}, beta ${best!.beta}: dev WER ${(best!.wer * 100).toFixed(2)}% ` +
          `(was alpha ${m.lm.alpha}, beta ${m.lm.beta}: ${(previousWer * 100).toFixed(2)}%; greedy ${(greedyWer * 100).toFixed(2)}%; ${entries.length} utterances)`,
      );
    }
  } finally {
    await ensemble.dispose();
  }
  if (results.length === 0) {
    throw new UserError(
      `no member could be tuned: ${skipped.map((s) => `${s.name} (${s.reason})`).join(', ') || 'none selected'}; tune-lm needs members with lm and dev_manifest (with text)`,
      { source: dir, code: 'E_TUNE_LM' },
    );
  }
  for (const s of skipped) log(`${s.name}: skipped (${s.reason})`);

  // Write back: re-read the file so that nothing else in it changes.
  const file = path.join(dir, ENSEMBLE_FILE);
  if (!options.dryRun) {
    const raw = JSON.parse(await fs.readFile(file, 'utf8')) as EnsembleJson;
    for (const r of results) {
      const m = raw.models.find((x) => x.name === r.name);
      if (!m?.lm) continue;
      m.lm.alpha = r.alpha;
      m.lm.beta = r.beta;
      m.lm.source = 'tune-lm';
      m.lm.tuning = { devWer: r.devWer, greedyWer: r.greedyWer, utterances: r.utterances, alphas, betas, beam };
    }
    await writeFileAtomic(file, `${JSON.stringify(raw, null, 2)}\n`);
  }
  return { file, members: results, skipped };
}
