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
 *     400 bad query, empty or undecodable audio (the decoder's reason), audio longer than
 *         maxAudioSeconds (the message names the limit), multipart without `file`
 *     404 unknown route        413 body over maxBodyBytes      415 unsupported media type
 *     503 not ready / shutting down / queue full (with Retry-After)
 *     504 the request took longer than timeoutMs from its arrival (upload + queue wait + decoding +
 *         inference). The work is cancelled: it stops at its next speech segment (an ONNX run in progress
 *         cannot be interrupted) and keeps its concurrency slot until then, so overload shows up as 503s
 *         rather than piling up. onnxruntime-node runs inference synchronously on the calling thread, so with an in-thread
 *         `Ensemble` the timer (and /healthz, /metrics) can only act between inference calls; serve a
 *         `WorkerPoolEnsemble` (the CLI default) to keep the HTTP thread free.
 *     500 anything unexpected (logged with the request id; the server keeps running).
 *
 * Every request gets an id (a valid incoming X-Request-Id is kept, else a UUID), returned in the
 * `X-Request-Id` header and the body, and one JSON log line when it ends.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
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
  /** Where the JSON log lines go (default process.stderr); null: no logs. */
  logStream?: Writable | null;
  /** Also export prom-client's default process metrics (default true). */
  defaultMetrics?: boolean;
}

export type LoadState = 'loading' | 'ready' | 'failed' | 'draining';

/** Control surface used by `startServer` (readiness, draining, in-flight tracking). */
export interface ServiceControl {
  readonly metrics: ServiceMetrics;
  readonly limits: Required<Omit<AppOptions, 'logStream' | 'defaultMetrics'>>;
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
  log(entry: Record<string, unknown>): void;
}

