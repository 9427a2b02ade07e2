import { promises as fs } from 'node:fs';
import type { Command } from 'commander';
import { DECODING_DEFAULTS as D } from '../defaults.js';
import { numberArg } from './options.js';
import { lmLoadOption } from './lm.js';
import type { LmLoadMethod } from '../lm/constants.js';
import { UserError } from '../util/errors.js';
import { loadLanguageModel } from '../lm/index.js';
import { buildAlphabet } from '../decoding/alphabet.js';
import { prefixBeamSearch } from '../decoding/prefix-beam-search.js';

/** Contents of `ensemble decode --logprobs FILE.json`. */
export interface LogprobsFile {
  vocabulary: string[];
  blank: number;
  /** Row-major [frames][vocabulary.length]. */
  data: Float32Array;
  frames: number;
  /** Rows that were not normalised log-probabilities and were log-softmaxed. */
  renormalisedRows: number;
}

/**
 * Parses and validates `{"vocabulary": [...], "blank": <index>, "logprobs": [[...], ...]}`. Every problem is a
 * UserError naming the file and the field (and row/column). Rows whose log-sum-exp is not 0 (±0.01), e.g. raw
 * logits, are log-softmaxed (as pyctcdecode does) and counted in `renormalisedRows`.
 */
export function parseLogprobsJson(text: string, source: string): LogprobsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`not valid JSON: ${(e as Error).message}`, { source });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UserError('expected a JSON object with "vocabulary", "blank" and "logprobs"', { source });
  }
  const obj = json as Record<string, unknown>;
  const vocab = obj.vocabulary;
  if (!Array.isArray(vocab)) throw new UserError('"vocabulary" must be an array of token strings', { source });
  if (vocab.length === 0) throw new UserError('"vocabulary" is empty', { source });
  vocab.forEach((t, i) => {
    if (typeof t !== 'string') throw new UserError(`"vocabulary"[${i}] must be a string, got ${JSON.stringify(t)}`, { source });
  });
  const V = vocab.length;
  const blank = obj.blank;
  if (blank === undefined) throw new UserError('"blank" (index of the blank token) is missing', { source });
  if (typeof blank !== 'number' || !Number.isInteger(blank) || blank < 0 || blank >= V) {
    throw new UserError(`"blank" must be an integer index into "vocabulary" (0..${V - 1}), got ${JSON.stringify(blank)}`, { source });
  }
  const rows = obj.logprobs;
  if (!Array.isArray(rows)) throw new UserError('"logprobs" must be an array of rows (one per frame)', { source });
  const frames = rows.length;
  const data = new Float32Array(frames * V);
  let renormalisedRows = 0;
  for (let t = 0; t < frames; t++) {
    const row = rows[t];
    if (!Array.isArray(row)) throw new UserError(`"logprobs"[${t}] must be an array of ${V} numbers`, { source });
    if (row.length !== V) {
      throw new UserError(`"logprobs"[${t}] has ${row.length} values, expected ${V} (the vocabulary size)`, { source });
    }
    let max = -Infinity;
    for (let k = 0; k < V; k++) {
      const v = row[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        // JSON.stringify would print Infinity (from 1e999) and NaN as "null".
        const got = typeof v === 'number' ? `${v} (not finite)` : JSON.stringify(v);
        throw new UserError(`"logprobs"[${t}][${k}] must be a finite number, got ${got}`, { source });
      }
      if (v > max) max = v;
    }
    let z = 0;
    for (let k = 0; k < V; k++) z += Math.exp(row[k] - max);
    const lz = max + Math.log(z);
    const renorm = Math.abs(lz) > 0.01;
    if (renorm) renormalisedRows++;
    for (let k = 0; k < V; k++) data[t * V + k] = renorm ? row[k] - lz : row[k];
  }
  return { vocabulary: vocab as string[], blank, data, frames, renormalisedRows };
}

