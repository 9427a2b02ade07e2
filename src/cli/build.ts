import type { Command } from 'commander';
import { buildEnsemble } from '../ensemble/build.js';
import { addRuntimeOptions, optionalNumber, runtimeSettings, type RuntimeCliOptions } from './options.js';

interface BuildCliOptions extends RuntimeCliOptions {
  output?: string;
  jobs?: string;
  cache?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('build')
    .description("build a confidence ensemble from a NeMo build_ensemble.py-style YAML (models = ONNX export folders); writes DIR/ensemble.json")
    .argument('<config>', 'ensemble YAML (ensemble: [{model, training_manifest, dev_manifest?, name?, lm?, lm_alpha?, lm_beta?}], …)')
    .option('-o, --output <dir>', "output folder (default: the YAML's output_path; a .nemo name becomes a folder)")
    .option('--jobs <n>', 'utterances in flight at once (each runs every model; default min(4, CPUs))')
    .option('--no-cache', 'do not read or write DIR/.cache (the resumable per-utterance confidence cache)')
    .option('--quiet', 'no progress display');
  addRuntimeOptions(cmd)
    .action(async (config: string, opts: BuildCliOptions) => {
      const concurrency = optionalNumber('--jobs', opts.jobs, { integer: true, min: 1 });
      const { loadModel } = runtimeSettings(opts);
      const r = await buildEnsemble(config, {
        outDir: opts.output,
        concurrency,
        cacheDir: opts.cache === false ? false : undefined,
        loadModel,
        progress: opts.quiet ? false : {},
        log: opts.quiet ? () => undefined : (s) => process.stderr.write(`${s}\n`),
      });
      process.stdout.write(`${r.file}\n`);
    });
}
