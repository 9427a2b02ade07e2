/**
 * The HTTP service (`ensemble serve`): an express app over anything that can transcribe like `Ensemble`.
 *
 * Routes
 *   GET  /               the web page (self-contained HTML)
 *   POST /v1/transcribe  audio in the body → JSON transcript (see below)
 *   GET  /v1/models      members, vocabularies, LMs, selector summary, limits
 *   GET  /healthz        200 while the process is up (liveness)
 *   GET  /readyz         200 once the models are loaded; 503 while loading, after a load failure, or draining
 *   GET  /metrics        Prometheus text format (this app's own registry)
 *
 * POST /v1/transcribe
 *   Body: audio/wav (audio/x-wav, audio/wave, audio/vnd.wave), any other audio/* that ffmpeg decodes
 *   (415 when ffmpeg is not installed), application/octet-stream (WAV, or anything ffmpeg decodes), or
 *   multipart/form-data with the audio in the field `file` (its file name is ignored).
 *   Query: `lm` (true/false/1/0/yes/no/on/off; empty = true), `all` (same), `beam` (integer 1..maxBeam),
 *   `route` (file|segment: one member for the whole upload, or each speech segment routed on its own),
 *   `segments` (boolean: include the segments with their words and times), `stream` (boolean: answer
 *   NDJSON, one `{"type":"segment",…}` line per segment as it finishes, then `{"type":"result",…}`; an
 *   error after the first line arrives as a `{"type":"error",…}` line).
 *   200: { requestId, text, model, modelIndex, probabilities, confidences, audioSeconds, timingsMs, route,
 *          segments? (with segments=true), transcripts? (with all=true), … } — the ensemble's result, plus
 *          the request id.
 *   Long audio: the upload is decoded in the worker, streamed (WAV in blocks, other containers through
 *   ffmpeg, stopped as soon as maxAudioSeconds is passed) and transcribed one speech segment at a time, so
 *   a request holds its body plus one segment's working memory (see `requestMemoryBytes`).
 *   Cancellation: a timeout (504) or a client that closes the connection aborts the request; the worker
 *   stops at the next segment and frees the slot.
 *   timingsMs: the ensemble's stages (features, models, confidence, selector, lm) plus `queue` (waiting
 *   for a slot), `decode` (audio decoding and resampling) and `total` (request arrival to answer,
 *   upload included).
 *   Errors are JSON { error: { status, code, message }, requestId }:
 *     400 bad query, empty or undecodable audio (the decoder's reason), a WAV rate outside 1–384 kHz,
 *         audio longer than maxAudioSeconds (the message names the limit), multipart without `file`
 *         or with two of them
 *     404 unknown route        413 body over maxBodyBytes      415 unsupported media type
 *     408 the body paused for uploadIdleMs, or arrived slower than minUploadBytesPerSec (after
 *         uploadGraceMs); the connection is closed
 *     431 URL or headers over Node's 16 KB limit (server.ts)
 *     503 not ready / shutting down / queue full / maxUploads bodies being received (with Retry-After);
 *         E_SHUTDOWN: still in flight when the shutdown grace period ran out
 *     504 the request took longer than timeoutMs from its arrival (upload + queue wait + decoding +
 *         inference). The work is cancelled: it stops at its next speech segment (an ONNX run in progress
 *         cannot be interrupted) and keeps its concurrency slot until then, so overload shows up as 503s
 *         rather than piling up. onnxruntime-node runs inference synchronously on the calling thread, so with an in-thread
 *         `Ensemble` the timer (and /healthz, /metrics) can only act between inference calls; serve a
 *         `WorkerPoolEnsemble` (the CLI default) to keep the HTTP thread free.
 *     500 a server fault (an LM that cannot be loaded: E_LM_UNAVAILABLE) or anything unexpected: a
 *         generic message, the details logged with the request id; the server keeps running.
 *   No message a client gets contains a server path or a heap address (`redactMessage`).
 *
 * Uploads are read in full (bounded by maxUploads, uploadIdleMs, minUploadBytesPerSec) before the
 * request asks the limiter for an inference slot, so slow clients never hold one. After an early answer
 * the rest of the body is read and dropped (up to 2 × maxBodyBytes or 10 s) so that clients which send
 * everything before reading still get the answer.
 *
 * Every request gets an id (a valid incoming X-Request-Id is kept, else a UUID), returned in the
 * `X-Request-Id` header and the body, and one JSON log line when it ends.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import type { EnsembleMemberInfo, EnsembleResult, SegmentResult, TranscribeOptions } from '../ensemble/types.js';
import { isUserError } from '../util/errors.js';
import { ACCEPTED_TYPES, HttpError, classifyMediaType, discardBody, formatBytes, mediaType, readMultipartFile, readRawBody } from './body.js';
import { Limiter, type Ticket } from './limiter.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { renderPage } from './page.js';
import { SERVING_DEFAULTS } from '../defaults.js';

/** The part of `Ensemble` the server uses; anything with these methods can be served. */
export interface Transcriber {
  members(): readonly EnsembleMemberInfo[];
  /**
   * Called with the upload's bytes (decoded by the transcriber, in its worker thread) and
   * `maxSeconds`, or with mono samples at `options.sampleRate` (live streams); `signal` cancels between
   * segments, `onSegment` receives segments as they finish.
   */
  transcribe(
    audio: Uint8Array | Float32Array,
    options: TranscribeOptions & { signal?: AbortSignal; onSegment?: (s: SegmentResult) => void | Promise<void> },
  ): Promise<EnsembleResult>;
  /** Summary for GET /v1/models (selector, confidence spec, …); must be JSON-serialisable. */
  describe(): unknown;
  /**
   * Optional: how many workers can take a request now (a `WorkerPoolEnsemble` restarting a crashed
   * worker thread). At 0, /readyz and transcription requests answer 503 until one is back.
   */
  liveWorkers?(): number;
}