export type EnsembleApp = Express & { service: ServiceControl };

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const TRUE_VALUES = new Set(['', '1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['0', 'false', 'no', 'off']);
const KNOWN_QUERY = new Set(['lm', 'all', 'beam', 'route', 'segments', 'stream']);

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
  return out;
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
  };
  if (!(limits.maxBodyBytes > 0)) throw new RangeError('maxBodyBytes must be positive');
  if (!(limits.maxAudioSeconds > 0)) throw new RangeError('maxAudioSeconds must be positive');
  if (!(Number.isInteger(limits.timeoutMs) && limits.timeoutMs > 0)) throw new RangeError('timeoutMs must be a positive integer');
  if (!(Number.isInteger(limits.maxBeam) && limits.maxBeam >= 1)) throw new RangeError('maxBeam must be a positive integer');
  const limiter = new Limiter(limits.concurrency, limits.queue);
  const logStream = options.logStream === undefined ? process.stderr : options.logStream;

  let current: Transcriber | null = null;
  let state: LoadState = 'loading';
  let loadError: string | null = null;
  let inFlight = 0;
  let background = 0;
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

  const control: ServiceControl = {
    metrics,
    limits,
    state: () => state,
    setTranscriber,
    transcriber: () => (state === 'ready' ? current : null),
    drain: () => {
      state = 'draining';
    },
    inFlight: () => inFlight,
    whenIdle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r))),
    backgroundWork: () => background,
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
    res.json({ status: state, ...(loadError ? { error: loadError } : {}) });
  });

  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  const requireReady = (): Transcriber => {
    if (noLiveWorker()) throw new HttpError(503, 'no worker thread is available (restarting or down)', 'E_NOT_READY', { 'Retry-After': '5' });
    if (state === 'ready' && current) return current;
    if (state === 'draining') throw new HttpError(503, 'the server is shutting down', 'E_DRAINING', { 'Retry-After': '5', Connection: 'close' });
    if (state === 'failed') throw new HttpError(503, `the models failed to load: ${loadError}`, 'E_NOT_READY', { 'Retry-After': '30' });
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
        lm: m.lm,
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
            throw new HttpError(415, `unsupported media type ${type === '' ? '(no Content-Type)' : `"${type.slice(0, 80)}"`}; send ${ACCEPTED_TYPES}`, 'E_MEDIA_TYPE');
    }
    const declared = req.get('content-length');
    if (declared !== undefined && Number(declared) > limits.maxBodyBytes + (kind === 'multipart' ? 64 * 1024 : 0)) {
      metrics.rejections.inc({ reason: 'too_large' });
            throw new HttpError(413, `request body (${formatBytes(Number(declared))}) is larger than the limit of ${formatBytes(limits.maxBodyBytes)}`, 'E_TOO_LARGE', {
        Connection: 'close',
      });
    }
    const ticket: Ticket | null = limiter.tryAdmit();
    if (ticket === null) {
      metrics.rejections.inc({ reason: 'queue_full' });
            const retry = Math.min(60, Math.max(1, Math.ceil((latencyEwmaMs * (limiter.waiting + 1)) / limits.concurrency / 1000)));
      throw new HttpError(503, `the server is busy (${limits.concurrency} running, ${limits.queue} waiting); retry later`, 'E_BUSY', { 'Retry-After': String(retry) });
    }
    inFlight++;
    let deferLeave = false;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
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
    const onSegment = wantStream ? (seg: SegmentResult): void => {
      if (!abort.signal.aborted && !res.writableEnded) writeLine({ type: 'segment', ...seg });
    } : undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const e = new HttpError(504, `the request took longer than the server's limit of ${limits.timeoutMs} ms`, 'E_TIMEOUT');
          abort.abort(e);
          reject(e);
        }, limits.timeoutMs);
      });
      timeout.catch(() => {});
      const work = (async () => {
        let body: Uint8Array;
        let bodyType = type;
        try {
          if (kind === 'multipart') {
            const f = await readMultipartFile(req, limits.maxBodyBytes, abort.signal);
            body = f.bytes;
            bodyType = f.type;
          } else {
            body = await readRawBody(req, limits.maxBodyBytes, abort.signal);
          }
        } catch (e) {
          ticket.release();
          if (e instanceof HttpError && e.status === 413) {
            metrics.rejections.inc({ reason: 'too_large' });
                        e.headers.Connection = 'close';
          }
          throw e;
        }
        if (body.byteLength === 0) {
          ticket.release();
          throw new HttpError(400, 'empty request body; expected audio', 'E_EMPTY');
        }
        const queuedAt = performance.now();
        return ticket.run(async () => {
          const startedAt = performance.now();
          if (abort.signal.aborted) throw abort.signal.reason;
          let result: EnsembleResult;
          try {
            result = await t.transcribe(body, {
              ...opts,
              maxSeconds: limits.maxAudioSeconds,
              source: 'request body',
              signal: abort.signal,
              onSegment,
            });
          } catch (e) {
            if (abort.signal.aborted) throw abort.signal.reason;
            if (isUserError(e)) {
              const message = e.message.replace(/^request body: /, '');
              if (e.code === 'E_TOO_LONG') {
                metrics.rejections.inc({ reason: 'too_long' });
                throw new HttpError(400, message.replace(/; the limit is .*$/, `; this server accepts at most ${limits.maxAudioSeconds} s per request (--max-audio-seconds)`), 'E_TOO_LONG');
              }
              // Non-WAV audio on a server without ffmpeg: the media type is the problem.
              const status = e.code === 'E_FFMPEG_MISSING' && bodyType !== 'application/octet-stream' && bodyType !== '' ? 415 : 400;
              throw new HttpError(status, `request body: ${message}`, e.code);
            }
            throw e;
          }
          return { result, queueMs: startedAt - queuedAt, decodeMs: 0, seconds: result.audioSeconds };
        }, abort.signal);
      })();
      // If we answer by timeout, the work keeps running (ORT cannot be interrupted): track and log it.
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
            writeLine({ type: 'error', error: { status: he?.status ?? 500, code: he?.code ?? 'E_INTERNAL', message: he?.message ?? 'internal error' }, requestId });
            res.end();
          }
          res.locals.logExtra = { ...res.locals.logExtra, error: he?.code ?? 'E_INTERNAL' };
          if (!(e instanceof HttpError)) log({ level: 'error', msg: 'unhandled error', requestId, error: (e as Error)?.message ?? String(e) });
          deferLeave = true;
          work.finally(leave).catch(() => {});
          return;
        }
        if (abort.signal.aborted && !(e instanceof HttpError && e.status === 504)) {
          // Cancelled (client gone): the slot frees when the worker stops at its next segment.
          deferLeave = true;
          work.finally(leave).catch(() => {});
        }
        if (e instanceof HttpError && e.status === 504) {
          metrics.rejections.inc({ reason: 'timeout' });
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
    } else if (isUserError(err)) {
      status = 400;
      code = err.code;
      message = err.message;
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
    res.locals.logExtra = { ...res.locals.logExtra, error: code, ...(status >= 500 && status !== 503 && status !== 504 ? {} : { reason: message.slice(0, 300) }) };
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Answer without reading the rest of a body we refused, but let the client read the answer. (After a
    // 504 the upload may still be being read by the request's own reader, which must see its end.)
    if (!req.complete && status !== 504) discardBody(req, limits.maxBodyBytes);
    try {
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.status(status).json({ error: { status, code, message }, requestId });
    } catch {
      res.destroy();
    }
  });

  return app;
}
