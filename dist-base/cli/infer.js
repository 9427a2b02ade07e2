import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { DECODING_DEFAULTS, EARLY_ROUTE_DEFAULTS } from '../defaults.js';
import { Ensemble } from '../ensemble/ensemble.js';
import { loadManifest } from '../ensemble/manifest.js';
import { Progress } from '../ensemble/progress.js';
import { resultRecord, segmentRecord, transcribeEntry } from '../ensemble/records.js';
import { VAD_DEFAULTS } from '../segment/defaults.js';
import { buildCues, toSrt, toVtt } from '../segment/subtitles.js';
import { mapConcurrent } from '../util/concurrency.js';
import { UserError } from '../util/errors.js';
import { ALLOW_CHANGED_HELP, addRuntimeOptions, optionalNumber, resolveEnsembleDir, runtimeSettings } from './options.js';
const FORMATS = ['text', 'json', 'jsonl', 'srt', 'vtt'];
const BY_EXTENSION = { '.txt': 'text', '.json': 'json', '.jsonl': 'jsonl', '.srt': 'srt', '.vtt': 'vtt' };
function pickFormat(opts) {
    if (opts.format !== undefined) {
        if (!FORMATS.includes(opts.format))
            throw new UserError(`--format must be one of ${FORMATS.join(', ')}, got "${opts.format}"`);
        if (opts.json && opts.format !== 'json')
            throw new UserError(`--json is --format json; it contradicts --format ${opts.format}`);
        return opts.format;
    }
    if (opts.json)
        return 'json';
    if (opts.output)
        return BY_EXTENSION[path.extname(opts.output).toLowerCase()] ?? 'text';
    return 'text';
}
function vadOptions(opts) {
    const v = {};
    const th = optionalNumber('--vad-threshold', opts.vadThreshold, { min: 0.01, max: 0.99 });
    if (th !== undefined)
        v.threshold = th;
    const ms = optionalNumber('--min-speech-ms', opts.minSpeechMs, { min: 0 });
    if (ms !== undefined)
        v.minSpeechMs = ms;
    const sil = optionalNumber('--min-silence-ms', opts.minSilenceMs, { min: 0 });
    if (sil !== undefined)
        v.minSilenceMs = sil;
    const pad = optionalNumber('--speech-pad-ms', opts.speechPadMs, { min: 0 });
    if (pad !== undefined)
        v.speechPadMs = pad;
    const max = optionalNumber('--max-segment-seconds', opts.maxSegmentSeconds, { min: 4 });
    if (max !== undefined) {
        v.maxSegmentSeconds = max;
        v.splitWindowSeconds = Math.min(VAD_DEFAULTS.splitWindowSeconds, max / 2);
    }
    if (opts.segmentShort)
        v.segmentShort = true;
    return v;
}
/** Audio seconds done / total with ETA on a terminal (stderr); nothing when piped or --quiet. */
function audioProgress(label, quiet) {
    if (quiet || !process.stderr.isTTY)
        return { update: () => undefined, finish: () => undefined };
    let bar = null;
    let shown = 0;
    return {
        update(done, total) {
            if (!bar)
                bar = new Progress(`${label} (audio s)`, Math.max(1, Math.round(total ?? done)), { tty: true });
            const d = Math.floor(done);
            if (d > shown) {
                bar.tick(d - shown);
                shown = d;
            }
        },
        finish() {
            bar?.finish();
        },
    };
}
export function register(program) {
    const cmd = program
        .command('infer')
        .description('transcribe audio with an ensemble: every member runs, the selector picks one, its transcript is printed; long audio is cut into speech segments (Silero VAD) and transcribed one segment at a time')
        .argument('[audio...]', 'audio files (WAV; other containers through ffmpeg)')
        .option('--ensemble <dir>', 'ensemble folder (ensemble.json); default: the bundled ensembles/demo')
        .option('--format <fmt>', `output: ${FORMATS.join(', ')} (default text, or from the -o extension)`)
        .option('--json', 'same as --format json: one JSON object per file (text, model, probabilities, confidences, timings, segments with words)')
        .option('--route <mode>', 'file: one member for the whole file (confidences over all segments); segment: each segment routed on its own', 'file')
        .option('--all', "also every member's transcript")
        .option('--lm', "decode with the chosen member's n-gram LM (prefix beam search); greedy otherwise")
        .option('--beam <n>', `beam width for --lm (default ${DECODING_DEFAULTS.beamWidth})`)
        .option('--manifest <file>', 'transcribe every line of a NeMo JSONL manifest (offset/duration spans honoured): each input line with pred_text added (NeMo\'s shape), ours under "ensemble"')
        .option('-o, --output <file>', 'write the output to FILE (atomically) instead of stdout; the extension picks the format')
        .option('--jobs <n>', 'manifest utterances in flight at once (default 4)')
        .option('--quiet', 'no progress display')
        .option('--vad-threshold <p>', `speech probability threshold (default ${VAD_DEFAULTS.threshold})`)
        .option('--min-speech-ms <ms>', `drop speech shorter than this (default ${VAD_DEFAULTS.minSpeechMs})`)
        .option('--min-silence-ms <ms>', `silence that ends a segment (default ${VAD_DEFAULTS.minSilenceMs})`)
        .option('--speech-pad-ms <ms>', `padding around segments (default ${VAD_DEFAULTS.speechPadMs})`)
        .option('--max-segment-seconds <s>', `longest segment; longer speech is split at its least-speech point (default ${VAD_DEFAULTS.maxSegmentSeconds})`)
        .option('--segment-short', 'run the VAD also on files shorter than the maximum segment (default: they are one segment)')
        .option('--allow-changed-models', ALLOW_CHANGED_HELP)
        .option('--early-route <seconds>', "route an utterance on its first SECONDS only: every member runs on them, then only the chosen one on the whole input (default: the ensemble's early_route_seconds; 0 = full routing)")
        .option('--early-route-min-prob <p>', `early-routing cascade: below this top selector probability on the prefix, route fully (every member on the whole input); >0 also routes inputs up to S·M/(M−1) fully; 1 = always (default: the ensemble's early_route_min_prob, else ${EARLY_ROUTE_DEFAULTS.minProbability})`);
    addRuntimeOptions(cmd).action(async (audio, opts) => {
        if (!opts.manifest && audio.length === 0)
            throw new UserError('give audio files or --manifest M.jsonl');
        if (opts.manifest && audio.length > 0)
            throw new UserError('give either audio files or --manifest, not both');
        const beam = optionalNumber('--beam', opts.beam, { integer: true, min: 1 });
        if (beam !== undefined && !opts.lm)
            throw new UserError('--beam needs --lm (greedy decoding has no beam)');
        const jobs = optionalNumber('--jobs', opts.jobs, { integer: true, min: 1 }) ?? 4;
        const route = opts.route;
        if (route !== 'file' && route !== 'segment')
            throw new UserError(`--route must be file or segment, got "${opts.route}"`);
        const format = opts.manifest
            ? opts.format === undefined || opts.format === 'json' || opts.format === 'jsonl'
                ? 'json'
                : pickFormat(opts)
            : pickFormat(opts);
        if (opts.manifest && format !== 'json')
            throw new UserError(`--manifest writes one JSON object per utterance; --format ${format} does not apply`);
        if ((format === 'srt' || format === 'vtt') && audio.length !== 1)
            throw new UserError(`--format ${format} takes exactly one audio file (got ${audio.length})`);
        const vad = vadOptions(opts);
        const earlyRouteSeconds = optionalNumber('--early-route', opts.earlyRoute, { min: 0 });
        const earlyRouteMinProb = optionalNumber('--early-route-min-prob', opts.earlyRouteMinProb, { min: 0, max: 1 });
        const dir = resolveEnsembleDir(opts.ensemble);
        const manifest = opts.manifest ? await loadManifest(opts.manifest) : null;
        const { loadModel } = runtimeSettings(opts, { utterances: manifest ? manifest.entries.length : audio.length });
        const ensemble = await Ensemble.load(dir, { preloadLms: Boolean(opts.lm), loadModel, checks: { allowChangedModels: Boolean(opts.allowChangedModels) } });
        // Output: stdout as it comes, or FILE.tmp renamed into place at the end (never half-written).
        const tmp = opts.output ? `${opts.output}.${process.pid}.tmp` : null;
        const sink = tmp ? createWriteStream(tmp) : process.stdout;
        // A reader that stops early (`| head`) ends the output, not with a stack trace.
        if (!tmp)
            process.stdout.on('error', (e) => {
                if (e.code === 'EPIPE')
                    process.exit(0);
            });
        const emit = (s) => {
            sink.write(`${s}\n`);
        };
        let ok = false;
        try {
            if (opts.lm && !ensemble.members().some((m) => m.lm)) {
                throw new UserError('--lm: no member of this ensemble has an LM (set lm: in the ensemble YAML and rebuild)');
            }
            const { warning } = ensemble.earlyRoute(earlyRouteSeconds);
            if (warning)
                process.stderr.write(`warning: ${warning}\n`);
            const base = { lm: Boolean(opts.lm), all: Boolean(opts.all), beam, route, vad, earlyRouteSeconds, earlyRouteMinProb };
            if (manifest) {
                const progress = new Progress('infer', manifest.entries.length, { silent: Boolean(opts.quiet) });
                // Results are printed in manifest order as soon as each prefix is complete.
                const done = new Map();
                let next = 0;
                await mapConcurrent(manifest.entries, jobs, async (e, i) => {
                    const rec = await transcribeEntry(ensemble, e, e.audioPath, base);
                    done.set(i, JSON.stringify(rec));
                    while (done.has(next)) {
                        emit(done.get(next));
                        done.delete(next);
                        next++;
                    }
                    progress.tick();
                });
                progress.finish();
            }
            else {
                for (const file of audio) {
                    const progress = audioProgress(path.basename(file), Boolean(opts.quiet));
                    const r = await ensemble.transcribe(file, {
                        ...base,
                        onProgress: progress.update,
                        onSegment: format === 'jsonl' ? (s) => emit(JSON.stringify(segmentRecord(s, { audio_filepath: file }))) : undefined,
                    });
                    progress.finish();
                    if (format === 'json')
                        emit(JSON.stringify(resultRecord(r, { audio_filepath: file }, base.all)));
                    else if (format === 'srt')
                        sink.write(toSrt(buildCues(r.segments)));
                    else if (format === 'vtt')
                        sink.write(toVtt(buildCues(r.segments)));
                    else if (format === 'text') {
                        emit(audio.length > 1 ? `${file}\t${r.text}` : r.text);
                        if (opts.all && r.transcripts)
                            for (const t of r.transcripts)
                                emit(`  ${t.model}${t.model === r.model ? '*' : ' '}\t${t.text}`);
                    }
                }
            }
            ok = true;
        }
        finally {
            await ensemble.dispose();
            if (tmp) {
                await new Promise((resolve) => sink.end(() => resolve()));
                if (ok)
                    await fs.rename(tmp, opts.output);
                else
                    await fs.rm(tmp, { force: true });
            }
        }
    });
}
//# sourceMappingURL=infer.js.map