import os from 'node:os';
import path from 'node:path';
import { readEnsembleJson, resolveFrom } from '../ensemble/format.js';
import { loadManifest } from '../ensemble/manifest.js';
import { Progress } from '../ensemble/progress.js';
import { evaluate } from '../eval/evaluate.js';
import { renderMarkdown, writeReports } from '../eval/report.js';
import { UserError } from '../util/errors.js';
import { BATCH_DEFAULTS } from '../batch/defaults.js';
import { parseRedisUrl, redactUrl } from '../batch/connection.js';
import { QueueTranscriber } from '../batch/queue-transcriber.js';
import { ALLOW_CHANGED_HELP, numberList, openEnsemble, optionalNumber, resolveEnsembleDir } from './options.js';
/** `DOMAIN=MANIFEST` → parts; the domain is a member name. */
export function parseTestArg(arg) {
    const i = arg.indexOf('=');
    if (i <= 0 || i === arg.length - 1) {
        throw new UserError(`--test expects DOMAIN=MANIFEST (DOMAIN = the member the utterances belong to), got ${JSON.stringify(arg)}`);
    }
    return { domain: arg.slice(0, i), manifest: arg.slice(i + 1) };
}
/**
 * The test sets `ensemble eval` runs on: the `--test` arguments, or else every member's `testManifest` from
 * ensemble.json (the YAML's `test_manifest`, relative to the ensemble folder); an error naming both ways when
 * neither gives one.
 */
