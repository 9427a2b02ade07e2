import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/audio/wav.js';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { cliPath, ensureBuilt } from '../helpers/cli.js';
import { spawnServe as spawnServeProcess, type ServeProcess } from '../helpers/serve.js';
import { repoRoot } from '../helpers/shared.js';
import { buildTinyEnsemble, toneWav, type TinyEnsemble } from '../helpers/tiny-ensemble.js';
import { synthesizeTones } from '../helpers/wav.js';
import { logSink } from '../helpers/log-sink.js';
import { hasFfmpeg } from '../helpers/tools.js';

interface Reply {
  status: number;
  headers: Headers;
  json: Record<string, any>;
}

async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const r = await fetch(url, init);
  const text = await r.text();
  let json: Record<string, any>;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: r.status, headers: r.headers, json };
}

function post(
  base: string,
  body: BodyInit | Uint8Array | ReadableStream<Uint8Array> | null,
  type?: string,
  query = '',
  extra: Record<string, string> = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...extra };
  if (type !== undefined) headers['content-type'] = type;
  return call(`${base}/v1/transcribe${query}`, { method: 'POST', body: body as BodyInit | null, headers, duplex: 'half' } as RequestInit);
}

function multipart(field: string, bytes: Uint8Array, filename: string, type = 'audio/wav'): FormData {
  const fd = new FormData();
  fd.append(field, new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), filename);
  return fd;
}

function ffmpegEncode(wav: Uint8Array, format: string): Uint8Array {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'wav', '-i', 'pipe:0', '-f', format, 'pipe:1'], { input: wav });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

let tiny: TinyEnsemble;
let ensemble: Ensemble;

beforeAll(async () => {
  tiny = await buildTinyEnsemble();
  ensemble = await Ensemble.load(tiny.dir);
});
afterAll(async () => {
  await ensemble?.dispose();
});