export interface AppOptions {
  /** Largest accepted request body in bytes (default 25 MB). */
  maxBodyBytes?: number;
  /** Longest accepted audio in seconds (default 600). */
  maxAudioSeconds?: number;
  /** Transcriptions running at once (default: number of CPUs). */
  concurrency?: number;
  /** Further requests admitted to wait (default 4 × concurrency); beyond that 503 + Retry-After. */
  queue?: number;
  /** Per-request time limit in ms from arrival, upload and queue wait included (default 120000); 504 beyond. */
  timeoutMs?: number;
  /** Largest `beam` accepted (default 256). */
  maxBeam?: number;
  /** Request bodies received at once (default 32); beyond that 503 + Retry-After. Uploads never hold an inference slot. */
  maxUploads?: number;
  /** Longest pause between two chunks of a body in ms (default 10000); 408 beyond. */
  uploadIdleMs?: number;
  /** Slowest accepted average upload rate in bytes/s once `uploadGraceMs` have passed (default 4096); 408 below. */
  minUploadBytesPerSec?: number;
  /** Time an upload may take before the minimum rate applies (default 5000 ms). */
  uploadGraceMs?: number;
  /** Where the JSON log lines go (default process.stderr); null: no logs. */
  logStream?: Writable | null;
  /** Also export prom-client's default process metrics (default true). */
  defaultMetrics?: boolean;
  /** Early routing for requests without `early_route` / `early_route_min_prob` (`ensemble serve --early-route`, `--early-route-min-prob`). */
  earlyRouteSeconds?: number;
  earlyRouteMinProb?: number;
  /** The domain gate's floor for requests without `domain_gate` (`ensemble serve --domain-gate`). */
  domainGateMinProb?: number;
  /** The domain gate's pruning threshold for requests without `domain_gate_prune` (`ensemble serve --domain-gate-prune`). */
  domainGatePrune?: number;
}

export type LoadState = 'loading' | 'ready' | 'failed' | 'draining';

/** Control surface used by `startServer` (readiness, draining, in-flight tracking). */
export interface ServiceControl {
  readonly metrics: ServiceMetrics;
  readonly limits: Required<
    Omit<AppOptions, 'logStream' | 'defaultMetrics' | 'earlyRouteSeconds' | 'earlyRouteMinProb' | 'domainGateMinProb' | 'domainGatePrune'>
  >;
  /** The server's routing defaults (`serve --early-route`, `--domain-gate`, …): for HTTP requests and live streams alike. */
  readonly routing: Readonly<TranscribeOptions>;
  state(): LoadState;
  setTranscriber(t: Transcriber): void;
  /** The loaded transcriber while the service is ready (not draining), else null. */
  transcriber(): Transcriber | null;
  /** Stop accepting transcriptions (503); readyz turns 503. */
  drain(): void;
  /** Requests on /v1/transcribe admitted and not yet answered. */
  inFlight(): number;
  /** Resolves when no transcription request is in flight. */
  whenIdle(): Promise<void>;
  /** Work still running in the background after a timeout answer. */
  backgroundWork(): number;
  /**
   * Answer every transcription request not yet answered with 503 (shutdown past the grace period);
   * their inference, which cannot be interrupted, finishes in the background. Returns how many.
   */
  interruptInFlight(): number;
  log(entry: Record<string, unknown>): void;
}

