import os from 'node:os';
import type { Command } from 'commander';
import { EARLY_ROUTE_DEFAULTS, EXIT_CODES, SERVING_DEFAULTS as S, STREAMING_DEFAULTS as L } from '../defaults.js';
import { resolveDomainGateMinProb, resolveEarlyRoute } from '../ensemble/ensemble.js';
import { DomainGate } from '../ensemble/domain-gate.js';
import type { WorkerPoolEvent } from '../runtime/worker-pool.js';
import { startServer } from '../server/server.js';
import { mb, memoryPlan, workerMemoryBytes } from '../server/memory.js';
import { readEnsembleJson, resolveFrom } from '../ensemble/format.js';
import { ONNX_NAMES } from '../models/load.js';
import { VAD_DEFAULTS } from '../segment/defaults.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { ALLOW_CHANGED_HELP, ALLOW_SPINNING_HELP, numberOption, openEnsemble, optionalNumber, resolveEnsembleDir, spinningOption } from './options.js';

interface ServeCliOptions {
  ensemble?: string;
  earlyRoute?: string;
  earlyRouteMinProb?: string;
  domainGate?: string;
  domainGatePrune?: string;
  port: string;
  host: string;
  maxBodyMb: string;
  maxAudioSeconds: string;
  concurrency?: string;
  queue?: string;
  timeoutMs: string;
  graceMs: string;
  workers?: string;
  preloadLms?: boolean;
  maxUploads: string;
  uploadIdleMs: string;
  minUploadBytesPerSec: string;
  allowChangedModels?: boolean;
  maxStreams: string;
  maxStreamSeconds: string;
  streamIdleMs: string;
  memoryBudgetMb?: string;
  allowSpinning?: string;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('HTTP transcription service (POST /v1/transcribe, GET /v1/models, /healthz, /readyz, /metrics) with a web page at /')
    .option('--ensemble <dir>', 'ensemble folder (ensemble.json); default: the bundled ensembles/demo')
    .option('--port <n>', 'TCP port (0 = any free port)', String(S.port))
    .option('--host <addr>', 'interface to listen on (0.0.0.0 for all)', S.host)
    .option('--max-body-mb <n>', 'largest request body in MB (413 beyond)', String(S.maxBodyMb))
    .option('--max-audio-seconds <n>', 'longest audio per request in seconds (400 beyond)', String(S.maxAudioSeconds))
    .option('--concurrency <n>', 'transcriptions running at once (default: number of CPUs)')
    .option('--queue <n>', `requests allowed to wait for a slot (default: ${S.queuePerSlot} × concurrency); 503 + Retry-After beyond`)
    .option('--timeout-ms <n>', 'per-request time limit from arrival, upload and queue wait included (504 beyond)', String(S.timeoutMs))
    .option('--workers <n>', 'inference worker threads, each with its own copy of the ensemble (default: --concurrency; 0 = the main thread)')
    .option('--grace-ms <n>', 'on SIGTERM/SIGINT, longest wait for requests in flight', String(S.graceMs))
    .option('--max-streams <n>', 'open live-transcription streams (GET /v1/stream) at once; 1013 beyond', String(L.maxStreams))
    .option('--max-stream-seconds <n>', 'longest live stream in seconds of audio; 1008 beyond', String(L.maxStreamSeconds))
    .option('--stream-idle-ms <n>', 'close a live stream that sends nothing for this long (1008)', String(L.idleTimeoutMs))
    .option('--preload-lms', 'load every member LM at start instead of on first use')
    .option('--allow-spinning <on|off>', `${ALLOW_SPINNING_HELP}; each worker's sessions get CPUs / workers intra-op threads`)
    .option('--max-uploads <n>', 'request bodies received at once (503 beyond); uploads never hold an inference slot', String(S.maxUploads))
    .option('--upload-idle-ms <n>', 'longest pause within a request body (408 beyond)', String(S.uploadIdleMs))
    .option(
      '--min-upload-bytes-per-sec <n>',
      `slowest average upload rate once ${S.uploadGraceMs / 1000} s have passed (408 below; 0 = no minimum)`,
      String(S.minUploadBytesPerSec),
    )
    .option('--allow-changed-models', ALLOW_CHANGED_HELP)
    .option(
      '--early-route <seconds>',
      "requests without ?early_route route on their first SECONDS (default: the ensemble's early_route_seconds; 0 = full routing)",
    )
    .option(
      '--early-route-min-prob <p>',
      `requests without ?early_route_min_prob: the early-routing cascade's floor, 0 to 1 (default: the ensemble's early_route_min_prob, else ${EARLY_ROUTE_DEFAULTS.minProbability})`,
    )
    .option(
      '--domain-gate <p>',
      `requests without ?domain_gate: the domain gate's floor (≥ 0; 0 = off; the ensemble needs domain-gate.json) (default: the gate's domain_gate_min_prob, else ${EARLY_ROUTE_DEFAULTS.domainGateMinProb})`,
    )
    .option(
      '--domain-gate-prune <e>',
      "requests without ?domain_gate_prune: members the gate gives less than E do not run when it does not decide (0 to below 1; 0 = off; default: the gate's domain_gate_prune)",
    )
    .option(
      '--memory-budget-mb <n>',
      'memory these settings may need at most; start-up refuses settings whose estimate exceeds it (default: 75 % of the machine)',
    )
    .action(async (opts: ServeCliOptions) => {
      const port = numberOption('--port', opts.port, { integer: true, min: 0, max: 65535 });
      const maxBodyMb = numberOption('--max-body-mb', opts.maxBodyMb, { min: 0.001 });
      const maxAudioSeconds = numberOption('--max-audio-seconds', opts.maxAudioSeconds, { min: 0.001 });
      const concurrency = optionalNumber('--concurrency', opts.concurrency, { integer: true, min: 1 });
      const queue = optionalNumber('--queue', opts.queue, { integer: true, min: 0 });
      const timeoutMs = numberOption('--timeout-ms', opts.timeoutMs, { integer: true, min: 1 });
      const graceMs = numberOption('--grace-ms', opts.graceMs, { integer: true, min: 0 });
      const maxUploads = numberOption('--max-uploads', opts.maxUploads, { integer: true, min: 1 });
      const uploadIdleMs = numberOption('--upload-idle-ms', opts.uploadIdleMs, { integer: true, min: 1 });
      const minUploadBytesPerSec = numberOption('--min-upload-bytes-per-sec', opts.minUploadBytesPerSec, { min: 0 });
      const earlyRouteSeconds = optionalNumber('--early-route', opts.earlyRoute, { min: 0 });
      const earlyRouteMinProb = optionalNumber('--early-route-min-prob', opts.earlyRouteMinProb, { min: 0, max: 1 });
      const domainGateMinProb = optionalNumber('--domain-gate', opts.domainGate, { min: 0 });
      const domainGatePrune = optionalNumber('--domain-gate-prune', opts.domainGatePrune, { min: 0, max: 0.999999 });
      let earlyRouteWarning: string | undefined;
      const spinning = spinningOption(opts.allowSpinning);
      const cpus = Math.max(1, os.cpus().length);
      const slots = concurrency ?? cpus;
      // onnxruntime-node runs inference synchronously on the calling thread: with worker threads the
      // main thread stays free for HTTP (health checks, metrics, timeouts) while `slots` requests run
      // in parallel. Each worker holds its own copy of the ensemble.
      const workers = opts.workers === undefined ? slots : numberOption('--workers', opts.workers, { integer: true, min: 0 });
      // Refuse settings that cannot fit: every slot holding its largest request at once, every worker its ensemble.
      const budget =
        opts.memoryBudgetMb !== undefined ? numberOption('--memory-budget-mb', opts.memoryBudgetMb, { min: 1 }) * 1024 * 1024 : 0.75 * os.totalmem();
      {
        const dirForPlan = resolveEnsembleDir(opts.ensemble);
        const { json } = await readEnsembleJson(dirForPlan);
        // A setting the selector was not built for fails here, not on every request.
        if (earlyRouteSeconds !== undefined) earlyRouteWarning = resolveEarlyRoute(json.earlyRouteSeconds ?? null, earlyRouteSeconds, dirForPlan).warning;
        if (domainGateMinProb !== undefined) {
          const gate = await DomainGate.read(
            dirForPlan,
            json.models.map((m) => m.name),
          );
          resolveDomainGateMinProb(gate?.defaultMinProbability ?? null, gate !== null, domainGateMinProb, dirForPlan);
        }
        const onnx = json.models.map((m) => {
          const d = resolveFrom(dirForPlan, m.path);
          return ONNX_NAMES.map((n) => path.join(d, n)).find((f) => existsSync(f)) ?? '';
        });
        const lms = opts.preloadLms ? json.models.flatMap((m) => (m.lm ? [resolveFrom(dirForPlan, m.lm.path)] : [])) : [];
        const plan = memoryPlan({
          concurrency: slots,
          workers,
          maxBodyBytes: Math.round(maxBodyMb * 1024 * 1024),
          maxSegmentSeconds: VAD_DEFAULTS.maxSegmentSeconds,
          perWorker: workerMemoryBytes(onnx, lms),
        });
        if (plan.total > budget) {
          throw new UserError(
            `these settings may need about ${mb(plan.total)} (${slots} concurrent requests × ${mb(plan.perRequest)} + ${Math.max(1, workers)} workers × ${mb(plan.perWorker)} + the process), ` +
              `more than the memory budget of ${mb(budget)}; lower --concurrency, --workers or --max-body-mb, or raise --memory-budget-mb`,
          );
        }
      }
      // Pool events and load warnings arrive once the server (and its logger) exists.
      let logPoolEvent: (e: WorkerPoolEvent) => void = () => undefined;
      let logWarning: (line: string) => void = (line) => process.stderr.write(`${line}\n`);
      // Listen first (healthz answers, readyz is 503 until the models are loaded).
      const { dir, pooled, loading } = openEnsemble(opts.ensemble, {
        workers,
        preloadLms: Boolean(opts.preloadLms),
        intraOpThreads: Math.max(1, Math.floor(cpus / Math.max(1, workers))),
        spinning,
        onEvent: (e) => logPoolEvent(e),
        // Every LM is checked before the service reports ready, so ?lm=1 never meets a missing file.
        checks: { requireLms: true, allowChangedModels: Boolean(opts.allowChangedModels), warn: (line) => logWarning(line) },
      });
      loading.catch(() => undefined);
      const server = await startServer(loading, {
        port,
        host: opts.host,
        maxBodyBytes: Math.round(maxBodyMb * 1024 * 1024),
        maxAudioSeconds,
        concurrency,
        queue,
        timeoutMs,
        graceMs,
        maxUploads,
        uploadIdleMs,
        minUploadBytesPerSec,
        earlyRouteSeconds,
        earlyRouteMinProb,
        domainGateMinProb,
        domainGatePrune,
        stream: {
          maxStreams: numberOption('--max-streams', opts.maxStreams, { integer: true, min: 0 }),
          maxStreamSeconds: numberOption('--max-stream-seconds', opts.maxStreamSeconds, { min: 1 }),
          idleTimeoutMs: numberOption('--stream-idle-ms', opts.streamIdleMs, { integer: true, min: 100 }),
        },
      }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') throw new UserError(`port ${port} on ${opts.host} is already in use (--port)`);
        if (e.code === 'EACCES') throw new UserError(`no permission to listen on ${opts.host}:${port} (--port, --host)`);
        if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new UserError(`cannot listen on --host ${opts.host}: ${e.message}`);
        throw e;
      });
      const log = server.app.service.log;
      logPoolEvent = ({ type, ...rest }) => log({ level: type === 'worker-restarted' ? 'info' : 'error', msg: type, ...rest });
      logWarning = (line) => log({ level: 'warn', msg: line.replace(/^warning: /, '') });
      if (earlyRouteWarning) log({ level: 'warn', msg: earlyRouteWarning });
      log({ level: 'info', msg: 'listening', url: server.url, ensemble: dir, workers: pooled ? workers : 0, limits: server.app.service.limits });

      // Errors in a request never crash the process (express error handler). A stray rejection is
      // logged; an uncaught exception is logged and ends the process after a graceful shutdown.
      const onRejection = (reason: unknown): void => {
        log({ level: 'error', msg: 'unhandled rejection', error: (reason as Error)?.message ?? String(reason), stack: (reason as Error)?.stack });
      };
      process.on('unhandledRejection', onRejection);

      // Exit statuses (EXIT_CODES): 0 clean, 1 uncaught exception, 2 load failure, 75 grace period over
      // (requests in flight answered 503), 130 second signal. The process never exits while a worker
      // thread is inside ONNX Runtime (that aborts with 134): the ensemble is disposed first, which
      // waits for the inference in progress.
      let exitCode: number = EXIT_CODES.ok;
      const done = new Promise<void>((resolve) => {
        let signals = 0;
        const shutdown = (why: string, code: number | null): void => {
          signals++;
          if (signals === 2) {
            log({ level: 'warn', msg: `second ${why}: answering the requests in flight 503 and exiting as soon as inference stops` });
            exitCode = EXIT_CODES.secondSignal;
            void server.stop({ now: true });
            return;
          }
          if (signals > 2) {
            log({ level: 'warn', msg: `${why} again: killing the process` });
            process.kill(process.pid, 'SIGKILL');
            return;
          }
          if (code !== null) exitCode = code;
          log({ level: 'info', msg: `${why}: finishing requests in flight` });
          server
            .stop()
            .then(async (r) => {
              if (r.interrupted > 0 && exitCode === EXIT_CODES.ok) exitCode = EXIT_CODES.graceExpired;
              // Still loading: wait for it (a worker must not be cut off inside ONNX Runtime), then close.
              const ensemble = await loading.catch(() => null);
              await ensemble?.dispose();
            })
            .catch((e) => log({ level: 'error', msg: 'shutdown error', error: (e as Error).message }))
            .finally(resolve);
        };
        process.on('SIGTERM', () => shutdown('SIGTERM', null));
        process.on('SIGINT', () => shutdown('SIGINT', null));
        process.on('uncaughtException', (e) => {
          log({ level: 'error', msg: 'uncaught exception', error: e.message, stack: e.stack });
          shutdown('uncaught exception', EXIT_CODES.error);
        });
        loading.catch((e: unknown) => {
          // Without models the service is useless: report and exit non-zero.
          log({ level: 'error', msg: 'cannot load the ensemble', error: (e as Error)?.message ?? String(e) });
          process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
          shutdown('load failure', EXIT_CODES.usage);
        });
      });
      await done;
      process.off('unhandledRejection', onRejection);
      log({ level: 'info', msg: 'exit', code: exitCode });
      if (exitCode) process.exitCode = exitCode;
    });
}
