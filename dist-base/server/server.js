/**
 * Start and stop the HTTP service. `stop()` is the graceful shutdown (the CLI calls it on SIGTERM and
 * SIGINT): the listener closes, readiness turns 503, new transcriptions get 503, idle keep-alive
 * connections are closed, and the requests already in flight run to completion, up to `graceMs`. Past
 * that (or at once with `stop({ now: true })`, the CLI's second signal) every request still in flight
 * is answered 503 `E_SHUTDOWN`, the answers are flushed and the remaining connections are closed; the
 * inference behind them keeps running until it ends (ONNX Runtime cannot be interrupted), which the
 * caller waits for before disposing the ensemble.
 *
 * A request head the parser refuses gets a JSON answer too: 431 when the URL or headers exceed Node's
 * header limit (16 KB), 400 otherwise.
 */
import { SERVING_DEFAULTS } from '../defaults.js';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createApp } from './app.js';
import { attachStreamEndpoint } from './stream-endpoint.js';
/** The raw HTTP answer to a request head the parser refused (no express request exists yet). */
function clientErrorAnswer(err) {
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const message = tooLarge ? 'the request line or headers are larger than this server accepts (16 KB in all)' : 'malformed HTTP request';
    const requestId = randomUUID();
    const body = JSON.stringify({ error: { status, code: tooLarge ? 'E_HEADERS_TOO_LARGE' : 'E_BAD_REQUEST', message }, requestId });
    return (`HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`);
}
export async function startServer(transcriber, options = {}) {
    const app = createApp(transcriber, options);
    const host = options.host ?? '127.0.0.1';
    const graceMs = options.graceMs ?? SERVING_DEFAULTS.graceMs;
    const server = http.createServer(app);
    // Slow uploads: the whole request must arrive within this time (Node's default is 300 s).
    server.requestTimeout = Math.max(300_000, app.service.limits.timeoutMs + 10_000);
    server.headersTimeout = 60_000;
    server.on('clientError', (err, socket) => {
        if (socket.writable && !socket.destroyed && err.code !== 'ECONNRESET')
            socket.end(clientErrorAnswer(err));
        else
            socket.destroy();
        app.service.log({ level: 'warn', msg: 'client error', error: err.message, code: err.code });
    });
    const streams = attachStreamEndpoint(server, app.service, options.stream);
    await new Promise((resolve, reject) => {
        const onError = (e) => reject(e);
        server.once('error', onError);
        server.listen(options.port ?? 8080, host, () => {
            server.off('error', onError);
            resolve();
        });
    });
    server.on('error', (e) => app.service.log({ level: 'error', msg: 'server error', error: e.message }));
    const addr = server.address();
    const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    let stopping = null;
    let expedite = () => undefined;
    const expedited = new Promise((r) => (expedite = r));
    const stop = (options = {}) => {
        if (options.now)
            expedite();
        if (stopping)
            return stopping;
        stopping = (async () => {
            app.service.drain();
            app.service.log({ level: 'info', msg: 'shutting down', inFlight: app.service.inFlight() });
            const closed = new Promise((resolve) => server.close(() => resolve()));
            // Live streams end now (1001): they have no natural end to wait for.
            const streamsClosed = streams.close();
            server.closeIdleConnections();
            // Keep closing connections as they turn idle while in-flight requests finish.
            const sweep = setInterval(() => server.closeIdleConnections(), 100);
            let timer;
            const timedOut = await Promise.race([
                app.service.whenIdle().then(() => false),
                expedited.then(() => true),
                new Promise((r) => {
                    timer = setTimeout(() => r(true), graceMs);
                }),
            ]);
            clearTimeout(timer);
            let interrupted = 0;
            if (timedOut) {
                // Answer what is still in flight (503) rather than cutting connections without an answer.
                interrupted = app.service.interruptInFlight();
                app.service.log({ level: 'warn', msg: 'shutdown grace period over; requests in flight answered 503', interrupted });
            }
            // Let the last responses flush, then cut whatever is left.
            await new Promise((r) => setTimeout(r, 50));
            server.closeIdleConnections();
            const cut = setTimeout(() => server.closeAllConnections(), timedOut ? 200 : 1000);
            await Promise.all([closed, streamsClosed]);
            clearInterval(sweep);
            clearTimeout(cut);
            app.service.log({ level: 'info', msg: 'stopped' });
            return { interrupted };
        })();
        return stopping;
    };
    return { app, server, streams, host: addr.address, port: addr.port, url: `http://${urlHost}:${addr.port}`, stop };
}
//# sourceMappingURL=server.js.map