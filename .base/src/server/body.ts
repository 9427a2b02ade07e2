/**
 * Request bodies, in memory only: nothing a request sends is ever written to disk, and no request field
 * (multipart file name included) is ever used as a path.
 */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';

/** An HTTP error with a status and a message safe to show to the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export type BodyKind = 'wav' | 'audio' | 'octet-stream' | 'multipart';

const WAV_TYPES = new Set(['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave', 'audio/x-pn-wav']);

export const ACCEPTED_TYPES =
  'audio/wav (audio/x-wav, audio/wave), any other audio/* type ffmpeg can decode, application/octet-stream, multipart/form-data with a field "file"';

/** The media type without parameters, lower-cased; '' when absent. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** Classify a body's media type; null when it is not one this service accepts. */
export function classifyMediaType(type: string): BodyKind | null {
  if (WAV_TYPES.has(type)) return 'wav';
  if (type === 'application/octet-stream') return 'octet-stream';
  if (type === 'multipart/form-data') return 'multipart';
  if (/^audio\/[a-z0-9][a-z0-9.+-]*$/.test(type)) return 'audio';
  return null;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `request body is larger than the limit of ${formatBytes(limit)}`, 'E_TOO_LARGE');
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(2)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} kB`;
  return `${n} bytes`;
}

/**
 * Reject when `signal` aborts (the request was answered early) or the connection closes before the
 * body ended: after an early answer Node emits no further events on the request, so without this a
 * reader could wait forever.
 */
function watchEnd(req: IncomingMessage, signal: AbortSignal | undefined, fail: (e: Error) => void): () => void {
  const onAbort = (): void => fail(signal!.reason instanceof Error ? signal!.reason : new HttpError(400, 'upload abandoned', 'E_ABORTED'));
  const onClose = (): void => {
    if (!req.complete) fail(new HttpError(400, 'the client aborted the upload', 'E_ABORTED'));
  };
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  req.on('close', onClose);
  req.socket?.on('close', onClose);
  return () => {
    signal?.removeEventListener('abort', onAbort);
    req.off('close', onClose);
    req.socket?.off('close', onClose);
  };
}

/**
 * Pace of an upload: slow clients (slowloris) are cut off with 408 instead of holding memory and a
 * connection for the whole request time limit.
 */
export interface UploadPace {
  /** Longest pause between two chunks of the body (ms). */
  idleMs: number;
  /** Slowest accepted average rate (bytes/s), checked once `graceMs` have passed since the upload began. */
  minBytesPerSec: number;
  graceMs: number;
}

/** Fail with 408 when the body stalls for `idleMs` or arrives slower than `minBytesPerSec` on average. */
function watchPace(req: IncomingMessage, pace: UploadPace | undefined, fail: (e: Error) => void): () => void {
  if (!pace) return () => undefined;
  const started = Date.now();
  let last = started;
  let bytes = 0;
  const onData = (c: Buffer): void => {
    bytes += c.length;
    last = Date.now();
  };
  req.on('data', onData);
  const tick = Math.max(10, Math.min(1000, Math.floor(Math.min(pace.idleMs, pace.graceMs) / 4)));
  const timer = setInterval(() => {
    const now = Date.now();
    if (now - last >= pace.idleMs) {
      fail(new HttpError(408, `no part of the request body arrived for ${pace.idleMs} ms; the upload was cut off`, 'E_UPLOAD_IDLE', { Connection: 'close' }));
    } else if (now - started >= pace.graceMs && (bytes * 1000) / (now - started) < pace.minBytesPerSec) {
      const rate = (bytes * 1000) / (now - started);
      fail(
        new HttpError(
          408,
          `the request body arrives at ${formatBytes(Math.round(rate))}/s, slower than this server's minimum of ${formatBytes(pace.minBytesPerSec)}/s; the upload was cut off`,
          'E_UPLOAD_SLOW',
          {
            Connection: 'close',
          },
        ),
      );
    }
  }, tick);
  return () => {
    clearInterval(timer);
    req.off('data', onData);
  };
}

/** The raw body, up to `limit` bytes (413 beyond). */
export function readRawBody(req: IncomingMessage, limit: number, signal?: AbortSignal, pace?: UploadPace): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (err: Error | null, value?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      unwatch();
      unpace();
      if (err) reject(err);
      else resolve(value!);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        done(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const buf = Buffer.concat(chunks, size);
      done(null, new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    };
    const onError = (e: Error): void => done(new HttpError(400, `could not read the request body: ${e.message}`, 'E_BODY_READ'));
    const onAborted = (): void => done(new HttpError(400, 'the client aborted the upload', 'E_ABORTED'));
    let unwatch = (): void => {};
    let unpace = (): void => {};
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    unwatch = watchEnd(req, signal, (e) => done(e));
    unpace = watchPace(req, pace, (e) => done(e));
  });
}

