import path from 'node:path';
import { existsSync } from 'node:fs';
import { buildEnsemble } from '../ensemble/build.js';
import { looksLikeOverride } from '../ensemble/hydra-overrides.js';
import { UserError } from '../util/errors.js';
import { addRuntimeOptions, optionalNumber, runtimeSettings } from './options.js';
/**
 * The config file of `ensemble build [CONFIG] [OVERRIDES…]`, Hydra-style: `--config-path DIR --config-name NAME`
 * (NAME without an extension gets `.yaml`; DIR defaults to the working directory) or the first word that is not
 * an override. Returns null when the config is given by overrides alone.
 */
export function resolveBuildConfigFile(words, opts) {
    const files = words.filter((w) => !looksLikeOverride(w));
    const overrides = words.filter((w) => looksLikeOverride(w));
    if (files.length > 1) {
        throw new UserError(`more than one config file: ${files.join(', ')} (overrides look like key=value, +key=value or ~key)`, { code: 'E_USAGE' });
    }
    if (opts.configName !== undefined) {
        if (files.length)
            throw new UserError(`give the config either as ${files[0]} or with --config-name, not both`, { code: 'E_USAGE' });
        const name = path.extname(opts.configName) ? opts.configName : `${opts.configName}.yaml`;
        const file = path.resolve(opts.configPath ?? '.', name);
        if (!existsSync(file))
            throw new UserError(`--config-name ${opts.configName}: ${file} not found`, { code: 'E_CONFIG_READ' });
        return { file, overrides };
    }
    if (opts.configPath !== undefined)
        throw new UserError('--config-path needs --config-name', { code: 'E_USAGE' });
    return { file: files[0] ?? null, overrides };
}
export function register(program) {
    const cmd = program
        .command('build')
        .description('build a confidence ensemble from a NeMo build_ensemble.py-style YAML (models = ONNX export folders); writes DIR/ensemble.json')
        .argument('[config]', 'ensemble YAML (ensemble: [{model, training_manifest, dev_manifest?, name?, lm?, lm_alpha?, lm_beta?}], …)')
        .argument('[overrides...]', 'Hydra overrides as for build_ensemble.py: ensemble.0.model=DIR tune_confidence=true +key=v ~key')
        .option('--config-path <dir>', 'Hydra: folder of --config-name (default: the working directory)')
        .option('--config-name <name>', 'Hydra: config file name (.yaml added when it has no extension)')
        .option('-o, --output <dir>', "output folder (default: the YAML's output_path; a .nemo name becomes a folder)")
        .option('--jobs <n>', 'utterances in flight at once (each runs every model; default min(4, CPUs))')
        .option('--no-cache', 'do not read or write DIR/.cache (the resumable per-utterance confidence cache)')
        .option('--quiet', 'no progress display');
    addRuntimeOptions(cmd).action(async (config, rest, opts) => {
        const concurrency = optionalNumber('--jobs', opts.jobs, { integer: true, min: 1 });
        const { loadModel } = runtimeSettings(opts);
        // Ctrl-C / SIGTERM: no `.cache/**/*.tmp` left behind (util/temp-files.ts; the next run also sweeps stale ones).
        const { file, overrides } = resolveBuildConfigFile([...(config === undefined ? [] : [config]), ...rest], opts);
        if (file === null && overrides.length === 0)
            throw new UserError('give a config YAML, --config-name NAME, or key=value overrides', { code: 'E_USAGE' });
        const r = await buildEnsemble(file, {
            outDir: opts.output,
            overrides,
            concurrency,
            cacheDir: opts.cache === false ? false : undefined,
            loadModel,
            progress: opts.quiet ? false : {},
            log: opts.quiet ? () => undefined : (s) => process.stderr.write(`${s}\n`),
        });
        process.stdout.write(`${r.file}\n`);
    });
}
//# sourceMappingURL=build.js.map