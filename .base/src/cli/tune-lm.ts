import type { Command } from 'commander';
import { DECODING_DEFAULTS } from '../defaults.js';
import { tuneLm } from '../eval/tune-lm.js';
import { numberList, optionalNumber, resolveEnsembleDir } from './options.js';

interface TuneLmCliOptions {
  ensemble?: string;
  alphas?: string;
  betas?: string;
  beam?: string;
  member: string[];
  maxUtterances?: string;
  jobs?: string;
  dryRun?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('tune-lm')
    .description("grid-search each member's LM alpha/beta on its dev manifest (WER of LM beam search) and write them into ensemble.json")
    .option('--ensemble <dir>', 'ensemble folder (ensemble.json); default: the bundled ensembles/demo')
    .option('--alphas <list>', 'LM weights to try, comma-separated (default 0,0.25,0.5,0.75,1,1.5,2)')
    .option('--betas <list>', 'word insertion bonuses to try, comma-separated (default 0,0.5,1,1.5,2,3)')
    .option('--beam <n>', `beam width during the search (default ${DECODING_DEFAULTS.beamWidth}, as in inference)`)
    .option('--member <name>', 'tune only this member (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--max-utterances <n>', 'use at most the first N dev utterances per member')
    .option('--jobs <n>', 'dev utterances decoded by the models at once (default 4)')
    .option('--dry-run', 'report only; do not change ensemble.json')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress display')
    .action(async (opts: TuneLmCliOptions) => {
      const r = await tuneLm(resolveEnsembleDir(opts.ensemble), {
        alphas: opts.alphas === undefined ? undefined : numberList('--alphas', opts.alphas),
        betas: opts.betas === undefined ? undefined : numberList('--betas', opts.betas),
        beam: optionalNumber('--beam', opts.beam, { integer: true, min: 1 }),
        members: opts.member.length ? opts.member : undefined,
        maxUtterances: optionalNumber('--max-utterances', opts.maxUtterances, { integer: true, min: 1 }),
        concurrency: optionalNumber('--jobs', opts.jobs, { integer: true, min: 1 }),
        dryRun: Boolean(opts.dryRun),
        progress: opts.quiet ? false : {},
        log: opts.quiet ? () => undefined : (s) => process.stderr.write(`${s}\n`),
      });
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else {
        for (const m of r.members) {
          process.stdout.write(
            `${m.name}\talpha=${m.alpha}\tbeta=${m.beta}\tdev_wer=${(m.devWer * 100).toFixed(2)}%\tgreedy_wer=${(m.greedyWer * 100).toFixed(2)}%\n`,
          );
        }
        if (!opts.dryRun) process.stdout.write(`updated ${r.file}\n`);
      }
    });
}
