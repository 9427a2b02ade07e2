/**
 * A client of `GET /v1/stream`: sends 16 kHz audio as pcm_s16le frames, paced at real time × `speed` (0 = as fast
 * as the socket takes it), then `stop`, and hands every server message to `onMessage`. Used by `ensemble stream`
 * and the streaming benchmark.
 */
import WebSocket from 'ws';
import { UserError } from '../util/errors.js';
import type { ServerMessage, StartMessage, StreamVadOptions } from './protocol.js';

export interface StreamClientOptions {
  /** Real-time factor of sending: 1 = as spoken, 2 = twice as fast, 0 = no pacing. */
  speed?: number;
  /** Frame length in ms (default 20). */
  frameMs?: number;
  lm?: boolean;
  beam?: number;
  vad?: StreamVadOptions;
  /** Early routing and the domain gate for every utterance (the start message's fields; absent: the server's defaults). */
  routing?: Pick<StartMessage, 'earlyRoute' | 'earlyRouteMinProb' | 'domainGate' | 'domainGatePrune'>;
  onMessage?: (message: ServerMessage, receivedAt: number) => void;
  /** Called with the stream time (s) of the last sample sent, after each frame. */
  onSent?: (seconds: number) => void;
}

export interface StreamClientResult {
  messages: ServerMessage[];
  closeCode: number;
  /** performance.now() at the first frame sent (stream time 0). */
  startedAt: number;
}

const RATE = 16000;

/** `ws://host:port` → `ws://host:port/v1/stream`; an http(s) URL is turned into ws(s). */
export function streamUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--url must be a URL like ws://127.0.0.1:8080, got ${JSON.stringify(url)}`);
  }
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  else if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
    throw new UserError(`--url must start with ws://, wss://, http:// or https://, got ${JSON.stringify(url)}`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/v1/stream';
  return u.toString();
}

function toS16(x: Float32Array): Buffer {
  const b = Buffer.alloc(2 * x.length);
  for (let i = 0; i < x.length; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x[i] * 32767))), 2 * i);
  return b;
}

async function* oneBlock(x: Float32Array): AsyncGenerator<Float32Array> {
  yield x;
}

/**
 * Stream `audio` (16 kHz mono: all of it, or blocks as they are read, e.g. from a file of any length) to `url`, paced
 * as `options.speed` says. Blocks are cut into frames of `frameMs`; the stream time of a frame counts all samples sent.
 */
export function streamAudio(url: string, audio: Float32Array | AsyncIterable<Float32Array>, options: StreamClientOptions = {}): Promise<StreamClientResult> {
  const blocks = audio instanceof Float32Array ? oneBlock(audio) : audio;
  const speed = options.speed ?? 1;
  const frame = Math.max(1, Math.round(((options.frameMs ?? 20) / 1000) * RATE));
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(streamUrl(url));
    const messages: ServerMessage[] = [];
    let startedAt = performance.now();
    let done = false;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      messages.push(m);
      options.onMessage?.(m, performance.now());
    });
    ws.on('close', (code) => {
      done = true;
      resolve({ messages, closeCode: code, startedAt });
    });
    ws.on('error', (e) => {
      if (!done) reject(new UserError(`cannot stream to ${url}: ${e.message}`));
    });
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          type: 'start',
          sampleRate: RATE,
          encoding: 'pcm_s16le',
          lm: Boolean(options.lm),
          route: 'utterance',
          ...(options.beam === undefined ? {} : { beam: options.beam }),
          ...(options.vad ? { vad: options.vad } : {}),
          ...options.routing,
        }),
      );
      startedAt = performance.now();
      const sendFrom = async (): Promise<void> => {
        // Samples sent so far, and a partial frame carried over from the last block (frames stay `frame` long).
        let sent = 0;
        let carry = new Float32Array(0);
        const send = async (x: Float32Array): Promise<void> => {
          ws.send(toS16(x));
          sent += x.length;
          options.onSent?.(sent / RATE);
          if (speed > 0) {
            const due = startedAt + ((sent / RATE) * 1000) / speed;
            const wait = due - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          } else if (ws.bufferedAmount > 1 << 20) {
            await new Promise((r) => setTimeout(r, 5));
          }
        };
        for await (const block of blocks) {
          let x = block;
          if (carry.length > 0) {
            x = new Float32Array(carry.length + block.length);
            x.set(carry);
            x.set(block, carry.length);
          }
          let i = 0;
          for (; i + frame <= x.length && ws.readyState === ws.OPEN; i += frame) await send(x.subarray(i, i + frame));
          carry = x.slice(i);
          if (ws.readyState !== ws.OPEN) return;
        }
        if (carry.length > 0 && ws.readyState === ws.OPEN) await send(carry);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'stop' }));
      };
      sendFrom().catch((e: unknown) => {
        // A block that could not be read (e.g. ffmpeg failing mid-file) ends the stream here.
        reject(e);
        ws.terminate();
      });
    });
  });
}
