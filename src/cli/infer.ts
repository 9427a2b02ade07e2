import type { Command } from 'commander';
import { DECODING_DEFAULTS } from '../defaults.js';
import { Ensemble } from '../ensemble/ensemble.js';
import { loadManifest } from '../ensemble/manifest.js';
import { Progress } from '../ensemble/progress.js';
import { resultRecord, transcribeEntry } from '../ensemble/records.js';
import type { TranscribeOptions } from '../ensemble/types.js';
import { mapConcurrent } from '../util/concurrency.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { ALLOW_CHANGED_HELP, addRuntimeOptions, optionalNumber, resolveEnsembleDir, runtimeSettings, type RuntimeCliOptions } from './options.js';

interface InferCliOptions extends RuntimeCliOptions {
  ensemble?: string;
  json?: boolean;
  all?: boolean;
  lm?: boolean;
  beam?: string;
  manifest?: string;
  output?: string;
  jobs?: string;
  quiet?: boolean;
  allowChangedModels?: boolean;
  earlyRoute?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('infer')
    .description('transcribe audio with an ensemble: every member runs, the selector picks one, its transcript is printed')
    .argument('[audio...]', 'audio files (WAV; other containers through ffmpeg)')
    .option('--ensemble <dir>', 'ensemble folder (ensemble.json); default: the bundled ensembles/demo')
    .option('--json', 'one JSON object per utterance: text, chosen model, selector probabilities, confidences, timings')
    .option('--all', "also every member's transcript")
    .option('--lm', "decode with the chosen member's n-gram LM (prefix beam search); greedy otherwise")
    .option('--beam <n>', `beam width for --lm (default ${DECODING_DEFAULTS.beamWidth})`)
    .option('--manifest <file>', "transcribe every line of a NeMo JSONL manifest: each input line with pred_text added (NeMo's shape), ours under \"ensemble\"")
    .option('-o, --output <file>', 'write the output to FILE instead of stdout')
    .option('--jobs <n>', 'utterances in flight at once (default 4)')
    .option('--quiet', 'no progress display for --manifest')
    .option('--allow-changed-models', ALLOW_CHANGED_HELP)
    .option(
      '--early-route <seconds>',
      "route on the first SECONDS only: every member runs on them, then only the chosen one on the whole input (default: the ensemble's early_route_seconds; 0 = full routing)",
    );
  addRuntimeOptions(cmd)
    .action(async (audio: string[], opts: InferCliOptions) => {
      if (!opts.manifest && audio.length === 0) throw new UserError('give audio files or --manifest M.jsonl');
      if (opts.manifest && audio.length > 0) throw new UserError('give either audio files or --manifest, not both');
      const beam = optionalNumber('--beam', opts.beam, { integer: true, min: 1 });
      if (beam !== undefined && !opts.lm) throw new UserError('--beam needs --lm (greedy decoding has no beam)');
      const jobs = optionalNumber('--jobs', opts.jobs, { integer: true, min: 1 }) ?? 4;
      const earlyRouteSeconds = optionalNumber('--early-route', opts.earlyRoute, { min: 0 });
      const dir = resolveEnsembleDir(opts.ensemble);
      const manifest = opts.manifest ? await loadManifest(opts.manifest) : null;
      const { loadModel } = runtimeSettings(opts, { utterances: manifest ? manifest.entries.length : audio.length });
      const ensemble = await Ensemble.load(dir, { preloadLms: Boolean(opts.lm), loadModel, checks: { allowChangedModels: Boolean(opts.allowChangedModels) } });
      const lines: string[] = [];
      const out = opts.output ? null : process.stdout;
      const emit = (s: string): void => {
        if (out) out.write(`${s}\n`);
        else lines.push(s);
      };
      try {
        if (opts.lm && !ensemble.members().some((m) => m.lm)) {
          throw new UserError('--lm: no member of this ensemble has an LM (set lm: in the ensemble YAML and rebuild)');
        }
        const { warning } = ensemble.earlyRoute(earlyRouteSeconds);
        if (warning) process.stderr.write(`warning: ${warning}\n`);
        const options: TranscribeOptions = { lm: Boolean(opts.lm), all: Boolean(opts.all), beam, earlyRouteSeconds };
        if (manifest) {
          const progress = new Progress('infer', manifest.entries.length, { silent: Boolean(opts.quiet) });
          // Results are printed in manifest order as soon as each prefix is complete.
          const done = new Map<number, string>();
          let next = 0;
          await mapConcurrent(manifest.entries, jobs, async (e, i) => {
            const rec = await transcribeEntry(ensemble, e, e.audioPath, options);
            done.set(i, JSON.stringify(rec));
            while (done.has(next)) {
              emit(done.get(next)!);
              done.delete(next);
              next++;
            }
            progress.tick();
          });
          progress.finish();
        } else {
          for (const file of audio) {
            const r = await ensemble.transcribe(file, options);
            if (opts.json) emit(JSON.stringify(resultRecord(r, { audio_filepath: file }, options.all)));
            else {
              emit(audio.length > 1 ? `${file}\t${r.text}` : r.text);
              if (opts.all && r.transcripts) for (const t of r.transcripts) emit(`  ${t.model}${t.model === r.model ? '*' : ' '}\t${t.text}`);
            }
          }
        }
        if (opts.output) await writeFileAtomic(opts.output, lines.length ? `${lines.join('\n')}\n` : '');
      } finally {
        await ensemble.dispose();
      }
    });
}
