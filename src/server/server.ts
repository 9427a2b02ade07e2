/**
 * Start and stop the HTTP service. `stop()` is the graceful shutdown (the CLI calls it on SIGTERM and
 * SIGINT): the listener closes, readiness turns 503, new transcriptions get 503, idle keep-alive
 * connections are closed, and the requests already in flight run to completion (up to `graceMs`,
 * after which the remaining connections are cut).
 */
import { SERVING_DEFAULTS } from '../defaults.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions, type EnsembleApp, type Transcriber } from './app.js';
import { attachStreamEndpoint, type StreamEndpoint, type StreamEndpointOptions } from './stream-endpoint.js';

export interface ServerOptions extends AppOptions {
  /** Port (default 8080; 0 = an ephemeral port). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Longest wait for in-flight requests on shutdown (default 30000 ms). */
  graceMs?: number;
  /** Limits of live streams on `GET /v1/stream` (WebSocket). */
  stream?: StreamEndpointOptions;
}

export interface RunningServer {
  app: EnsembleApp;
  server: http.Server;
  /** The live-transcription endpoint (`GET /v1/stream`). */
  streams: StreamEndpoint;
  host: string;
  port: number;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Graceful shutdown; resolves when every connection is closed. Safe to call more than once. */
  stop(): Promise<void>;
}

export async function startServer(transcriber: Transcriber | Promise<Transcriber> | null, options: ServerOptions = {}): Promise<RunningServer> {
  const app = createApp(transcriber, options);
  const host = options.host ?? '127.0.0.1';
  const graceMs = options.graceMs ?? SERVING_DEFAULTS.graceMs;
  const server = http.createServer(app);
  // Slow uploads: the whole request must arrive within this time (Node's default is 300 s).
  server.requestTimeout = Math.max(300_000, app.service.limits.timeoutMs + 10_000);
  server.headersTimeout = 60_000;
  server.on('clientError', (err, socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
    app.service.log({ level: 'warn', msg: 'client error', error: (err as Error).message });
  });
  const streams = attachStreamEndpoint(server, app.service, options.stream);
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (e) => app.service.log({ level: 'error', msg: 'server error', error: e.message }));
  const addr = server.address() as AddressInfo;
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    if (stopping) return stopping;
    stopping = (async () => {
      app.service.drain();
      app.service.log({ level: 'info', msg: 'shutting down', inFlight: app.service.inFlight() });
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Live streams end now (1001): they have no natural end to wait for.
      const streamsClosed = streams.close();
      server.closeIdleConnections();
      // Keep closing connections as they turn idle while in-flight requests finish.
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        app.service.whenIdle().then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) app.service.log({ level: 'warn', msg: 'shutdown grace period over; closing open connections', inFlight: app.service.inFlight() });
      // Let the last responses flush, then cut whatever is left.
      await new Promise((r) => setTimeout(r, 50));
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), timedOut ? 0 : 1000);
      await Promise.all([closed, streamsClosed]);
      clearInterval(sweep);
      clearTimeout(cut);
      app.service.log({ level: 'info', msg: 'stopped' });
    })();
    return stopping;
  };

  return { app, server, streams, host: addr.address, port: addr.port, url: `http://${urlHost}:${addr.port}`, stop };
}
