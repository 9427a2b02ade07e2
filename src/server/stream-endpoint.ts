/**
 * `GET /v1/stream`: live transcription over WebSocket (the `ws` package) on the same HTTP server as
 * `/v1/transcribe`. This thread moves bytes, runs the small Silero VAD per 32 ms window (~0.2 ms each) and keeps
 * each stream's current utterance; the ensemble runs in the server's transcriber (the worker pool of `serve`).
 * The protocol is in `src/stream/protocol.ts`, the per-stream logic in `src/stream/session.ts`.
 *
 * Limits: `maxStreams` open streams (the next gets 1013), `maxFrameBytes` per binary message (1009),
 * `maxStreamSeconds` of audio per stream (1008), `idleTimeoutMs` without a message (1008). Every resource of a
 * stream (its VAD state, its utterance buffer, its pending decodes' results) is released when the socket closes.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { STREAMING_DEFAULTS } from '../defaults.js';
import { SileroVad } from '../segment/silero.js';
import { VoiceActivityDetector } from '../segment/vad.js';
import { CloseCode, StreamError, decodePcm, parseControlMessage, parseStartMessage, type ServerMessage, type StreamLimits } from '../stream/protocol.js';
import { LiveSession } from '../stream/session.js';
import { isUserError } from '../util/errors.js';
import { redactMessage, type ServiceControl } from './app.js';

export interface StreamEndpointOptions {
  maxStreams?: number;
  maxStreamSeconds?: number;
  idleTimeoutMs?: number;
  maxFrameBytes?: number;
  partialIntervalSeconds?: number;
  maxPendingSeconds?: number;
}

export interface StreamEndpoint {
  /** Open streams. */
  active(): number;
  /** Close every stream with 1001 (server shutting down) and stop accepting new ones. */
  close(): Promise<void>;
}

export const STREAM_PATH = '/v1/stream';

/** The ensemble's error codes for routing options it refuses (early routing, the domain gate). */
const ROUTING_ERRORS = new Set(['E_OPTIONS', 'E_EARLY_ROUTE_MISMATCH', 'E_NO_DOMAIN_GATE']);

