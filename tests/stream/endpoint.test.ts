/**
 * Live transcription over a real WebSocket on an ephemeral loopback port, with the demo ensemble and the real
 * Silero VAD: utterances of different domains come back as finals from the right member, framing does not change
 * them, every protocol error gets its error message and close code, and the server keeps serving afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadAudio } from '../../src/audio/load.js';
import { resample } from '../../src/audio/resample.js';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { streamAudio } from '../../src/stream/client.js';
import { runCli } from '../helpers/cli.js';
import { hasFfmpeg } from '../helpers/tools.js';
import { repoRoot } from '../helpers/shared.js';

const demo = path.join(repoRoot, 'ensembles', 'demo');
const sample = (name: string): string => path.join(repoRoot, 'samples', name);

let ensemble: Ensemble;
let server: RunningServer;
let wsUrl: string;
const audio: Record<string, Float32Array> = {};
const expected: Record<string, { text: string; model: string }> = {};

beforeAll(async () => {
  ensemble = await Ensemble.load(demo);
  server = await startServer(ensemble, {
    port: 0,
    logStream: null,
    defaultMetrics: false,
    stream: { maxStreams: 3, idleTimeoutMs: 1500, maxFrameBytes: 64_000 },
  });
  wsUrl = `ws://127.0.0.1:${server.port}/v1/stream`;
  for (const f of ['en_1.wav', 'vi_1.wav']) {
    audio[f] = await loadAudio(sample(f), 16000);
    const r = await ensemble.transcribe(audio[f], { sampleRate: 16000 });
    expected[f] = { text: r.text, model: r.model };
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await ensemble?.dispose();
});

type Msg = { type: string; [k: string]: unknown };

/** Run one stream: send `start`, the frames, `stop`; collect every message and the close code. */
function runStream(
  start: unknown,
  frames: Array<Uint8Array | string>,
  opts: { stop?: boolean; pace?: number } = {},
  url = wsUrl,
): Promise<{ messages: Msg[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: Msg[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as Msg));
    ws.on('close', (code) => resolve({ messages, code }));
    ws.on('error', reject);
    ws.on('open', async () => {
      if (start !== undefined) ws.send(typeof start === 'string' ? start : JSON.stringify(start));
      for (const f of frames) {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(f);
        if (opts.pace) await new Promise((r) => setTimeout(r, opts.pace));
      }
      if (opts.stop !== false && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'stop' }));
    });
  });
}

function s16(x: Float32Array): Uint8Array {
  const b = Buffer.alloc(2 * x.length);
  for (let i = 0; i < x.length; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x[i] * 32767))), 2 * i);
  return b;
}