export async function resolveTestArgs(dir, testArgs) {
    if (testArgs.length > 0)
        return testArgs.map(parseTestArg);
    const { json, file } = await readEnsembleJson(dir);
    const tests = json.models
        .filter((m) => typeof m.testManifest === 'string' && m.testManifest !== '')
        .map((m) => ({ domain: m.name, manifest: resolveFrom(dir, m.testManifest) }));
    if (tests.length === 0) {
        throw new UserError('no test sets: give at least one --test DOMAIN=MANIFEST (repeatable), or set test_manifest for the members in the ensemble YAML ' +
            `and rebuild it (no model in ${file} has a testManifest)`, { code: 'E_EVAL_NO_TESTS' });
    }
    return tests;
}
export function register(program) {
    program
        .command('eval')
        .description('evaluate an ensemble on labelled test sets: selection accuracy, confusion, WER/CER (ensemble, oracle, each member), calibration')
        .option('--ensemble <dir>', 'ensemble folder (ensemble.json); default: the bundled ensembles/demo')
        .option('--test <domain=manifest>', "a labelled test set: DOMAIN is the member the utterances belong to, MANIFEST a NeMo JSONL with audio_filepath and text (repeatable); default: the members' test_manifest from the ensemble YAML (ensemble.json testManifest)", (v, prev) => [...prev, v], [])
        .option('--lm', 'also decode every member with its LM (a second decoding pass)')
        .option('--beam <n>', 'beam width for LM decoding (default: the ensemble default)')
        .option('-o, --output <dir>', 'folder for eval.json, eval.md and eval.html', 'eval-results')
        .option('--jobs <n>', 'worker threads, each with its own copy of the ensemble (default: number of CPUs)')
        .option('--early-route <seconds>', 'also route every utterance on its first SECONDS (a third pass) and report accuracy, WER and cost next to the main pass')
        .option('--early-route-min-prob <p,...>', "with --early-route: floors of the early-routing cascade to score (comma-separated, 0 to 1; below the floor an input is routed fully); one prefix pass serves them all; default: the ensemble's early_route_min_prob, else 0")
        .option('--quiet', 'no progress and no summary on the terminal')
        .option('--allow-changed-models', ALLOW_CHANGED_HELP)
        .option('--redis <url>', `run the decoding passes as jobs on this Redis queue, done by \`ensemble worker\`s with the same ensemble (--jobs: utterances in flight, default ${BATCH_DEFAULTS.evalInFlight})`)
        .option('--queue <name>', 'BullMQ queue for --redis', BATCH_DEFAULTS.queue)
        .action(async (opts) => {
        const viaQueue = opts.redis !== undefined;
        const jobs = optionalNumber('--jobs', opts.jobs, { integer: true, min: 1 }) ?? (viaQueue ? BATCH_DEFAULTS.evalInFlight : Math.max(1, os.cpus().length));
        const beam = optionalNumber('--beam', opts.beam, { integer: true, min: 1 });
        const earlyRouteSeconds = optionalNumber('--early-route', opts.earlyRoute, { min: 0 });
        let earlyRouteMinProbs = opts.earlyRouteMinProb === undefined ? undefined : numberList('--early-route-min-prob', opts.earlyRouteMinProb, { min: 0, max: 1 });
        if (earlyRouteMinProbs && earlyRouteSeconds === undefined)
            throw new UserError('--early-route-min-prob needs --early-route SECONDS');
        if (viaQueue && earlyRouteSeconds !== undefined && earlyRouteSeconds > 0) {
            throw new UserError('--early-route cannot be used with --redis: batch jobs route on whole inputs');
        }
        const { dir, pooled, loading } = viaQueue
            ? (() => {
                const d = resolveEnsembleDir(opts.ensemble);
                return { dir: d, pooled: false, loading: QueueTranscriber.open({ redisUrl: parseRedisUrl(opts.redis), ensembleDir: d, queue: opts.queue }) };
            })()
            : openEnsemble(opts.ensemble, { workers: jobs, preloadLms: Boolean(opts.lm), checks: { allowChangedModels: Boolean(opts.allowChangedModels) } });
        loading.catch(() => undefined);
        const tests = await resolveTestArgs(dir, opts.test);
        // Without the flag, the floor the ensemble's requests use (YAML early_route_min_prob), else 0.
        if (earlyRouteSeconds !== undefined && earlyRouteMinProbs === undefined) {
            const floor = (await readEnsembleJson(dir)).json.earlyRouteMinProb;
            if (floor !== undefined)
                earlyRouteMinProbs = [floor];
        }
        if (!opts.quiet && opts.test.length === 0) {
            process.stderr.write(`eval: test sets from ensemble.json: ${tests.map((t) => `${t.domain}=${t.manifest}`).join(', ')}\n`);
        }
        // One ensemble per worker thread (ONNX Runtime inference blocks its thread); in-thread when the
        // compiled worker script is not there (running from the TypeScript sources).
        const ensemble = await loading;
        const where = ensemble instanceof QueueTranscriber ? `queue "${opts.queue}" on ${redactUrl(parseRedisUrl(opts.redis))} (batches ${ensemble.name}.greedy/.lm)` : null;
        if (!opts.quiet)
            process.stderr.write(where
                ? `eval: ${jobs} utterances in flight on ${where}\n`
                : pooled
                    ? `eval: ${jobs} worker thread(s)\n`
                    : 'eval: in-thread (no compiled worker script)\n');
        try {
            const members = ensemble.members().map((m) => m.name);
            for (const t of tests) {
                if (!members.includes(t.domain)) {
                    throw new UserError(`--test ${t.domain}=…: "${t.domain}" is not a member of the ensemble; a domain must be one of: ${members.join(', ')}`);
                }
            }
            const sets = [];
            for (const t of tests) {
                const m = await loadManifest(t.manifest, { requireText: true });
                if (m.entries.length === 0)
                    throw new UserError('the test manifest has no utterances', { source: t.manifest });
                sets.push({ domain: t.domain, manifest: t.manifest, utterances: m.entries });
            }
            const total = sets.reduce((a, s) => a + s.utterances.length, 0);
            const progress = new Progress(opts.lm ? 'eval (greedy + LM)' : 'eval', total, { silent: Boolean(opts.quiet) });
            const report = await evaluate(ensemble, sets, {
                lm: Boolean(opts.lm),
                beam,
                // keep every worker busy: one utterance running and one queued per worker
                jobs: pooled ? 2 * jobs : jobs,
                parallelism: where ? `batch queue: ${where}` : pooled ? `${jobs} worker thread(s)` : 'one thread',
                onUtterance: () => progress.tick(),
                earlyRouteSeconds,
                earlyRouteMinProbs,
            });
            progress.finish();
            const files = await writeReports(report, path.resolve(opts.output));
            if (!opts.quiet) {
                process.stdout.write(`${renderMarkdown(report)}\n`);
                process.stdout.write(`\nwrote ${files.json}\nwrote ${files.md}\nwrote ${files.html}\n`);
            }
        }
        finally {
            await ensemble.dispose();
        }
    });
}
//# sourceMappingURL=eval.js.map