export function attachStreamEndpoint(server: http.Server, service: ServiceControl, options: StreamEndpointOptions = {}): StreamEndpoint {
  const limits = {
    maxStreams: options.maxStreams ?? STREAMING_DEFAULTS.maxStreams,
    maxStreamSeconds: options.maxStreamSeconds ?? STREAMING_DEFAULTS.maxStreamSeconds,
    idleTimeoutMs: options.idleTimeoutMs ?? STREAMING_DEFAULTS.idleTimeoutMs,
    maxFrameBytes: options.maxFrameBytes ?? STREAMING_DEFAULTS.maxFrameBytes,
    partialIntervalSeconds: options.partialIntervalSeconds ?? STREAMING_DEFAULTS.partialIntervalSeconds,
    maxPendingSeconds: options.maxPendingSeconds ?? STREAMING_DEFAULTS.maxPendingSeconds,
  };
  const protocolLimits: StreamLimits = {
    minSampleRate: STREAMING_DEFAULTS.minSampleRate,
    maxSampleRate: STREAMING_DEFAULTS.maxSampleRate,
    maxBeam: service.limits.maxBeam,
    maxUtteranceSeconds: STREAMING_DEFAULTS.maxUtteranceSeconds,
  };
  // Messages up to 4× the limit reach our handler (which answers with an error message and 1009); ws itself
  // closes with 1009 beyond that, before buffering them.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes * 4 + 1024 });
  const open = new Set<WebSocket>();
  let closing = false;

  const refuseUpgrade = (socket: Duplex, status: number, reason: string): void => {
    const body = JSON.stringify({ error: { code: status === 503 ? 'E_NOT_READY' : 'E_NOT_FOUND', message: reason } });
    socket.end(
      `HTTP/1.1 ${status} ${status === 503 ? 'Service Unavailable' : 'Not Found'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== STREAM_PATH) return refuseUpgrade(socket, 404, `no WebSocket endpoint at ${path?.slice(0, 64)}; live transcription is at ${STREAM_PATH}`);
    if (closing || service.transcriber() === null) return refuseUpgrade(socket, 503, 'the models are not ready (loading or shutting down)');
    wss.handleUpgrade(req, socket, head, (ws) => handle(ws));
  });

  function handle(ws: WebSocket): void {
    const send = (m: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    let ended = false;
    let session: LiveSession | null = null;
    let starting = false;
    let idle: NodeJS.Timeout | undefined;
    const end = (error: unknown): void => {
      if (ended) return;
      ended = true;
      session?.close();
      clearTimeout(idle);
      if (error instanceof StreamError) {
        send({ type: 'error', code: error.code, message: error.message });
        ws.close(error.closeCode, error.code);
      } else if (isUserError(error)) {
        // Routing options the ensemble refuses are the start message's fault; anything else the audio's.
        const code = ROUTING_ERRORS.has(error.code) ? 'E_BAD_START' : 'E_BAD_AUDIO';
        send({ type: 'error', code, message: redactMessage(error.message) });
        ws.close(CloseCode.BadData, code);
      } else {
        service.log({ level: 'error', msg: 'stream failed', error: (error as Error)?.message ?? String(error) });
        send({ type: 'error', code: 'E_INTERNAL', message: 'the server failed to decode this stream' });
        ws.close(CloseCode.ServerError, 'E_INTERNAL');
      }
    };

    if (open.size >= limits.maxStreams) {
      return end(new StreamError('E_TOO_MANY_STREAMS', CloseCode.TryLater, `the server has its maximum of ${limits.maxStreams} open streams; retry later`));
    }
    open.add(ws);
    service.metrics.activeStreams.inc();

    // The idle clock runs only while the server waits for the client: not after stop, not while the socket is
    // paused for back-pressure.
    let waitingForClient = true;
    const touch = (): void => {
      clearTimeout(idle);
      if (!waitingForClient || ended) return;
      idle = setTimeout(() => end(new StreamError('E_IDLE', CloseCode.Policy, `no message for ${limits.idleTimeoutMs / 1000} s`)), limits.idleTimeoutMs);
    };
    touch();

    const start = async (text: string): Promise<void> => {
      starting = true;
      const msg = parseStartMessage(text, protocolLimits);
      const transcriber = service.transcriber();
      if (!transcriber) throw new StreamError('E_NOT_READY', CloseCode.TryLater, 'the models are not ready');
      const vad = new VoiceActivityDetector(await SileroVad.load(), {
        minSilenceMs: msg.vad.minSilenceMs ?? STREAMING_DEFAULTS.minSilenceMs,
        maxSegmentSeconds: msg.vad.maxUtteranceSeconds ?? STREAMING_DEFAULTS.maxUtteranceSeconds,
        ...(msg.vad.threshold === undefined ? {} : { threshold: msg.vad.threshold }),
        speechPadMs: msg.vad.speechPadMs ?? STREAMING_DEFAULTS.speechPadMs,
      });
      if (ended) return;
      session = new LiveSession({
        start: msg,
        transcriber,
        routing: service.routing,
        vad,
        send,
        partialIntervalSeconds: limits.partialIntervalSeconds,
        maxPendingSeconds: limits.maxPendingSeconds,
        maxStreamSeconds: limits.maxStreamSeconds,
        setFlowing: (on) => {
          waitingForClient = on;
          if (on) ws.resume();
          else ws.pause();
          touch();
        },
        onFinal: (model, ms) => {
          service.metrics.streamFinals.inc({ model });
          service.metrics.streamFinalLatency.observe(ms / 1000);
        },
        onAudio: (s) => service.metrics.streamAudioSeconds.inc(s),
        onError: end,
      });
      send({ type: 'ready' });
    };

    // Messages are handled in arrival order (start is async: the VAD model may still be loading).
    let chain: Promise<void> = Promise.resolve();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      touch();
      const bytes = toBytes(data);
      chain = chain
        .then(async () => {
          if (ended) return;
          if (bytes.byteLength > limits.maxFrameBytes) {
            throw new StreamError('E_FRAME_TOO_BIG', CloseCode.TooBig, `a message may hold at most ${limits.maxFrameBytes} bytes, got ${bytes.byteLength}`);
          }
          if (!starting) {
            if (isBinary) throw new StreamError('E_NO_START', CloseCode.BadData, 'audio before the start message; send {"type":"start",…} first');
            return start(Buffer.from(bytes).toString('utf8'));
          }
          if (!session) return;
          if (isBinary) return session.push(decodePcm(bytes, session.encoding));
          parseControlMessage(Buffer.from(bytes).toString('utf8'));
          waitingForClient = false;
          clearTimeout(idle);
          await session.stop();
          if (ended) return;
          ended = true;
          clearTimeout(idle);
          send({ type: 'end' });
          ws.close(CloseCode.Normal, 'end');
        })
        .catch(end);
    });
    ws.on('error', (e) => service.log({ level: 'warn', msg: 'stream socket error', error: e.message }));
    ws.on('close', () => {
      ended = true;
      clearTimeout(idle);
      session?.close();
      session = null;
      if (open.delete(ws)) service.metrics.activeStreams.dec();
    });
  }

  return {
    active: () => open.size,
    close: async () => {
      closing = true;
      const closed = [...open].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            if (ws.readyState === ws.OPEN) {
              ws.send(JSON.stringify({ type: 'error', code: 'E_SHUTDOWN', message: 'the server is shutting down' }));
              ws.close(CloseCode.GoingAway, 'E_SHUTDOWN');
            }
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, 2000).unref();
          }),
      );
      await Promise.all(closed);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