/**
 * The bytes of the multipart field `file` (its file name is ignored), up to `limit` bytes. Other file
 * fields are skipped; text fields are ignored; a second `file` part is refused (400) rather than one of
 * the two being picked silently. The part's own Content-Type must be audio/*, application/octet-stream
 * or absent (415 otherwise).
 */
export function readMultipartFile(req: IncomingMessage, limit: number, signal?: AbortSignal, pace?: UploadPace): Promise<{ bytes: Uint8Array; type: string }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { files: 8, fileSize: limit, fields: 16, fieldSize: 4096, parts: 32, headerPairs: 64 },
      });
    } catch (e) {
      reject(new HttpError(400, `malformed multipart request: ${(e as Error).message}`, 'E_MULTIPART'));
      return;
    }
    let settled = false;
    let file: { chunks: Buffer[]; size: number; type: string; done: boolean; truncated: boolean } | null = null;
    let sawOtherFile = false;
    let unwatch = (): void => {};
    let unpace = (): void => {};
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      unwatch();
      unpace();
      req.unpipe(bb);
      reject(e);
    };
    bb.on('file', (name, stream, info) => {
      if (name === 'file' && file !== null) {
        stream.resume();
        fail(new HttpError(400, 'multipart request has more than one "file" part; send one audio file per request', 'E_MULTIPART'));
        return;
      }
      if (name !== 'file') {
        sawOtherFile = true;
        stream.resume();
        return;
      }
      const type = (info.mimeType ?? '').toLowerCase();
      const kind = classifyMediaType(type);
      if (type !== '' && (kind === null || kind === 'multipart')) {
        stream.resume();
        fail(new HttpError(415, `the "file" part has media type ${type}; expected audio (${ACCEPTED_TYPES})`, 'E_MEDIA_TYPE'));
        return;
      }
      const f = { chunks: [] as Buffer[], size: 0, type, done: false, truncated: false };
      file = f;
      stream.on('data', (c: Buffer) => {
        f.size += c.length;
        f.chunks.push(c);
      });
      stream.on('limit', () => {
        f.truncated = true;
        f.chunks.length = 0;
        fail(tooLarge(limit));
      });
      stream.on('end', () => {
        f.done = true;
      });
    });
    bb.on('filesLimit', () => fail(new HttpError(400, 'multipart request has too many file parts', 'E_MULTIPART')));
    bb.on('partsLimit', () => fail(new HttpError(400, 'multipart request has too many parts', 'E_MULTIPART')));
    bb.on('fieldsLimit', () => fail(new HttpError(400, 'multipart request has too many fields', 'E_MULTIPART')));
    bb.on('error', (e: Error) => fail(new HttpError(400, `malformed multipart request: ${e.message}`, 'E_MULTIPART')));
    bb.on('close', () => {
      if (settled) return;
      const f = file as { chunks: Buffer[]; size: number; type: string; truncated: boolean } | null;
      if (f === null) {
        fail(
          new HttpError(
            400,
            sawOtherFile
              ? 'multipart request has no file field named "file" (send the audio as field "file")'
              : 'multipart request has no field "file" with the audio',
            'E_MULTIPART',
          ),
        );
        return;
      }
      if (f.truncated) return fail(tooLarge(limit));
      settled = true;
      unwatch();
      unpace();
      const buf = Buffer.concat(f.chunks, f.size);
      resolve({ bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), type: f.type });
    });
    req.on('aborted', () => fail(new HttpError(400, 'the client aborted the upload', 'E_ABORTED')));
    unwatch = watchEnd(req, signal, fail);
    unpace = watchPace(req, pace, fail);
    req.pipe(bb);
  });
}

/**
 * After answering early (413, 415, 503 …), swallow the rest of the body so that clients which send the
 * whole body before reading (Python's http.client, many SDKs) still read the answer instead of a broken
 * pipe: the connection is kept open while at most `capBytes` more bytes arrive within `capMs`, then cut.
 */
export function discardBody(req: IncomingMessage, capBytes: number, capMs: number): void {
  if (req.readableEnded || req.destroyed) return;
  let seen = 0;
  req.unpipe();
  req.removeAllListeners('data');
  const cut = (): void => {
    req.socket?.destroy();
  };
  const timer = setTimeout(cut, capMs);
  timer.unref();
  req.on('data', (c: Buffer) => {
    seen += c.length;
    if (seen > capBytes) {
      clearTimeout(timer);
      cut();
    }
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.on('error', () => {
    /* the socket may be gone */
  });
  req.resume();
}