function conversation(): Float32Array {
  const silence = (s: number) => new Float32Array(Math.round(16000 * s));
  const parts = [silence(0.5), audio['en_1.wav'], silence(1), audio['vi_1.wav'], silence(0.8)];
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function frames(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

const START = { type: 'start', sampleRate: 16000, encoding: 'pcm_s16le', lm: false, route: 'utterance' };

describe('GET /v1/stream', () => {
  it('two utterances of different domains: two finals from the right members, with the text infer gives', async () => {
    const pcm = s16(conversation());
    const { messages, code } = await runStream(START, frames(pcm, 640)); // 20 ms frames
    expect(code).toBe(1000);
    expect(messages[0]).toEqual({ type: 'ready' });
    expect(messages.at(-1)).toEqual({ type: 'end' });
    const finals = messages.filter((m) => m.type === 'final');
    expect(finals.map((f) => f.model)).toEqual([expected['en_1.wav'].model, expected['vi_1.wav'].model]);
    expect(finals.map((f) => f.model)).toEqual(['en', 'vi']);
    expect(finals.map((f) => f.text)).toEqual([expected['en_1.wav'].text, expected['vi_1.wav'].text]);
    // Times are seconds from the stream start: the first utterance starts near 0.5 s, the second after it.
    expect(finals[0].start as number).toBeGreaterThan(0.2);
    expect(finals[1].start as number).toBeGreaterThan(finals[0].end as number);
    for (const f of finals) {
      expect(Object.keys(f.probabilities as object)).toEqual(['en', 'vi', 'digits']);
      // Word times from the CTC alignment, in stream time, inside the utterance and increasing.
      const words = f.words as Array<{ word: string; start: number; end: number }>;
      expect(words.map((w) => w.word).join(' ')).toBe(f.text);
      let t = f.start as number;
      for (const w of words) {
        expect(w.start).toBeGreaterThanOrEqual(t - 1e-9);
        expect(w.end).toBeGreaterThanOrEqual(w.start);
        expect(w.end).toBeLessThanOrEqual((f.end as number) + 1e-9);
        t = w.start;
      }
    }
  }, 60_000);

  it('20 ms frames and one single message give the same finals; f32le at 8 kHz routes the same', async () => {
    const pcm = s16(conversation());
    const a = await runStream(START, frames(pcm, 640));
    const b = await runStream(START, frames(pcm, 64_000));
    const strip = (m: Msg[]) => m.filter((x) => x.type === 'final');
    expect(strip(b.messages)).toEqual(strip(a.messages));
    const x8 = resample(conversation(), 16000, 8000);
    const c = await runStream({ ...START, sampleRate: 8000, encoding: 'pcm_f32le' }, frames(new Uint8Array(x8.buffer), 32_000));
    expect(strip(c.messages).map((f) => f.model)).toEqual(['en', 'vi']);
  }, 60_000);

  it('routes with the domain gate when the start message asks (only the gated member runs), and not when it turns it off', async () => {
    const pcm = s16(conversation());
    const gated = await runStream({ ...START, domainGate: 0.95, domainGatePrune: 0.025 }, frames(pcm, 64_000));
    const finals = gated.messages.filter((m) => m.type === 'final');
    expect(finals.map((f) => f.model)).toEqual(['en', 'vi']);
    expect(finals.map((f) => f.text)).toEqual([expected['en_1.wav'].text, expected['vi_1.wav'].text]);
    // The gate (with pruning) ran only the members the audio alone left in play: fewer than all three confidences.
    for (const f of finals) {
      const ran = Object.keys(f.confidences as object);
      expect(ran).toContain(f.model);
      expect(ran.length).toBeLessThan(3);
    }
    // Routing the ensemble refuses (pruning with the gate off) ends the stream with the ensemble's message.
    const bad = await runStream({ ...START, domainGate: 0, domainGatePrune: 0.025 }, frames(pcm, 64_000));
    const err = bad.messages.find((m) => m.type === 'error');
    expect(err?.message).toMatch(/pruning needs the gate/);
    expect([err?.code, bad.code]).toEqual(['E_BAD_START', 1003]);
    expect(bad.messages.some((m) => m.type === 'final')).toBe(false);
  }, 60_000);

  it('ensemble stream --domain-gate / --domain-gate-prune send the routing fields; a bad value exits 2 naming the flag', async () => {
    const url = `ws://127.0.0.1:${server.port}`;
    const finalsOf = (stdout: string): Msg[] =>
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Msg)
        .filter((m) => m.type === 'final');
    const r = await runCli(['stream', sample('en_1.wav'), '--url', url, '--speed', '0', '--json', '--domain-gate', '0.95', '--domain-gate-prune', '0.025']);
    expect(r.code, r.stderr).toBe(0);
    const gated = finalsOf(r.stdout);
    expect(gated.map((f) => f.model)).toEqual(['en']);
    expect(Object.keys(gated[0].confidences as object).length).toBeLessThan(3);
    const full = await runCli(['stream', sample('en_1.wav'), '--url', url, '--speed', '0', '--json']);
    expect(finalsOf(full.stdout).map((f) => Object.keys(f.confidences as object))).toEqual([['en', 'vi', 'digits']]);
    const bad = await runCli(['stream', sample('en_1.wav'), '--url', url, '--domain-gate', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--domain-gate/);
  }, 60_000);

  it('ensemble stream reads the file block by block: an 8 kHz file gives what its whole-file 16 kHz samples give', async () => {
    const url = `ws://127.0.0.1:${server.port}`;
    const strip = (m: Msg): Msg => ({ type: m.type, text: m.text, model: m.model, start: m.start, end: m.end, confidences: m.confidences });
    const finals = (ms: Msg[]): Msg[] => ms.filter((m) => m.type === 'final').map(strip);
    // digits_1.wav is 8 kHz and longer than one block (1 s): resampled block by block, cut into frames across blocks.
    const cli = await runCli(['stream', sample('digits_1.wav'), '--url', url, '--speed', '0', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const fromCli = finals(
      cli.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Msg),
    );
    const whole = await streamAudio(url, await loadAudio(sample('digits_1.wav'), 16000), { speed: 0 });
    expect(fromCli.length).toBeGreaterThan(0);
    expect(fromCli).toEqual(finals(whole.messages as unknown as Msg[]));
    // Blocks of any size give the same frames (a partial frame is carried into the next block).
    const x = await loadAudio(sample('digits_1.wav'), 16000);
    async function* odd(): AsyncGenerator<Float32Array> {
      for (let i = 0; i < x.length; i += 4321) yield x.subarray(i, Math.min(x.length, i + 4321));
    }
    const blocks = await streamAudio(url, odd(), { speed: 0 });
    expect(finals(blocks.messages as unknown as Msg[])).toEqual(finals(whole.messages as unknown as Msg[]));
    if (hasFfmpeg) {
      // Through ffmpeg, whose rate is known only once it has started: the same finals as the WAV.
      const tmp = mkdtempSync(path.join(os.tmpdir(), 'stream-cli-'));
      const flac = path.join(tmp, 'digits_1.flac');
      execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-i', sample('digits_1.wav'), flac]);
      const viaFfmpeg = await runCli(['stream', flac, '--url', url, '--speed', '0', '--json']);
      expect(viaFfmpeg.code, viaFfmpeg.stderr).toBe(0);
      expect(
        finals(
          viaFfmpeg.stdout
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as Msg),
        ),
      ).toEqual(fromCli);
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  it('protocol errors: error message and close code; the server still serves', async () => {
    const cases: Array<[unknown, Array<Uint8Array | string>, string, number]> = [
      ['not json', [], 'E_BAD_START', 1003],
      [{ ...START, sampleRate: 3 }, [], 'E_BAD_START', 1003],
      [{ ...START, encoding: 'mp3' }, [], 'E_BAD_START', 1003],
      [undefined, [new Uint8Array(640)], 'E_NO_START', 1003],
      [START, [new Uint8Array(641)], 'E_BAD_AUDIO', 1003],
      [{ ...START, encoding: 'pcm_f32le' }, [new Uint8Array(Float32Array.from([0.1, Number.NaN]).buffer)], 'E_BAD_AUDIO', 1003],
      [START, [new Uint8Array(70_000)], 'E_FRAME_TOO_BIG', 1009],
      [START, ['{"type":"start"}'], 'E_BAD_MESSAGE', 1003],
    ];
    for (const [start, fr, code, close] of cases) {
      const r = await runStream(start, fr, { stop: false });
      const err = r.messages.find((m) => m.type === 'error');
      expect(err?.code, JSON.stringify(start)).toBe(code);
      expect(typeof err?.message).toBe('string');
      expect(r.code).toBe(close);
    }
    // An idle stream is closed by policy.
    const idle = await runStream(START, [], { stop: false });
    expect(idle.messages.find((m) => m.type === 'error')?.code).toBe('E_IDLE');
    expect(idle.code).toBe(1008);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const again = await runStream(START, frames(s16(conversation()), 3200));
    expect(again.messages.filter((m) => m.type === 'final')).toHaveLength(2);
  }, 60_000);

  it('closing the socket mid-utterance frees the stream; the next stream is served at once', async () => {
    const pcm = s16(conversation());
    const half = pcm.subarray(0, Math.floor(pcm.length / 4) * 2);
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      ws.on('open', () => {
        ws.send(JSON.stringify(START));
        for (const f of frames(half, 640)) ws.send(f);
        setTimeout(() => ws.terminate(), 300);
      });
      ws.on('close', () => resolve());
      ws.on('error', reject);
    });
    await expect.poll(() => server.streams.active(), { timeout: 5000 }).toBe(0);
    const t0 = performance.now();
    const r = await runStream(START, frames(pcm, 16_000));
    expect(r.messages.filter((m) => m.type === 'final').map((m) => m.model)).toEqual(['en', 'vi']);
    expect(performance.now() - t0).toBeLessThan(30_000);
  }, 60_000);
});

describe('GET /v1/stream limits', () => {
  let small: RunningServer;
  let url: string;
  beforeAll(async () => {
    small = await startServer(ensemble, {
      port: 0,
      logStream: null,
      defaultMetrics: false,
      stream: { maxStreams: 1, maxStreamSeconds: 2, idleTimeoutMs: 5000 },
    });
    url = `ws://127.0.0.1:${small.port}/v1/stream`;
  });
  afterAll(async () => {
    await small?.stop();
  });

  it("the server's routing defaults (serve --domain-gate) apply to streams; a start message's own field wins", async () => {
    const gatedServer = await startServer(ensemble, { port: 0, logStream: null, defaultMetrics: false, domainGateMinProb: 0.95, domainGatePrune: 0.025 });
    try {
      const url = `ws://127.0.0.1:${gatedServer.port}/v1/stream`;
      const pcm = s16(conversation());
      const ran = async (start: unknown): Promise<number[]> =>
        (await runStream(start, frames(pcm, 64_000), {}, url)).messages
          .filter((m) => m.type === 'final')
          .map((f) => Object.keys(f.confidences as object).length);
      expect((await ran(START)).every((n) => n < 3)).toBe(true);
      expect(await ran({ ...START, domainGate: 0, domainGatePrune: 0 })).toEqual([3, 3]);
    } finally {
      await gatedServer.stop();
    }
  }, 60_000);

  it('one stream too many gets 1013; a stream over its maximum duration gets 1008; other paths 404', async () => {
    const first = new WebSocket(url);
    await new Promise((r) => first.on('open', r));
    const second = await new Promise<{ code: number; msg: Msg }>((resolve) => {
      const ws = new WebSocket(url);
      let msg: Msg = { type: 'none' };
      ws.on('message', (d) => (msg = JSON.parse(d.toString()) as Msg));
      ws.on('close', (code) => resolve({ code, msg }));
    });
    expect(second.code).toBe(1013);
    expect(second.msg.code).toBe('E_TOO_MANY_STREAMS');
    first.close();
    await expect.poll(() => small.streams.active()).toBe(0);
    const long = await new Promise<{ code: number; msgs: Msg[] }>((resolve) => {
      const ws = new WebSocket(url);
      const msgs: Msg[] = [];
      ws.on('message', (d) => msgs.push(JSON.parse(d.toString()) as Msg));
      ws.on('close', (code) => resolve({ code, msgs }));
      ws.on('open', () => {
        ws.send(JSON.stringify(START));
        for (let i = 0; i < 4; i++) ws.send(new Uint8Array(32_000)); // 4 × 1 s
      });
    });
    expect(long.code).toBe(1008);
    expect(long.msgs.find((m) => m.type === 'error')?.code).toBe('E_STREAM_TOO_LONG');
    const wrong = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${small.port}/v1/other`);
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', () => undefined);
    });
    expect(wrong).toBe('404');
  }, 30_000);
});
