import { WebSocketServer } from 'ws';
import { STREAMING_DEFAULTS } from '../defaults.js';
import { SileroVad } from '../segment/silero.js';
import { VoiceActivityDetector } from '../segment/vad.js';
import { CloseCode, StreamError, decodePcm, parseControlMessage, parseStartMessage } from '../stream/protocol.js';
import { LiveSession } from '../stream/session.js';
import { isUserError } from '../util/errors.js';
export const STREAM_PATH = '/v1/stream';
export function attachStreamEndpoint(server, service, options = {}) {
    const limits = {
        maxStreams: options.maxStreams ?? STREAMING_DEFAULTS.maxStreams,
        maxStreamSeconds: options.maxStreamSeconds ?? STREAMING_DEFAULTS.maxStreamSeconds,
        idleTimeoutMs: options.idleTimeoutMs ?? STREAMING_DEFAULTS.idleTimeoutMs,
        maxFrameBytes: options.maxFrameBytes ?? STREAMING_DEFAULTS.maxFrameBytes,
        partialIntervalSeconds: options.partialIntervalSeconds ?? STREAMING_DEFAULTS.partialIntervalSeconds,
        maxPendingSeconds: options.maxPendingSeconds ?? STREAMING_DEFAULTS.maxPendingSeconds,
    };
    const protocolLimits = {
        minSampleRate: STREAMING_DEFAULTS.minSampleRate,
        maxSampleRate: STREAMING_DEFAULTS.maxSampleRate,
        maxBeam: service.limits.maxBeam,
        maxUtteranceSeconds: STREAMING_DEFAULTS.maxUtteranceSeconds,
    };
    // Messages up to 4× the limit reach our handler (which answers with an error message and 1009); ws itself
    // closes with 1009 beyond that, before buffering them.
    const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes * 4 + 1024 });
    const open = new Set();
    let closing = false;
    const refuseUpgrade = (socket, status, reason) => {
        const body = JSON.stringify({ error: { code: status === 503 ? 'E_NOT_READY' : 'E_NOT_FOUND', message: reason } });
        socket.end(`HTTP/1.1 ${status} ${status === 503 ? 'Service Unavailable' : 'Not Found'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    server.on('upgrade', (req, socket, head) => {
        const path = (req.url ?? '').split('?')[0];
        if (path !== STREAM_PATH)
            return refuseUpgrade(socket, 404, `no WebSocket endpoint at ${path?.slice(0, 64)}; live transcription is at ${STREAM_PATH}`);
        if (closing || service.transcriber() === null)
            return refuseUpgrade(socket, 503, 'the models are not ready (loading or shutting down)');
        wss.handleUpgrade(req, socket, head, (ws) => handle(ws));
    });
    function handle(ws) {
        const send = (m) => {
            if (ws.readyState === ws.OPEN)
                ws.send(JSON.stringify(m));
        };
        let ended = false;
        let session = null;
        let starting = false;
        let idle;
        const end = (error) => {
            if (ended)
                return;
            ended = true;
            session?.close();
            clearTimeout(idle);
            if (error instanceof StreamError) {
                send({ type: 'error', code: error.code, message: error.message });
                ws.close(error.closeCode, error.code);
            }
            else if (isUserError(error)) {
                send({ type: 'error', code: 'E_BAD_AUDIO', message: error.message });
                ws.close(CloseCode.BadData, 'E_BAD_AUDIO');
            }
            else {
                service.log({ level: 'error', msg: 'stream failed', error: error?.message ?? String(error) });
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
        const touch = () => {
            clearTimeout(idle);
            if (!waitingForClient || ended)
                return;
            idle = setTimeout(() => end(new StreamError('E_IDLE', CloseCode.Policy, `no message for ${limits.idleTimeoutMs / 1000} s`)), limits.idleTimeoutMs);
        };
        touch();
        const start = async (text) => {
            starting = true;
            const msg = parseStartMessage(text, protocolLimits);
            const transcriber = service.transcriber();
            if (!transcriber)
                throw new StreamError('E_NOT_READY', CloseCode.TryLater, 'the models are not ready');
            const vad = new VoiceActivityDetector(await SileroVad.load(), {
                minSilenceMs: msg.vad.minSilenceMs ?? STREAMING_DEFAULTS.minSilenceMs,
                maxSegmentSeconds: msg.vad.maxUtteranceSeconds ?? STREAMING_DEFAULTS.maxUtteranceSeconds,
                ...(msg.vad.threshold === undefined ? {} : { threshold: msg.vad.threshold }),
                speechPadMs: msg.vad.speechPadMs ?? STREAMING_DEFAULTS.speechPadMs,
            });
            if (ended)
                return;
            session = new LiveSession({
                start: msg,
                transcriber,
                vad,
                send,
                partialIntervalSeconds: limits.partialIntervalSeconds,
                maxPendingSeconds: limits.maxPendingSeconds,
                maxStreamSeconds: limits.maxStreamSeconds,
                setFlowing: (on) => {
                    waitingForClient = on;
                    if (on)
                        ws.resume();
                    else
                        ws.pause();
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
        let chain = Promise.resolve();
        ws.on('message', (data, isBinary) => {
            touch();
            const bytes = toBytes(data);
            chain = chain
                .then(async () => {
                if (ended)
                    return;
                if (bytes.byteLength > limits.maxFrameBytes) {
                    throw new StreamError('E_FRAME_TOO_BIG', CloseCode.TooBig, `a message may hold at most ${limits.maxFrameBytes} bytes, got ${bytes.byteLength}`);
                }
                if (!starting) {
                    if (isBinary)
                        throw new StreamError('E_NO_START', CloseCode.BadData, 'audio before the start message; send {"type":"start",…} first');
                    return start(Buffer.from(bytes).toString('utf8'));
                }
                if (!session)
                    return;
                if (isBinary)
                    return session.push(decodePcm(bytes, session.encoding));
                parseControlMessage(Buffer.from(bytes).toString('utf8'));
                waitingForClient = false;
                clearTimeout(idle);
                await session.stop();
                if (ended)
                    return;
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
            if (open.delete(ws))
                service.metrics.activeStreams.dec();
        });
    }
    return {
        active: () => open.size,
        close: async () => {
            closing = true;
            const closed = [...open].map((ws) => new Promise((resolve) => {
                ws.once('close', () => resolve());
                if (ws.readyState === ws.OPEN) {
                    ws.send(JSON.stringify({ type: 'error', code: 'E_SHUTDOWN', message: 'the server is shutting down' }));
                    ws.close(CloseCode.GoingAway, 'E_SHUTDOWN');
                }
                setTimeout(() => {
                    ws.terminate();
                    resolve();
                }, 2000).unref();
            }));
            await Promise.all(closed);
            await new Promise((resolve) => wss.close(() => resolve()));
        },
    };
}
function toBytes(data) {
    if (Array.isArray(data))
        return Buffer.concat(data);
    if (data instanceof ArrayBuffer)
        return new Uint8Array(data);
    return data;
}
//# sourceMappingURL=stream-endpoint.js.map