interface DecodeOptions {
  logprobs: string;
  lm?: string;
  lmLoad: LmLoadMethod;
  alpha: number;
  beta: number;
  beam: number;
  top: number;
  hotword: string[];
  hotwordWeight: number;
  beamPruneLogp: number;
  tokenMinLogp: number;
  lowerCase?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('decode')
    .description(
      'CTC prefix beam search over posteriors in a JSON file {"vocabulary": [...], "blank": i, "logprobs": [[...], ...]} ' +
        '(natural-log, one row per frame), optionally with a word n-gram LM; prints the best transcript',
    )
    .requiredOption('--logprobs <file>', 'JSON file with vocabulary, blank index and log-probabilities')
    .option('--lm <path>', 'word n-gram LM: ARPA file or compiled binary')
    .addOption(lmLoadOption())
    .option('--alpha <a>', 'LM weight', numberArg('--alpha'), D.alpha)
    .option('--beta <b>', 'word insertion bonus (per word, natural log)', numberArg('--beta'), D.beta)
    .option('--beam <w>', 'beam width', numberArg('--beam', { integer: true, min: 1 }), D.beamWidth)
    .option('--top <n>', 'beams printed with --json', numberArg('--top', { integer: true, min: 1 }), D.topN)
    .option('--hotword <word>', 'favour this word (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--hotword-weight <w>', 'hotword bonus (natural log)', numberArg('--hotword-weight'), D.hotwordWeight)
    .option('--beam-prune-logp <x>', 'drop beams scoring below best + x', numberArg('--beam-prune-logp'), D.beamPruneLogp)
    .option('--token-min-logp <x>', 'do not extend beams with tokens below this log-probability', numberArg('--token-min-logp'), D.tokenMinLogp)
    .option('--lower-case', 'lower-case the vocabulary (upper-case models with a lower-case LM)')
    .option('--json', 'print the top beams with acoustic and LM scores as JSON')
    .action(async (opts: DecodeOptions) => {
      const text = await fs.readFile(opts.logprobs, 'utf8').catch((e: Error) => {
        throw new UserError(`cannot read the posteriors: ${e.message}`, { source: opts.logprobs });
      });
      const input = parseLogprobsJson(text, opts.logprobs);
      if (input.renormalisedRows > 0) {
        process.stderr.write(
          `warning: ${opts.logprobs}: ${input.renormalisedRows} of ${input.frames} rows were not log-probabilities (log-sum-exp ≠ 0); applied log-softmax\n`,
        );
      }
      let alphabet;
      try {
        alphabet = buildAlphabet(input.vocabulary, input.blank, { lowerCase: opts.lowerCase === true });
      } catch (e) {
        throw new UserError((e as Error).message, { source: opts.logprobs });
      }
      const lm = opts.lm ? await loadLanguageModel(opts.lm, { onWarning: (m: string) => process.stderr.write(`warning: ${m}\n`), load: opts.lmLoad }) : null;
      const beams = prefixBeamSearch(input.data, input.frames, input.vocabulary.length, alphabet, {
        lm,
        alpha: opts.alpha,
        beta: opts.beta,
        beamWidth: opts.beam,
        // Without --json only the best transcript is printed: decode it the way `infer --lm` does (prune_history).
        topN: opts.json ? opts.top : 1,
        hotwords: opts.hotword,
        hotwordWeight: opts.hotwordWeight,
        beamPruneLogp: opts.beamPruneLogp,
        tokenMinLogp: opts.tokenMinLogp,
      });
      if (opts.json) {
        const out = {
          text: beams[0]?.text ?? '',
          frames: input.frames,
          vocabulary: alphabet.kind,
          lm: opts.lm ?? null,
          alpha: lm ? opts.alpha : null,
          beta: lm ? opts.beta : null,
          beam: opts.beam,
          beams: beams.map((b) => ({
            text: b.text,
            score: b.score,
            acoustic_score: b.acousticScore,
            lm_score: b.lmScore,
            lm_log10: b.lmLog10,
            words: b.words,
          })),
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        process.stdout.write(`${beams[0]?.text ?? ''}\n`);
      }
    });
}
