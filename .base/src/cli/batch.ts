import path from 'node:path';
import type { Command } from 'commander';
import { Queue } from 'bullmq';
import { BATCH_DEFAULTS } from '../batch/defaults.js';
import { commandConnection, connectRedis, parseRedisUrl } from '../batch/connection.js';
import { ensembleIdentity } from '../batch/identity.js';
import { checkBatchName, submitBatch, type JobTranscribeOptions } from '../batch/jobs.js';
import { batchStatus, collectBatch, removeBatch, retryFailed, type BatchStatus } from '../batch/report.js';
import { DECODING_DEFAULTS } from '../defaults.js';
import { readEnsembleJson } from '../ensemble/format.js';
import { loadManifest } from '../ensemble/manifest.js';
import { formatDuration } from '../ensemble/progress.js';
import { UserError } from '../util/errors.js';
import { optionalNumber, resolveEnsembleDir } from './options.js';

interface QueueCliOptions {
  redis?: string;
  queue: string;
  name?: string;
}

const B = BATCH_DEFAULTS;

function queueOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--redis <url>', 'Redis URL (redis://host:6379[/db])')
    .option('--queue <name>', 'BullMQ queue (one per ensemble version when workers of two versions run at once)', B.queue);
}

/** Run `fn` on the batch `opts.name` with a Redis connection and the BullMQ queue, closing both after. */
async function withBatchQueue(
  opts: QueueCliOptions,
  fn: (redis: Awaited<ReturnType<typeof connectRedis>>, queue: Queue, name: string) => Promise<void>,
): Promise<void> {
  const url = parseRedisUrl(opts.redis);
  const name = checkBatchName(opts.name);
  const redis = await connectRedis(url);
  const queue = new Queue(opts.queue, { connection: commandConnection(url), prefix: B.prefix });
  try {
    await fn(redis, queue, name);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

function describeStatus(s: BatchStatus): string {
  const rate = s.ratePerSecond > 0 ? `${s.ratePerSecond.toFixed(2)} utt/s` : 'idle';
  const eta = s.etaSeconds === null ? '--:--' : formatDuration(s.etaSeconds);
  const missing = s.missing ? `, ${s.missing} not submitted (submit again)` : '';
  return `${s.name}: ${s.completed + s.failed}/${s.total} done (${s.completed} completed, ${s.failed} failed), ${s.pending} pending${missing}; ${rate}, ETA ${eta}; ${(s.audioSecondsDone / 3600).toFixed(2)} h of audio done; ${s.active} running, ${s.workers} worker connection(s) on the queue`;
}

function bar(s: BatchStatus, cols: number): string {
  const rate = s.ratePerSecond > 0 ? `${s.ratePerSecond.toFixed(2)} utt/s` : 'idle';
  const info = ` ${s.completed + s.failed}/${s.total} (${s.failed} failed), ${rate}, ETA ${s.etaSeconds === null ? '--:--' : formatDuration(s.etaSeconds)}, ${s.workers} worker(s)`;
  const width = Math.max(10, Math.min(40, cols - info.length - s.name.length - 4));
  const frac = s.total > 0 ? (s.completed + s.failed) / s.total : 1;
  const full = Math.round(frac * width);
  return `\r${s.name} [${'#'.repeat(full)}${'.'.repeat(width - full)}]${info}`.slice(0, cols) + '\x1b[K';
}

export function register(program: Command): void {
  const batch = program.command('batch').description('batch transcription on a Redis job queue (BullMQ); workers: `ensemble worker`');

  queueOptions(
    batch
      .command('submit')
      .description('enqueue a NeMo JSONL manifest, one job per utterance; submitting it again adds nothing already queued or done')
      .argument('<manifest>', 'NeMo JSONL manifest (audio_filepath: a path on storage the workers share, or an http(s):// URL)'),
  )
    .requiredOption('--name <job>', 'batch name (status and collect use it)')
    .option('--ensemble <dir>', 'ensemble folder; the jobs record its identity and only workers with the same ensemble run them')
    .option('--lm', "decode with the chosen member's n-gram LM")
    .option('--beam <n>', `beam width for --lm (default ${DECODING_DEFAULTS.beamWidth})`)
    .option('--all', "also every member's transcript")
    .option('--attempts <n>', 'tries per job before it fails (bad audio fails at once)', String(B.attempts))
    .option('--backoff-ms <n>', 'first retry delay, doubling each time', String(B.backoffMs))
    .option('--no-check-audio', 'do not check that the audio files exist here (workers see other storage)')
    .option('--embed-audio', `put each file's bytes into its job (up to ${B.maxEmbedMb} MB each), for workers that cannot read these files`)
    .action(
      async (
        manifestFile: string,
        opts: QueueCliOptions & {
          ensemble?: string;
          lm?: boolean;
          beam?: string;
          all?: boolean;
          attempts: string;
          backoffMs: string;
          checkAudio: boolean;
          embedAudio?: boolean;
        },
      ) => {
        const url = parseRedisUrl(opts.redis);
        const name = checkBatchName(opts.name);
        const beam = optionalNumber('--beam', opts.beam, { integer: true, min: 1 });
        if (beam !== undefined && !opts.lm) throw new UserError('--beam needs --lm (greedy decoding has no beam)');
        const attempts = optionalNumber('--attempts', opts.attempts, { integer: true, min: 1 })!;
        const backoffMs = optionalNumber('--backoff-ms', opts.backoffMs, { integer: true, min: 0 })!;
        const dir = resolveEnsembleDir(opts.ensemble);
        if (opts.lm) {
          const { json } = await readEnsembleJson(dir);
          if (!json.models.some((m) => m.lm)) throw new UserError('--lm: no member of this ensemble has an LM (set lm: in the ensemble YAML and rebuild)');
        }
        const manifest = await loadManifest(manifestFile, { checkAudio: false });
        const ensembleId = await ensembleIdentity(dir);
        // the same options object `infer` passes to the shared step, so new options flow through unchanged
        const options: JobTranscribeOptions = { lm: Boolean(opts.lm), all: Boolean(opts.all), beam };
        const redis = await connectRedis(url);
        try {
          const r = await submitBatch(manifest, {
            redis,
            connection: commandConnection(url),
            queue: opts.queue,
            name,
            ensembleId,
            ensembleDir: dir,
            options,
            attempts,
            backoffMs,
            checkAudio: opts.checkAudio,
            embedAudio: Boolean(opts.embedAudio),
          });
          process.stdout.write(
            `${name}: ${r.entries} manifest entries (${r.jobs} distinct), ${r.added} jobs added, ${r.existing} already queued or done; ensemble ${ensembleId}\n`,
          );
        } finally {
          redis.disconnect();
        }
      },
    );

  queueOptions(batch.command('status').description('counts, rate and ETA of a batch (a progress bar on a terminal; --watch keeps it updating)'))
    .requiredOption('--name <job>', 'batch name')
    .option('--watch', 'keep updating until every entry is done')
    .option('--interval <s>', 'seconds between updates with --watch', '2')
    .option('--json', 'print the status as JSON')
    .action(async (opts: QueueCliOptions & { watch?: boolean; interval: string; json?: boolean }) => {
      const url = parseRedisUrl(opts.redis);
      const name = checkBatchName(opts.name);
      const interval = optionalNumber('--interval', opts.interval, { min: 0.1 })!;
      const redis = await connectRedis(url);
      const ref = { queue: opts.queue };
      const tty = Boolean(process.stderr.isTTY) && !opts.json;
      try {
        for (;;) {
          const s = await batchStatus(redis, ref, name);
          const finished = s.pending === 0 && s.missing === 0;
          if (opts.json) process.stdout.write(`${JSON.stringify(s)}\n`);
          else if (tty) process.stderr.write(bar(s, process.stderr.columns || 100) + (finished || !opts.watch ? '\n' : ''));
          else process.stdout.write(`${describeStatus(s)}\n`);
          if (!opts.watch || finished) break;
          await new Promise((r) => setTimeout(r, interval * 1000));
        }
      } finally {
        redis.disconnect();
      }
    });

  queueOptions(
    batch
      .command('collect')
      .description('write one JSON line per manifest entry, in manifest order (the fields `infer --manifest` writes; failed entries with "error")'),
  )
    .requiredOption('--name <job>', 'batch name')
    .requiredOption('-o, --output <file>', 'results JSONL (written whole or not at all)')
    .option('--partial', 'write now even if entries are pending (their lines say "error": "pending")')
    .action(async (opts: QueueCliOptions & { output: string; partial?: boolean }) => {
      const url = parseRedisUrl(opts.redis);
      const name = checkBatchName(opts.name);
      const redis = await connectRedis(url);
      try {
        const r = await collectBatch(redis, { queue: opts.queue }, name, path.resolve(opts.output), { partial: Boolean(opts.partial) });
        if (!opts.partial && (r.pending > 0 || r.missing > 0)) {
          const missing = r.missing ? `, ${r.missing} not submitted (submit the manifest again)` : '';
          throw new UserError(
            `batch "${name}" is not finished: ${r.pending} entries pending${missing}; wait (\`ensemble batch status --watch\`) or pass --partial`,
            {
              code: 'E_BATCH_PENDING',
            },
          );
        }
        for (const f of r.failed.slice(0, 20)) process.stderr.write(`failed: line ${f.line ?? '?'}: ${f.audio}: ${f.error}\n`);
        if (r.failed.length > 20) process.stderr.write(`failed: … and ${r.failed.length - 20} more (lines with "error" in ${opts.output})\n`);
        process.stdout.write(
          `${name}: wrote ${r.total} lines to ${opts.output} (${r.completed} completed, ${r.failed.length} failed${r.pending ? `, ${r.pending} pending` : ''})\n`,
        );
        if (r.failed.length > 0) process.exitCode = 3;
      } finally {
        redis.disconnect();
      }
    });

  queueOptions(batch.command('retry').description("put a batch's failed jobs back in the queue (after fixing their audio or starting the right workers)"))
    .requiredOption('--name <job>', 'batch name')
    .action((opts: QueueCliOptions) =>
      withBatchQueue(opts, async (redis, queue, name) => {
        const n = await retryFailed(redis, { queue: opts.queue }, name, async (id) => {
          const job = await queue.getJob(id);
          await job?.retry('failed');
        });
        process.stdout.write(`${name}: ${n} failed job(s) queued again\n`);
      }),
    );

  queueOptions(batch.command('remove').description('delete a batch: its jobs, results and bookkeeping (collect first)'))
    .requiredOption('--name <job>', 'batch name')
    .action((opts: QueueCliOptions) =>
      withBatchQueue(opts, async (redis, queue, name) => {
        const r = await removeBatch(redis, { queue: opts.queue }, name, async (id) => (await queue.remove(id)) === 1);
        if (r.running > 0) {
          throw new UserError(`batch "${name}": ${r.removed} job(s) removed, ${r.running} running now were kept; run remove again when they finish`, {
            code: 'E_BATCH_RUNNING',
          });
        }
        process.stdout.write(`${name}: removed ${r.removed} job(s) and the batch\n`);
      }),
    );
}