export type EnsembleApp = Express & { service: ServiceControl };

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const TRUE_VALUES = new Set(['', '1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['0', 'false', 'no', 'off']);
const KNOWN_QUERY = new Set(['lm', 'all', 'beam', 'early_route', 'early_route_min_prob', 'domain_gate', 'domain_gate_prune', 'route', 'segments', 'stream']);

/** Transcription options plus what the answer should contain. */
export type TranscribeQuery = TranscribeOptions & { segments?: boolean; stream?: boolean };

declare module 'express-serve-static-core' {
  interface Locals {
    requestId?: string;
    logExtra?: Record<string, unknown>;
  }
}

function parseBool(name: string, v: unknown): boolean {
  if (typeof v !== 'string') throw new HttpError(400, `query parameter "${name}" must be given once, as true or false`, 'E_QUERY');
  const s = v.toLowerCase();
  if (TRUE_VALUES.has(s)) return true;
  if (FALSE_VALUES.has(s)) return false;
  throw new HttpError(400, `query parameter "${name}" must be true or false (also 1/0, yes/no, on/off), got "${v.slice(0, 40)}"`, 'E_QUERY');
}

/** Validate `lm`, `all`, `beam`, `route`, `segments`, `stream`; unknown parameters are refused (they are almost always typos). */
export function parseTranscribeQuery(query: Record<string, unknown>, maxBeam: number): TranscribeQuery {
  const out: TranscribeQuery = {};
  for (const key of Object.keys(query)) {
    if (!KNOWN_QUERY.has(key)) throw new HttpError(400, `unknown query parameter "${key.slice(0, 40)}"; accepted: ${[...KNOWN_QUERY].join(', ')}`, 'E_QUERY');
  }
  if (query.lm !== undefined) out.lm = parseBool('lm', query.lm);
  if (query.all !== undefined) out.all = parseBool('all', query.all);
  if (query.segments !== undefined) out.segments = parseBool('segments', query.segments);
  if (query.stream !== undefined) out.stream = parseBool('stream', query.stream);
  if (query.route !== undefined) {
    if (query.route !== 'file' && query.route !== 'segment') {
      throw new HttpError(400, `query parameter "route" must be file or segment, got "${String(query.route).slice(0, 40)}"`, 'E_QUERY');
    }
    out.route = query.route;
  }
  if (query.beam !== undefined) {
    const v = query.beam;
    if (typeof v !== 'string' || !/^\d{1,9}$/.test(v) || Number(v) < 1 || Number(v) > maxBeam) {
      throw new HttpError(400, `query parameter "beam" must be an integer from 1 to ${maxBeam}, got "${String(v).slice(0, 40)}"`, 'E_QUERY');
    }
    out.beam = Number(v);
  }
  if (query.early_route !== undefined) {
    // Seconds to route on (0 = full routing); the ensemble checks it against its selector (400 on a mismatch).
    const v = query.early_route;
    if (typeof v !== 'string' || !/^\d{1,6}(\.\d{1,6})?$/.test(v)) {
      throw new HttpError(400, `query parameter "early_route" must be a number of seconds ≥ 0, got "${String(v).slice(0, 40)}"`, 'E_QUERY');
    }
    out.earlyRouteSeconds = Number(v);
  }
  if (query.early_route_min_prob !== undefined) {
    // The early-routing cascade's floor (0 = off, 1 = always full routing).
    const v = query.early_route_min_prob;
    if (typeof v !== 'string' || !/^\d{1,6}(\.\d{1,9})?$/.test(v) || Number(v) > 1) {
      throw new HttpError(400, `query parameter "early_route_min_prob" must be a number from 0 to 1, got "${String(v).slice(0, 40)}"`, 'E_QUERY');
    }
    out.earlyRouteMinProb = Number(v);
  }
  if (query.domain_gate !== undefined) {
    // The domain gate's floor (0 = off; above 1: computed, never decides); the ensemble needs a gate (400 without).
    const v = query.domain_gate;
    if (typeof v !== 'string' || !/^\d{1,6}(\.\d{1,9})?$/.test(v)) {
      throw new HttpError(400, `query parameter "domain_gate" must be a number ≥ 0 (0 = off), got "${String(v).slice(0, 40)}"`, 'E_QUERY');
    }
    out.domainGateMinProb = Number(v);
  }
  if (query.domain_gate_prune !== undefined) {
    const v = query.domain_gate_prune;
    if (typeof v !== 'string' || !/^\d{1,6}(\.\d{1,9})?$/.test(v) || !(Number(v) < 1)) {
      throw new HttpError(400, `query parameter "domain_gate_prune" must be a number from 0 to below 1 (0 = off), got "${String(v).slice(0, 40)}"`, 'E_QUERY');
    }
    out.domainGatePrune = Number(v);
  }
  return out;
}

/**
 * Strip what a response must never show: heap addresses (ffmpeg's `[hls @ 0x55a7…]`) and absolute server
 * paths (reduced to their file name). Applied to every message that comes from below the server (decoders,
 * loaders) before a client sees it.
 */
export function redactMessage(message: string): string {
  return message
    .replace(/\s*@\s*0x[0-9a-f]+/gi, '')
    .replace(/0x[0-9a-f]{6,}/gi, '0x…')
    .replace(/(^|[\s"'(=:])((?:[A-Za-z]:)?(?:[\\/][^\s\\/"'`:;,()[\]]+){2,}[\\/]?)/g, (_m, pre: string, p: string) => `${pre}${path.basename(p) || '…'}`);
}

/** A failure on the server's side (e.g. an LM file that cannot be loaded): 500 with a generic message, details in the log. */
export class ServerFault extends Error {
  constructor(
    readonly publicMessage: string,
    readonly code: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${publicMessage}: ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
    this.name = 'ServerFault';
  }
}

/** UserError codes from the transcriber that describe the request (its audio or options): 400. */
const CLIENT_ERROR_CODES = /^E_(WAV|AUDIO_DECODE|AUDIO_EMPTY|AUDIO_SHORT|AUDIO_CHANNELS|OPTIONS|EMPTY|TOO_LONG|TOO_SHORT|FFMPEG$|EARLY_ROUTE|NO_DOMAIN_GATE)/;

/** Sort an error from the transcriber: the request's fault (400) or the server's (500, never with a path). */
function asClientOrServerError(e: unknown): unknown {
  if (e instanceof HttpError || e instanceof ServerFault) return e;
  if (isUserError(e)) {
    if (CLIENT_ERROR_CODES.test(e.code)) return new HttpError(400, redactMessage(e.message), e.code);
    // Non-WAV audio on a server without ffmpeg (when decoding happens in the transcriber).
    if (e.code === 'E_FFMPEG_MISSING') return new HttpError(415, redactMessage(e.message), e.code);
    if (e.code.startsWith('E_LM'))
      return new ServerFault('the language model of the chosen member is not available on this server', 'E_LM_UNAVAILABLE', { cause: e });
    return new ServerFault('internal error', 'E_INTERNAL', { cause: e });
  }
  return e;
}

function routeLabel(req: Request): string {
  const p = req.path;
  if (p === '/' || p === '/v1/transcribe' || p === '/v1/models' || p === '/healthz' || p === '/readyz' || p === '/metrics') return p;
  return 'other';
}

/**
 * Build the app. `transcriber` may be a promise (the server answers /healthz and 503 on /readyz while
 * the models load) or null (set it later with `app.service.setTranscriber`).
 */
export function createApp(transcriber: Transcriber | Promise<Transcriber> | null, options: AppOptions = {}): EnsembleApp {
  const cpus = Math.max(1, os.cpus().length);
  const limits = {
    maxBodyBytes: options.maxBodyBytes ?? SERVING_DEFAULTS.maxBodyMb * 1024 * 1024,
    maxAudioSeconds: options.maxAudioSeconds ?? SERVING_DEFAULTS.maxAudioSeconds,
    concurrency: options.concurrency ?? cpus,
    queue: options.queue ?? SERVING_DEFAULTS.queuePerSlot * (options.concurrency ?? cpus),
    timeoutMs: options.timeoutMs ?? SERVING_DEFAULTS.timeoutMs,
    maxBeam: options.maxBeam ?? 256,
    maxUploads: options.maxUploads ?? SERVING_DEFAULTS.maxUploads,
    uploadIdleMs: options.uploadIdleMs ?? SERVING_DEFAULTS.uploadIdleMs,
    minUploadBytesPerSec: options.minUploadBytesPerSec ?? SERVING_DEFAULTS.minUploadBytesPerSec,
    uploadGraceMs: options.uploadGraceMs ?? SERVING_DEFAULTS.uploadGraceMs,
  };
  if (!(limits.maxBodyBytes > 0)) throw new RangeError('maxBodyBytes must be positive');
  if (!(limits.maxAudioSeconds > 0)) throw new RangeError('maxAudioSeconds must be positive');
  if (!(Number.isInteger(limits.timeoutMs) && limits.timeoutMs > 0)) throw new RangeError('timeoutMs must be a positive integer');
  if (!(Number.isInteger(limits.maxBeam) && limits.maxBeam >= 1)) throw new RangeError('maxBeam must be a positive integer');
  if (!(Number.isInteger(limits.maxUploads) && limits.maxUploads >= 1)) throw new RangeError('maxUploads must be a positive integer');
  if (!(limits.uploadIdleMs > 0 && limits.uploadGraceMs >= 0 && limits.minUploadBytesPerSec >= 0))
    throw new RangeError('upload pacing limits must be positive');
  const pace = { idleMs: limits.uploadIdleMs, minBytesPerSec: limits.minUploadBytesPerSec, graceMs: limits.uploadGraceMs };
  const limiter = new Limiter(limits.concurrency, limits.queue);
  const logStream = options.logStream === undefined ? process.stderr : options.logStream;

  let current: Transcriber | null = null;
  let state: LoadState = 'loading';
  let loadError: string | null = null;
  let inFlight = 0;
  let uploads = 0;
  let background = 0;
  const interrupters = new Set<() => void>();
  let idleWaiters: Array<() => void> = [];
  let latencyEwmaMs = 1000;

  const log = (entry: Record<string, unknown>): void => {
    if (!logStream) return;
    try {
      logStream.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
    } catch {
      /* a broken log stream must not take the service down */
    }
  };

  const metrics = createMetrics({
    defaultMetrics: options.defaultMetrics ?? true,
    gauges: { inFlight: () => inFlight, queued: () => limiter.waiting, ready: () => state === 'ready' },
  });

  const setTranscriber = (t: Transcriber): void => {
    current = t;
    if (state !== 'draining') state = 'ready';
    loadError = null;
  };
  if (transcriber && typeof (transcriber as Promise<Transcriber>).then === 'function') {
    (transcriber as Promise<Transcriber>).then(
      (t) => {
        setTranscriber(t);
        log({ level: 'info', msg: 'models loaded', members: t.members().map((m) => m.name) });
      },
      (e: unknown) => {
        if (state !== 'draining') state = 'failed';
        loadError = (e as Error)?.message ?? String(e);
        log({ level: 'error', msg: 'loading the models failed', error: loadError });
      },
    );
  } else if (transcriber) {
    setTranscriber(transcriber as Transcriber);
  }

  const leave = (): void => {
    inFlight--;
    if (inFlight === 0) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
    }
  };

  const earlyRouteDefaults: TranscribeOptions = {};
  if (options.earlyRouteSeconds !== undefined) earlyRouteDefaults.earlyRouteSeconds = options.earlyRouteSeconds;
  if (options.earlyRouteMinProb !== undefined) earlyRouteDefaults.earlyRouteMinProb = options.earlyRouteMinProb;
  if (options.domainGateMinProb !== undefined) earlyRouteDefaults.domainGateMinProb = options.domainGateMinProb;
  if (options.domainGatePrune !== undefined) earlyRouteDefaults.domainGatePrune = options.domainGatePrune;

  const control: ServiceControl = {
    metrics,
    limits,
    routing: earlyRouteDefaults,
    state: () => state,
    setTranscriber,
    transcriber: () => (state === 'ready' ? current : null),
    drain: () => {
      state = 'draining';
    },
    inFlight: () => inFlight,
    whenIdle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r))),
    backgroundWork: () => background,
    interruptInFlight: () => {
      const n = interrupters.size;
      for (const f of [...interrupters]) f();
      return n;
    },
    log,
  };

  const app = express() as unknown as EnsembleApp;
  app.service = control;
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  // Request id, security headers, one log line + metrics per request.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.locals.logExtra = {};
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    let logged = false;
    const finish = (aborted: boolean): void => {
      if (logged) return;
      logged = true;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeLabel(req);
      const status = aborted && !res.headersSent ? 499 : res.statusCode;
      metrics.requests.inc({ method: req.method, route, status: String(status) });
      metrics.latency.observe({ method: req.method, route }, seconds);
      if (route === '/metrics' || route === '/healthz' || route === '/readyz') {
        if (status < 400) return; // probes would drown the log
      }
      log({
        level: status >= 500 && status !== 503 && status !== 504 ? 'error' : status >= 400 ? 'warn' : 'info',
        msg: 'request',
        requestId,
        method: req.method,
        path: route === 'other' ? req.path.slice(0, 200) : route,
        status,
        latencyMs: Math.round(seconds * 1e4) / 10,
        ...(aborted ? { aborted: true } : {}),
        ...res.locals.logExtra,
      });
    };
    res.on('finish', () => finish(false));
    res.on('close', () => finish(!res.writableFinished));
    next();
  });

  app.get('/', (_req, res) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'unsafe-inline' blob:; style-src 'unsafe-inline'; connect-src 'self'; media-src 'self' blob:; img-src 'self' data:; base-uri 'none'; form-action 'none'",
    );
    res.type('html').send(renderPage());
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const noLiveWorker = (): boolean => state === 'ready' && current?.liveWorkers !== undefined && current.liveWorkers() === 0;

  app.get('/readyz', (_req, res) => {
    if (noLiveWorker()) {
      res.status(503).setHeader('Retry-After', '5');
      res.json({ status: 'degraded', error: 'no worker thread is available (restarting or down)' });
      return;
    }
    if (state === 'ready') {
      res.json({ status: 'ready', members: current!.members().map((m) => m.name) });
      return;
    }
    res.status(503).setHeader('Retry-After', '5');
    res.json({ status: state, ...(loadError ? { error: redactMessage(loadError) } : {}) });
  });

  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  const requireReady = (): Transcriber => {
    if (noLiveWorker()) throw new HttpError(503, 'no worker thread is available (restarting or down)', 'E_NOT_READY', { 'Retry-After': '5' });
    if (state === 'ready' && current) return current;
    if (state === 'draining') throw new HttpError(503, 'the server is shutting down', 'E_DRAINING', { 'Retry-After': '5', Connection: 'close' });
    if (state === 'failed') throw new HttpError(503, `the models failed to load: ${redactMessage(loadError ?? '')}`, 'E_NOT_READY', { 'Retry-After': '30' });
    throw new HttpError(503, 'the models are still loading', 'E_NOT_READY', { 'Retry-After': '5' });
  };

  app.get('/v1/models', (_req, res) => {
    const t = requireReady();
    const members = t.members();
    res.json({
      members: members.map((m) => ({
        name: m.name,
        layout: m.layout,
        vocabSize: m.vocabSize,
        blankId: m.blankId,
        vocabulary: m.vocabulary,
        // The file name only: server paths never go into a response.
        lm: m.lm ? { file: path.basename(m.lm.path), alpha: m.lm.alpha, beta: m.lm.beta } : null,
      })),
      selector: t.describe(),
      limits,
      accepts: ACCEPTED_TYPES,
    });
  });

  app.post('/v1/transcribe', async (req: Request, res: Response) => {
    const requestId = res.locals.requestId!;
    const t0 = performance.now();
    const t = requireReady();
    const { segments: wantSegments, stream: wantStream, ...opts } = parseTranscribeQuery(req.query as Record<string, unknown>, limits.maxBeam);
    const type = mediaType(req.get('content-type'));
    const kind = classifyMediaType(type);
    if (kind === null) {
      metrics.rejections.inc({ reason: 'media_type' });
      throw new HttpError(
        415,
        `unsupported media type ${type === '' ? '(no Content-Type)' : `"${type.slice(0, 80)}"`}; send ${ACCEPTED_TYPES}`,
        'E_MEDIA_TYPE',
      );
    }
    const declared = req.get('content-length');
    if (declared !== undefined && Number(declared) > limits.maxBodyBytes + (kind === 'multipart' ? 64 * 1024 : 0)) {
      metrics.rejections.inc({ reason: 'too_large' });
      throw new HttpError(
        413,
        `request body (${formatBytes(Number(declared))}) is larger than the limit of ${formatBytes(limits.maxBodyBytes)}`,
        'E_TOO_LARGE',
      );
    }
    // Uploads are bounded on their own and read in full before the request asks for an inference slot,
    // so slow clients (slowloris) never hold one; the pace limits cut them off (408).
    if (uploads >= limits.maxUploads) {
      metrics.rejections.inc({ reason: 'uploads_full' });
      throw new HttpError(503, `the server is receiving ${limits.maxUploads} uploads already; retry later`, 'E_BUSY', { 'Retry-After': '2' });
    }
    uploads++;
    inFlight++;
    let deferLeave = false;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let interrupt = (): void => undefined;
    // A client that goes away cancels its work (the worker stops at the next segment).
    const onClose = (): void => {
      if (!res.writableFinished && !abort.signal.aborted) abort.abort(new HttpError(499, 'the client closed the connection', 'E_CLIENT_CLOSED'));
    };
    res.on('close', onClose);
    // ?stream=1: NDJSON lines, the first one sent when the first segment is done.
    let streaming = false;
    const writeLine = (o: Record<string, unknown>): void => {
      if (!streaming) {
        streaming = true;
        res.status(200).setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
        res.setHeader('Cache-Control', 'no-store');
      }
      res.write(`${JSON.stringify(o)}\n`);
    };
    const onSegment = wantStream
      ? (seg: SegmentResult): void => {
          if (!abort.signal.aborted && !res.writableEnded) writeLine({ type: 'segment', ...seg });
        }
      : undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        const stop = (e: HttpError): void => {
          abort.abort(e);
          reject(e);
        };
        timer = setTimeout(
          () => stop(new HttpError(504, `the request took longer than the server's limit of ${limits.timeoutMs} ms`, 'E_TIMEOUT')),
          limits.timeoutMs,
        );
        interrupt = () =>
          stop(
            new HttpError(503, 'the server is shutting down and could not finish this request; retry', 'E_SHUTDOWN', {
              'Retry-After': '5',
              Connection: 'close',
            }),
          );
        interrupters.add(interrupt);
      });
      timeout.catch(() => {});
      const work = (async () => {
        let body: Uint8Array;
        let bodyType = type;
        try {
          if (kind === 'multipart') {
            const f = await readMultipartFile(req, limits.maxBodyBytes, abort.signal, pace);
            body = f.bytes;
            bodyType = f.type;
          } else {
            body = await readRawBody(req, limits.maxBodyBytes, abort.signal, pace);
          }
        } catch (e) {
          if (e instanceof HttpError && e.status === 413) metrics.rejections.inc({ reason: 'too_large' });
          if (e instanceof HttpError && e.status === 408) metrics.rejections.inc({ reason: 'slow_upload' });
          throw e;
        } finally {
          uploads--;
        }
        if (body.byteLength === 0) throw new HttpError(400, 'empty request body; expected audio', 'E_EMPTY');
        const ticket: Ticket | null = limiter.tryAdmit();
        if (ticket === null) {
          metrics.rejections.inc({ reason: 'queue_full' });
          const retry = Math.min(60, Math.max(1, Math.ceil((latencyEwmaMs * (limiter.waiting + 1)) / limits.concurrency / 1000)));
          throw new HttpError(503, `the server is busy (${limits.concurrency} running, ${limits.queue} waiting); retry later`, 'E_BUSY', {
            'Retry-After': String(retry),
          });
        }
        const queuedAt = performance.now();
        return ticket.run(async () => {
          const startedAt = performance.now();
          if (abort.signal.aborted) throw abort.signal.reason;
          let result: EnsembleResult;
          try {
            result = await t.transcribe(body, {
              ...earlyRouteDefaults,
              ...opts,
              maxSeconds: limits.maxAudioSeconds,
              source: 'request body',
              signal: abort.signal,
              onSegment,
            });
          } catch (e) {
            if (abort.signal.aborted) throw abort.signal.reason;
            // Bad audio and options are the client's (400/415); anything else the server's (asClientOrServerError).
            if (isUserError(e) && (CLIENT_ERROR_CODES.test(e.code) || e.code === 'E_FFMPEG_MISSING')) {
              const message = e.message.replace(/^request body: /, '');
              if (e.code === 'E_TOO_LONG') {
                metrics.rejections.inc({ reason: 'too_long' });
                throw new HttpError(
                  400,
                  message.replace(/; the limit is .*$/, `; this server accepts at most ${limits.maxAudioSeconds} s per request (--max-audio-seconds)`),
                  'E_TOO_LONG',
                );
              }
              // Non-WAV audio on a server without ffmpeg: the media type is the problem.
              const status = e.code === 'E_FFMPEG_MISSING' && bodyType !== 'application/octet-stream' && bodyType !== '' ? 415 : 400;
              throw new HttpError(status, `request body: ${redactMessage(message)}`, e.code);
            }
            throw asClientOrServerError(e);
          }
          return { result, queueMs: startedAt - queuedAt, decodeMs: 0, seconds: result.audioSeconds };
        }, abort.signal);
      })();
      // If we answer by timeout, the work runs until its next segment boundary (it was cancelled): track it.
      work.then(
        () => {},
        () => {},
      );
      let out: Awaited<typeof work>;
      try {
        out = await Promise.race([work, timeout]);
      } catch (e) {
        if (streaming) {
          // Headers are sent: the error goes in the stream (the work was cancelled by the abort).
          if (e instanceof HttpError && e.status === 504) metrics.rejections.inc({ reason: 'timeout' });
          const he = e instanceof HttpError ? e : null;
          if (!res.writableEnded) {
            writeLine({
              type: 'error',
              error: { status: he?.status ?? 500, code: he?.code ?? 'E_INTERNAL', message: he?.message ?? 'internal error' },
              requestId,
            });
            res.end();
          }
          res.locals.logExtra = { ...res.locals.logExtra, error: he?.code ?? 'E_INTERNAL' };
          if (!(e instanceof HttpError)) log({ level: 'error', msg: 'unhandled error', requestId, error: (e as Error)?.message ?? String(e) });
          deferLeave = true;
          work.finally(leave).catch(() => {});
          return;
        }
        if (abort.signal.aborted && !(e instanceof HttpError && (e.status === 504 || e.code === 'E_SHUTDOWN'))) {
          // Cancelled (client gone): the slot frees when the worker stops at its next segment.
          deferLeave = true;
          work.finally(leave).catch(() => {});
        }
        if (e instanceof HttpError && (e.status === 504 || e.code === 'E_SHUTDOWN')) {
          metrics.rejections.inc({ reason: e.status === 504 ? 'timeout' : 'shutdown' });
          // The in-flight count stays up until the background work ends, so shutdown waits for it.
          deferLeave = true;
          background++;
          work
            .finally(() => {
              background--;
              leave();
            })
            .catch(() => {});
        }
        throw e;
      }
      const { result, queueMs, decodeMs } = out;
      const totalMs = performance.now() - t0;
      latencyEwmaMs = 0.8 * latencyEwmaMs + 0.2 * totalMs;
      metrics.audioSeconds.inc(result.audioSeconds);
      metrics.audioDuration.observe(result.audioSeconds);
      metrics.selections.inc({ model: result.model });
      res.locals.logExtra = { model: result.model, audioSeconds: Math.round(result.audioSeconds * 1000) / 1000, lm: Boolean(opts.lm) };
      const round = (x: number): number => Math.round(x * 100) / 100;
      const timingsMs: Record<string, number> = {};
      for (const [k, v] of Object.entries(result.timingsMs)) timingsMs[k] = round(v);
      // The server decoded the upload; the ensemble's own `decode` is then only resampling.
      timingsMs.queue = round(queueMs);
      timingsMs.decode = round(decodeMs + (result.timingsMs.decode ?? 0));
      timingsMs.total = round(totalMs);
      const { segments, ...summary } = result;
      const body: Record<string, unknown> = { requestId, ...summary, timingsMs };
      if (wantSegments || wantStream) body.segments = segments ?? [];
      if (wantStream) {
        // Every segment was already sent; the last line is the whole result.
        delete body.segments;
        writeLine({ type: 'result', ...body });
        res.end();
      } else res.json(body);
    } finally {
      clearTimeout(timer);
      interrupters.delete(interrupt);
      res.off('close', onClose);
      if (!deferLeave) leave();
    }
  });

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new HttpError(404, `no route ${req.method} ${req.path.slice(0, 200)}`, 'E_NOT_FOUND'));
  });

  // Error handler: every failure becomes a JSON answer; nothing here may throw.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const requestId = res.locals.requestId;
    let status = 500;
    let code = 'E_INTERNAL';
    let message = 'internal error';
    let headers: Record<string, string> = {};
    if (err instanceof HttpError) {
      ({ status, code, message, headers } = err);
    } else if (err instanceof ServerFault) {
      code = err.code;
      message = err.publicMessage;
      log({ level: 'error', msg: 'server fault', requestId, error: err.message, stack: (err.cause as Error)?.stack });
    } else if (isUserError(err)) {
      status = 400;
      code = err.code;
      message = redactMessage(err.message);
    } else if (err && typeof err === 'object' && (err as { type?: string }).type === 'entity.too.large') {
      status = 413;
      code = 'E_TOO_LARGE';
      message = 'request body too large';
    } else if (err && typeof err === 'object' && typeof (err as { status?: unknown }).status === 'number' && (err as { status: number }).status < 500) {
      status = (err as { status: number }).status;
      code = 'E_HTTP';
      message = (err as Error).message;
    } else {
      log({ level: 'error', msg: 'unhandled error', requestId, error: (err as Error)?.message ?? String(err), stack: (err as Error)?.stack });
    }
    res.locals.logExtra = {
      ...res.locals.logExtra,
      error: code,
      ...(status >= 500 && status !== 503 && status !== 504 ? {} : { reason: message.slice(0, 300) }),
    };
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Answer without reading the rest of a body we refused, but let the client read the answer: the rest
    // is read and dropped (bounded). Not after 504/shutdown (the request's own reader may still be
    // attached and must see its end) nor after 408 (a slow client is cut off once answered).
    if (!req.complete && status !== 504 && status !== 408 && code !== 'E_SHUTDOWN') discardBody(req, 2 * limits.maxBodyBytes, SERVING_DEFAULTS.discardMs);
    try {
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.status(status).json({ error: { status, code, message }, requestId });
    } catch {
      res.destroy();
    }
  });

  return app;
}
