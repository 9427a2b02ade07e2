import type { Command } from 'commander';
import { BATCH_DEFAULTS } from '../batch/defaults.js';
import { parseRedisUrl, redactUrl } from '../batch/connection.js';
import { BatchWorker } from '../batch/worker.js';
import { optionalNumber, resolveEnsembleDir } from './options.js';

const B = BATCH_DEFAULTS;

export function register(program: Command): void {
  program
    .command('worker')
    .description('take batch jobs from a Redis queue (`ensemble batch submit`) and transcribe them; run any number, on any machine')
    .requiredOption('--redis <url>', 'Redis URL (redis://host:6379[/db])')
    .option('--ensemble <dir>', 'ensemble folder (default: the bundled ensembles/demo); jobs submitted for another ensemble are refused')
    .option('--queue <name>', 'BullMQ queue', B.queue)
    .option('--concurrency <n>', 'jobs at once, each in its own worker thread with its own copy of the ensemble (about one per core)', String(B.concurrency))
    .option('--lock-ms <n>', "a job's lock; a killed worker's jobs go to another worker after it expires", String(B.lockMs))
    .option('--stalled-ms <n>', 'how often to look for jobs of killed workers', String(B.stalledMs))
    .option('--max-fetch-mb <n>', 'largest http(s) audio to download', String(B.maxFetchMb))
    .option('--quiet', 'log only failures')
    .action(
      async (opts: {
        redis: string;
        ensemble?: string;
        queue: string;
        concurrency: string;
        lockMs: string;
        stalledMs: string;
        maxFetchMb: string;
        quiet?: boolean;
      }) => {
        const url = parseRedisUrl(opts.redis);
        const concurrency = optionalNumber('--concurrency', opts.concurrency, { integer: true, min: 1 })!;
        const lockMs = optionalNumber('--lock-ms', opts.lockMs, { integer: true, min: 100 })!;
        const stalledMs = optionalNumber('--stalled-ms', opts.stalledMs, { integer: true, min: 100 })!;
        const maxFetchMb = optionalNumber('--max-fetch-mb', opts.maxFetchMb, { min: 0 })!;
        const dir = resolveEnsembleDir(opts.ensemble);
        const log = (e: Record<string, unknown>): void => {
          if (opts.quiet && !/failed|retried|error|refused|stalled/.test(String(e.msg))) return;
          process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
        };
        const worker = await BatchWorker.start({
          redisUrl: url,
          ensembleDir: dir,
          queue: opts.queue,
          concurrency,
          lockMs,
          stalledMs,
          maxFetchBytes: maxFetchMb * 1024 * 1024,
          log,
        });
        log({ msg: 'listening', redis: redactUrl(url), pid: process.pid });
        const stop = (signal: string): void => {
          log({ msg: 'stopping', signal });
          void worker.close();
        };
        process.on('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGINT', () => stop('SIGINT'));
        const end = await worker.done;
        if (end.reason === 'refused') {
          log({ msg: 'refused', error: end.message });
          process.stderr.write(`error: ${end.message}\n`);
          process.exitCode = 3;
        }
      },
    );
}