describe('HTTP service on a real ensemble', () => {
  let srv: RunningServer;
  let base: string;
  const logs = logSink();

  beforeAll(async () => {
    srv = await startServer(ensemble, { port: 0, maxBodyBytes: 256 * 1024, maxAudioSeconds: 4, concurrency: 2, queue: 4, logStream: logs.stream });
    base = srv.url;
    expect(srv.host).toBe('127.0.0.1');
    expect(srv.port).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('health, readiness and the model list', async () => {
    expect(await call(`${base}/healthz`)).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await call(`${base}/readyz`)).toMatchObject({ status: 200, json: { status: 'ready', members: ['dom0', 'dom1'] } });
    const m = await call(`${base}/v1/models`);
    expect(m.status).toBe(200);
    expect(m.json.members.map((x: any) => x.name)).toEqual(['dom0', 'dom1']);
    expect(m.json.members[0]).toMatchObject({ layout: 'nemo', vocabSize: 7, blankId: 6, lm: null });
    expect(m.json.members[0].vocabulary).toContain('a');
    expect(m.json.limits).toMatchObject({ maxBodyBytes: 256 * 1024, maxAudioSeconds: 4, concurrency: 2, queue: 4 });
  });

  it('transcribes a WAV body: text, chosen model, probabilities, confidences, timings, request id', async () => {
    const r = await post(base, toneWav(tiny.fx, 'abba'), 'audio/wav');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ text: 'abba', model: 'dom0', modelIndex: 0 });
    expect(Object.keys(r.json.probabilities)).toEqual(['dom0', 'dom1']);
    expect(r.json.probabilities.dom0).toBeGreaterThan(0.9);
    expect(r.json.confidences.dom0).toBeGreaterThan(r.json.confidences.dom1);
    expect(r.json.audioSeconds).toBeCloseTo(1.16, 6);
    for (const k of ['queue', 'decode', 'features', 'models', 'confidence', 'selector', 'total']) expect(typeof r.json.timingsMs[k]).toBe('number');
    expect(r.json.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get('x-request-id')).toBe(r.json.requestId);
    expect(r.json.transcripts).toBeUndefined();
  });

  it('accepts audio/x-wav, audio/wave, octet-stream, multipart; all=true returns every transcript', async () => {
    const wav = toneWav(tiny.fx, 'cddc');
    for (const type of ['audio/x-wav', 'audio/wave', 'audio/wav; codecs=1', 'application/octet-stream']) {
      const r = await post(base, wav, type);
      expect([type, r.status, r.json.text, r.json.model]).toEqual([type, 200, 'cddc', 'dom1']);
    }
    const all = await post(base, wav, 'audio/wav', '?all=true&lm=false&beam=8');
    expect(all.status).toBe(200);
    expect(all.json.transcripts).toEqual([
      { model: 'dom0', text: 'CDDC' },
      { model: 'dom1', text: 'cddc' },
    ]);
    const mp = await post(base, multipart('file', wav, 'x.wav'));
    expect([mp.status, mp.json.text]).toEqual([200, 'cddc']);
  });

  it('early_route routes on a prefix (full routing when the audio is shorter)', async () => {
    const wav = toneWav(tiny.fx, 'cddcdc');
    const full = await post(base, wav, 'audio/wav');
    const longer = await post(base, wav, 'audio/wav', '?early_route=1000');
    expect([longer.status, longer.json.text, longer.json.model, longer.json.earlyRoute]).toEqual([200, full.json.text, full.json.model, undefined]);
    expect(longer.json.confidences).toEqual(full.json.confidences);
    const early = await post(base, wav, 'audio/wav', '?early_route=0.4');
    expect([early.status, early.json.text, early.json.model, early.json.earlyRoute]).toEqual([200, 'cddcdc', 'dom1', { seconds: 0.4 }]);
    // The cascade: floor 1 is full routing; floor 0 plain early routing; a floor above the prefix's top probability escalates.
    const one = await post(base, wav, 'audio/wav', '?early_route=0.4&early_route_min_prob=1');
    expect([one.status, one.json.text, one.json.model, one.json.earlyRoute, one.json.confidences]).toEqual([
      200,
      full.json.text,
      full.json.model,
      undefined,
      full.json.confidences,
    ]);
    const zero = await post(base, wav, 'audio/wav', '?early_route=0.4&early_route_min_prob=0');
    expect([zero.status, zero.json.earlyRoute, zero.json.probabilities]).toEqual([200, { seconds: 0.4 }, early.json.probabilities]);
    const top = Math.max(...Object.values(early.json.probabilities as Record<string, number>));
    if (top < 0.999999) {
      const up = await post(base, wav, 'audio/wav', '?early_route=0.4&early_route_min_prob=0.999999');
      expect([up.status, up.json.earlyRoute, up.json.confidences]).toEqual([
        200,
        { seconds: 0.4, minProbability: 0.999999, escalated: 'low-probability', prefixProbability: top },
        full.json.confidences,
      ]);
    }
    // Server-wide defaults (`serve --early-route`, `--early-route-min-prob`); the query overrides them.
    const other = await startServer(ensemble, { port: 0, logStream: null, earlyRouteSeconds: 0.4, earlyRouteMinProb: 1 });
    try {
      const d = await post(other.url, wav, 'audio/wav');
      expect([d.status, d.json.earlyRoute, d.json.confidences]).toEqual([200, undefined, full.json.confidences]);
      const q = await post(other.url, wav, 'audio/wav', '?early_route_min_prob=0');
      expect([q.status, q.json.earlyRoute, q.json.probabilities]).toEqual([200, { seconds: 0.4 }, early.json.probabilities]);
    } finally {
      await other.stop();
    }
  });

  it('resamples other rates and mixes channels (8 kHz, stereo 44.1 kHz)', async () => {
    const s8 = synthesizeTones(['a', 'b'], tiny.fx.frequencies, { sampleRate: 8000 });
    const r8 = await post(base, encodeWav(s8, 8000), 'audio/wav');
    expect([r8.status, r8.json.text, r8.json.model]).toEqual([200, 'ab', 'dom0']);
    const s44 = synthesizeTones(['d', 'c'], tiny.fx.frequencies, { sampleRate: 44100 });
    const r44 = await post(base, encodeWav([s44, s44], 44100, { encoding: 'float32' }), 'audio/wav');
    expect([r44.status, r44.json.text, r44.json.model]).toEqual([200, 'dc', 'dom1']);
  });

  it('never turns the multipart file name into a path', async () => {
    const target = path.join(tiny.fx.root, `should-not-exist-${process.pid}.wav`);
    const r = await post(base, multipart('file', toneWav(tiny.fx, 'ab'), target));
    expect(r.status).toBe(200);
    const r2 = await post(base, multipart('file', toneWav(tiny.fx, 'ab'), '../../../../etc/passwd'));
    expect(r2.status).toBe(200);
    expect(existsSync(target)).toBe(false);
  });

  it.skipIf(!hasFfmpeg)('decodes other containers through ffmpeg (FLAC, Ogg) from memory', async () => {
    const wav = toneWav(tiny.fx, 'abba');
    const flac = await post(base, ffmpegEncode(wav, 'flac'), 'audio/flac');
    expect([flac.status, flac.json.text, flac.json.model]).toEqual([200, 'abba', 'dom0']);
    const ogg = await post(base, ffmpegEncode(wav, 'ogg'), 'application/octet-stream');
    expect([ogg.status, ogg.json.model]).toEqual([200, 'dom0']);
  });

  it('without ffmpeg: audio/flac is 415, an unknown octet-stream is 400, WAV still works', async () => {
    const old = process.env.CTC_ENSEMBLE_FFMPEG;
    process.env.CTC_ENSEMBLE_FFMPEG = '/nonexistent/ffmpeg';
    try {
      const fake = new Uint8Array([0x66, 0x4c, 0x61, 0x43, 0, 0, 0, 34, 1, 2, 3, 4]); // "fLaC…"
      const a = await post(base, fake, 'audio/flac');
      expect(a.status).toBe(415);
      expect(a.json.error.message).toMatch(/needs ffmpeg/);
      const b = await post(base, fake, 'application/octet-stream');
      expect(b.status).toBe(400);
      expect(b.json.error.message).toMatch(/needs ffmpeg/);
      expect((await post(base, toneWav(tiny.fx, 'ab'), 'audio/wav')).status).toBe(200);
    } finally {
      if (old === undefined) delete process.env.CTC_ENSEMBLE_FFMPEG;
      else process.env.CTC_ENSEMBLE_FFMPEG = old;
    }
  });

  describe('the bad-input matrix', () => {
    const big = () => new Uint8Array(300 * 1024);
    const truncatedRiff = () => toneWav(tiny.fx, 'ab').slice(0, 30);
    const zeroSamples = () => encodeWav(new Float32Array(0), 16000);
    const long = () => encodeWav(new Float32Array(16000 * 5), 16000);
    const garbage = () => new Uint8Array(Array.from({ length: 500 }, (_, i) => (i * 7919) % 251));
    const stream = (chunks: number, size: number) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < chunks; i++) c.enqueue(new Uint8Array(size));
          c.close();
        },
      });
    const cases: Array<[string, () => Promise<Reply>, number, RegExp]> = [
      ['body over the limit (Content-Length)', () => post(base, big(), 'audio/wav'), 413, /larger than the limit of 256 kB/],
      ['chunked body over the limit', () => post(base, stream(40, 10_000), 'audio/wav'), 413, /larger than the limit/],
      ['multipart file over the limit', () => post(base, multipart('file', big(), 'a.wav')), 413, /larger than the limit/],
      ['text/plain', () => post(base, new TextEncoder().encode('hello'), 'text/plain'), 415, /unsupported media type "text\/plain"/],
      ['application/json', () => post(base, '{"a":1}', 'application/json'), 415, /unsupported media type/],
      ['image/png', () => post(base, garbage(), 'image/png'), 415, /unsupported media type "image\/png"/],
      ['no Content-Type', () => post(base, toneWav(tiny.fx, 'ab')), 415, /no Content-Type/],
      [
        'multipart part that is not audio',
        () => post(base, multipart('file', garbage(), 'a.txt', 'text/plain')),
        415,
        /"file" part has media type text\/plain/,
      ],
      ['empty body', () => post(base, new Uint8Array(0), 'audio/wav'), 400, /empty request body/],
      ['truncated WAV', () => post(base, truncatedRiff(), 'audio/wav'), 400, /request body/],
      ['WAV with zero samples', () => post(base, zeroSamples(), 'audio/wav'), 400, /zero samples|no samples|empty/],
      ['undecodable octet-stream', () => post(base, garbage(), 'application/octet-stream'), 400, /not a RIFF\/WAVE file/],
      ['audio longer than the limit', () => post(base, long(), 'audio/wav'), 400, /5\.0 s long; this server accepts at most 4 s/],
      ['multipart without a file field', () => post(base, multipart('audio', toneWav(tiny.fx, 'ab'), 'a.wav')), 400, /no file field named "file"/],
      ['multipart without a boundary', () => post(base, 'x', 'multipart/form-data'), 400, /malformed multipart/],
      ['lm=maybe', () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?lm=maybe'), 400, /"lm" must be true or false/],
      ['all=2', () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?all=2'), 400, /"all" must be true or false/],
      ['lm given twice', () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?lm=1&lm=0'), 400, /"lm" must be given once/],
      ['beam=0', () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?beam=0'), 400, /"beam" must be an integer from 1 to 256/],
      ['beam=abc', () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?beam=abc'), 400, /"beam" must be an integer/],
      ['beam=1.5', () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?beam=1.5'), 400, /"beam" must be an integer/],
      ['beam=100000', () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?beam=100000'), 400, /"beam" must be an integer from 1 to 256/],
      ['early_route=soon', () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?early_route=soon'), 400, /"early_route" must be a number of seconds/],
      [
        'early_route_min_prob=1.5',
        () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?early_route=0.3&early_route_min_prob=1.5'),
        400,
        /"early_route_min_prob" must be a number from 0 to 1, got "1\.5"/,
      ],
      [
        'early_route_min_prob=high',
        () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?early_route=0.3&early_route_min_prob=high'),
        400,
        /"early_route_min_prob" must be a number from 0 to 1/,
      ],
      [
        'early_route_min_prob=-0.5',
        () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?early_route=0.3&early_route_min_prob=-0.5'),
        400,
        /"early_route_min_prob" must be a number from 0 to 1/,
      ],
      ['unknown query parameter', () => post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '?bean=4'), 400, /unknown query parameter "bean"/],
      ['unknown route', () => call(`${base}/v2/transcribe`, { method: 'POST' }), 404, /no route POST \/v2\/transcribe/],
      ['GET on the transcribe route', () => call(`${base}/v1/transcribe`), 404, /no route GET/],
    ];

    it.each(cases)('%s', async (_name, send, status, message) => {
      const r = await send();
      expect(r.status).toBe(status);
      expect(r.json.error.status).toBe(status);
      expect(r.json.error.message).toMatch(message);
      expect(r.json.requestId).toBe(r.headers.get('x-request-id'));
    });

    it('after the whole matrix the server still answers correctly', async () => {
      const results = await Promise.all(cases.map(([, send]) => send()));
      expect(results.map((r) => r.status)).toEqual(cases.map(([, , s]) => s));
      const r = await post(base, toneWav(tiny.fx, 'dccd'), 'audio/wav');
      expect([r.status, r.json.text, r.json.model]).toEqual([200, 'dccd', 'dom1']);
      expect((await call(`${base}/healthz`)).status).toBe(200);
    });
  });

  it('/metrics: request counts by status, latency histogram, audio seconds, selections per model', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^ensemble_http_requests_total\{method="POST",route="\/v1\/transcribe",status="200"\} \d+/m);
    for (const s of ['400', '413', '415']) expect(text).toContain(`ensemble_http_requests_total{method="POST",route="/v1/transcribe",status="${s}"}`);
    expect(text).toContain('ensemble_http_requests_total{method="POST",route="other",status="404"}');
    expect(text).toMatch(/^ensemble_http_request_duration_seconds_bucket\{le="0\.1",method="POST",route="\/v1\/transcribe"\} \d+/m);
    expect(text).toMatch(/^ensemble_http_request_duration_seconds_count\{method="POST",route="\/v1\/transcribe"\} \d+/m);
    expect(text).toMatch(/^ensemble_audio_seconds_total \d+(\.\d+)?$/m);
    expect(text).toMatch(/^ensemble_selections_total\{model="dom0"\} \d+/m);
    expect(text).toMatch(/^ensemble_selections_total\{model="dom1"\} \d+/m);
    expect(text).toMatch(/^ensemble_rejections_total\{reason="too_large"\} \d+/m);
    expect(text).toMatch(/^ensemble_ready 1$/m);
    expect(text).toMatch(/^ensemble_requests_in_flight 0$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('structured JSON logs: one line per request with id, status, latency and model; X-Request-Id kept', async () => {
    const r = await post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '', { 'X-Request-Id': 'call-42.abc' });
    expect(r.json.requestId).toBe('call-42.abc');
    expect(r.headers.get('x-request-id')).toBe('call-42.abc');
    const bad = await post(base, toneWav(tiny.fx, 'ab'), 'audio/wav', '', { 'X-Request-Id': 'bad id with spaces' });
    expect(bad.json.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((res) => setTimeout(res, 20));
    const lines = logs.lines().filter((l) => l.msg === 'request');
    const mine = lines.find((l) => l.requestId === 'call-42.abc')!;
    expect(mine).toMatchObject({ level: 'info', method: 'POST', path: '/v1/transcribe', status: 200, model: 'dom0' });
    expect(typeof mine.latencyMs).toBe('number');
    expect(typeof mine.time).toBe('string');
    const e413 = lines.find((l) => l.status === 413)!;
    expect(e413).toMatchObject({ level: 'warn', error: 'E_TOO_LARGE' });
    expect(lines.filter((l) => l.requestId === 'call-42.abc')).toHaveLength(1);
  });
});

describe('overload, timeouts, readiness, failures, shutdown', () => {
  it('concurrent requests with different audio each get their own transcript', async () => {
    const srv = await startServer(ensemble, { port: 0, concurrency: 2, queue: 16, logStream: null });
    try {
      const texts = ['ab', 'cd', 'abba', 'dccd', 'ba', 'dc', 'aab', 'ccd'];
      const replies = await Promise.all(texts.map((t) => post(srv.url, toneWav(tiny.fx, t), 'audio/wav')));
      expect(replies.map((r) => [r.status, r.json.text, r.json.model])).toEqual(texts.map((t) => [200, t, /[ab]/.test(t) ? 'dom0' : 'dom1']));
      expect(new Set(replies.map((r) => r.json.requestId)).size).toBe(texts.length);
    } finally {
      await srv.stop();
    }
  });

  it('a request over the time limit gets 504 (upload and queue count); the server carries on', async () => {
    const srv = await startServer(ensemble, { port: 0, timeoutMs: 100, logStream: null });
    try {
      const wav = toneWav(tiny.fx, 'abcd');
      const slow = new ReadableStream<Uint8Array>({
        async start(c) {
          c.enqueue(wav.subarray(0, 100));
          await new Promise((r) => setTimeout(r, 400));
          c.enqueue(wav.subarray(100));
          c.close();
        },
      });
      const r = await post(srv.url, slow, 'audio/wav');
      expect(r.status).toBe(504);
      expect(r.json.error).toMatchObject({ code: 'E_TIMEOUT', message: expect.stringMatching(/longer than the server's limit of 100 ms/) });
      const ok = await post(srv.url, toneWav(tiny.fx, 'ab'), 'audio/wav');
      expect([ok.status, ok.json.text]).toEqual([200, 'ab']);
    } finally {
      await srv.stop();
    }
    expect(srv.app.service.inFlight()).toBe(0);
    expect(srv.app.service.backgroundWork()).toBe(0);
  });

  it('/readyz is 503 until the models are loaded; transcriptions get 503 meanwhile', async () => {
    let resolve!: (e: Ensemble) => void;
    const loading = new Promise<Ensemble>((r) => (resolve = r));
    const srv = await startServer(loading, { port: 0, logStream: null });
    try {
      expect(await call(`${srv.url}/healthz`)).toMatchObject({ status: 200 });
      const nr = await call(`${srv.url}/readyz`);
      expect(nr).toMatchObject({ status: 503, json: { status: 'loading' } });
      const t = await post(srv.url, toneWav(tiny.fx, 'ab'), 'audio/wav');
      expect(t.status).toBe(503);
      expect(t.json.error.code).toBe('E_NOT_READY');
      expect(t.headers.get('retry-after')).toBe('5');
      expect((await call(`${srv.url}/v1/models`)).status).toBe(503);
      resolve(ensemble);
      await loading;
      await new Promise((r) => setTimeout(r, 0));
      expect((await call(`${srv.url}/readyz`)).status).toBe(200);
      expect((await post(srv.url, toneWav(tiny.fx, 'ab'), 'audio/wav')).json.text).toBe('ab');
    } finally {
      await srv.stop();
    }
  });

  it('a failed model load keeps readyz at 503 with the reason', async () => {
    const failing = Ensemble.load(path.join(tiny.fx.root, 'no-such-ensemble'));
    failing.catch(() => undefined);
    const srv = await startServer(failing, { port: 0, logStream: null });
    try {
      await failing.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 0));
      const r = await call(`${srv.url}/readyz`);
      expect(r.status).toBe(503);
      expect(r.json.status).toBe('failed');
      expect(r.json.error).toMatch(/no-such-ensemble/);
    } finally {
      await srv.stop();
    }
  });

  it('an internal error is a 500 with the request id; the server keeps serving', async () => {
    const broken = await Ensemble.load(tiny.dir);
    const logs = logSink();
    const srv = await startServer(broken, { port: 0, logStream: logs.stream });
    try {
      await broken.dispose(); // transcribe now throws a plain Error
      const r = await post(srv.url, toneWav(tiny.fx, 'ab'), 'audio/wav');
      expect(r.status).toBe(500);
      expect(r.json.error).toEqual({ status: 500, code: 'E_INTERNAL', message: 'internal error' });
      expect((await call(`${srv.url}/healthz`)).status).toBe(200);
      expect((await post(srv.url, new Uint8Array(0), 'audio/wav')).status).toBe(400);
      const err = logs.lines().find((l) => l.msg === 'unhandled error');
      expect(err).toMatchObject({ level: 'error', requestId: r.json.requestId, error: 'the ensemble was disposed' });
    } finally {
      await srv.stop();
    }
  });

  it('graceful stop: the request in flight finishes with 200, then connections are refused', async () => {
    const srv = await startServer(ensemble, { port: 0, logStream: null });
    const pending = post(srv.url, toneWav(tiny.fx, 'cdcdcdcd'), 'audio/wav');
    const t0 = Date.now();
    while (srv.app.service.inFlight() < 1 && Date.now() - t0 < 10_000) await new Promise((r) => setImmediate(r));
    expect(srv.app.service.inFlight()).toBe(1);
    const stopping = srv.stop();
    expect(srv.app.service.state()).toBe('draining');
    const r = await pending;
    expect([r.status, r.json.text]).toEqual([200, 'cdcdcdcd']);
    await stopping;
    await expect(fetch(`${srv.url}/healthz`)).rejects.toThrow();
  });
});

/** `ensemble serve` of the tiny ensemble in a child process (a separate event loop from the test's HTTP client). */
const spawnServe = (args: string[]): Promise<ServeProcess> => spawnServeProcess(tiny.dir, args, 60_000);

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

describe('ensemble serve (CLI, worker threads)', () => {
  it('N concurrent requests are all answered, 200 or 503 with Retry-After, and the server carries on', async () => {
    const s = await spawnServe(['--concurrency', '1', '--queue', '1']);
    try {
      expect(s.stderr()).toMatch(/"workers":1/);
      const models = await call(`${s.url}/v1/models`);
      expect(models.json.selector).toMatchObject({ selector: { kind: 'logistic-regression', classes: ['dom0', 'dom1'] }, training: { trainAccuracy: 1 } });
      const text = 'abababababababab'.repeat(2);
      const wav = encodeWav(synthesizeTones([...text], tiny.fx.frequencies), 16000);
      const replies = await Promise.all(Array.from({ length: 16 }, () => post(s.url, wav, 'audio/wav')));
      const statuses = replies.map((r) => r.status);
      expect(statuses.every((x) => x === 200 || x === 503)).toBe(true);
      expect(statuses.filter((x) => x === 200).length).toBeGreaterThanOrEqual(1);
      const busy = replies.filter((r) => r.status === 503);
      expect(busy.length).toBeGreaterThan(0);
      for (const b of busy) {
        expect(b.json.error.code).toBe('E_BUSY');
        expect(Number(b.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      for (const ok of replies.filter((r) => r.status === 200)) expect(ok.json.text).toBe(text);
      const again = await post(s.url, toneWav(tiny.fx, 'cd'), 'audio/wav');
      expect([again.status, again.json.text]).toEqual([200, 'cd']);
      expect(await metric(s.url, 'ensemble_rejections_total\\{reason="queue_full"\\}')).toBe(busy.length);
    } finally {
      s.kill('SIGKILL');
      await s.exited;
    }
  });

  it('SIGTERM finishes the requests in flight, then exits 0', async () => {
    const s = await spawnServe(['--concurrency', '1', '--queue', '8']);
    try {
      const wav = encodeWav(synthesizeTones([...'abababababab'], tiny.fx.frequencies), 16000);
      const n = 4;
      let answered = 0;
      const pending = Array.from({ length: n }, () =>
        post(s.url, wav, 'audio/wav').finally(() => {
          answered++;
        }),
      );
      // wait until every request not yet answered has been accepted by the server
      const t0 = Date.now();
      while ((await metric(s.url, 'ensemble_requests_in_flight')) !== n - answered || answered === n) {
        if (answered === n || Date.now() - t0 > 30_000) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      s.kill('SIGTERM');
      const replies = await Promise.all(pending);
      expect(replies.map((r) => [r.status, r.json.text])).toEqual(Array.from({ length: n }, () => [200, 'abababababab']));
      expect(await s.exited).toBe(0);
      expect(s.stderr()).toMatch(/"msg":"SIGTERM: finishing requests in flight"/);
      expect(s.stderr()).toMatch(/"msg":"stopped"/);
    } finally {
      s.kill('SIGKILL');
    }
  });

  it('bad options and a missing ensemble are clear errors with a non-zero exit', async () => {
    await ensureBuilt();
    const run = (args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    const p = run(['serve', '--port', 'eighty']);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/--port must be an integer from 0 to 65535, got "eighty"/);
    const q = run(['serve', '--max-body-mb', '0']);
    expect(q.status).toBe(2);
    expect(q.stderr).toMatch(/--max-body-mb must be a number/);
    const w = run(['serve', '--workers', '-1']);
    expect(w.status).toBe(2);
    expect(w.stderr).toMatch(/--workers must be an integer/);
    for (const v of ['1.5', 'high']) {
      const e = run(['serve', '--ensemble', tiny.dir, '--port', '0', '--early-route', '0.3', '--early-route-min-prob', v]);
      expect(e.status).toBe(2);
      expect(e.stderr.trim().split('\n')).toHaveLength(1);
      expect(e.stderr).toMatch(/--early-route-min-prob must be a number from 0 to 1/);
    }
    const m = run(['serve', '--ensemble', path.join(tiny.fx.root, 'nope'), '--port', '0']);
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/error: .*nope/);
  });
});
