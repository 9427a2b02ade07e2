/**
 * The live-transcription protocol of `GET /v1/stream` (WebSocket), independent of any socket: parsing and
 * validating the client's messages, decoding PCM, and the error → close-code mapping.
 *
 * Client → server: a text `start` message, then binary messages of raw mono samples, then a text `stop`.
 * Server → client: `ready`, `partial`, `final`, `end`, or `error` followed by a close with the code of
 * `CloseCode` (RFC 6455 §7.4.1: 1003 unacceptable data, 1008 policy violation, 1009 message too big, 1011
 * server error, 1013 try again later).
 */
import { STREAMING_DEFAULTS } from '../defaults.js';
import type { TranscribeOptions } from '../ensemble/types.js';

export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  BadData: 1003,
  Policy: 1008,
  TooBig: 1009,
  ServerError: 1011,
  TryLater: 1013,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** A protocol error: sent as `{"type":"error","code","message"}`, then the socket closes with `closeCode`. */
export class StreamError extends Error {
  constructor(
    readonly code: string,
    readonly closeCode: CloseCode,
    message: string,
  ) {
    super(message);
    this.name = 'StreamError';
  }
}

export type PcmEncoding = 'pcm_s16le' | 'pcm_f32le';

/** VAD settings a client may choose, each within the server's limits. */
export interface StreamVadOptions {
  threshold?: number;
  minSilenceMs?: number;
  speechPadMs?: number;
  maxUtteranceSeconds?: number;
}

export interface StartMessage {
  type: 'start';
  sampleRate: number;
  encoding: PcmEncoding;
  lm: boolean;
  route: 'utterance';
  beam?: number;
  vad: StreamVadOptions;
  /**
   * Routing of each utterance beyond NeMo, as the HTTP query's `early_route`, `early_route_min_prob`, `domain_gate`,
   * `domain_gate_prune` (absent: the server's defaults, then the ensemble's).
   */
  earlyRoute?: number;
  earlyRouteMinProb?: number;
  domainGate?: number;
  domainGatePrune?: number;
}

export interface StreamLimits {
  minSampleRate: number;
  maxSampleRate: number;
  maxBeam: number;
  maxUtteranceSeconds: number;
}

export type ServerMessage =
  | { type: 'ready' }
  | { type: 'partial'; text: string; model: string; start: number }
  | {
      type: 'final';
      text: string;
      model: string;
      probabilities: Record<string, number>;
      confidences: Record<string, number>;
      start: number;
      end: number;
      words: Array<{ word: string; start: number; end: number }>;
    }
  | { type: 'end' }
  | { type: 'error'; code: string; message: string };

const START_KEYS = new Set([
  'type',
  'sampleRate',
  'encoding',
  'lm',
  'route',
  'beam',
  'vad',
  'earlyRoute',
  'earlyRouteMinProb',
  'domainGate',
  'domainGatePrune',
]);
const VAD_KEYS = new Set(['threshold', 'minSilenceMs', 'speechPadMs', 'maxUtteranceSeconds']);

function bad(message: string): StreamError {
  return new StreamError('E_BAD_START', CloseCode.BadData, message);
}

function numberIn(v: unknown, name: string, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw bad(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Parse and validate the first message; a `StreamError` (1003) says what is wrong. */
export function parseStartMessage(text: string, limits: StreamLimits): StartMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad('the first message must be a JSON start message: {"type":"start","sampleRate":16000,"encoding":"pcm_s16le"}');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('the start message must be a JSON object');
  const o = json as Record<string, unknown>;
  if (o.type !== 'start') throw bad(`the first message must have "type":"start", got ${JSON.stringify(o.type)}`);
  for (const k of Object.keys(o)) if (!START_KEYS.has(k)) throw bad(`unknown field "${k}" in the start message`);
  const sampleRate = numberIn(o.sampleRate, 'sampleRate', limits.minSampleRate, limits.maxSampleRate, true);
  if (o.encoding !== 'pcm_s16le' && o.encoding !== 'pcm_f32le') {
    throw bad(`encoding must be "pcm_s16le" or "pcm_f32le", got ${JSON.stringify(o.encoding)}`);
  }
  if (o.lm !== undefined && typeof o.lm !== 'boolean') throw bad(`lm must be true or false, got ${JSON.stringify(o.lm)}`);
  if (o.route !== undefined && o.route !== 'utterance')
    throw bad(`route must be "utterance" (each utterance is routed on its own), got ${JSON.stringify(o.route)}`);
  const beam = o.beam === undefined ? undefined : numberIn(o.beam, 'beam', 1, limits.maxBeam, true);
  const vad: StreamVadOptions = {};
  if (o.vad !== undefined) {
    if (typeof o.vad !== 'object' || o.vad === null || Array.isArray(o.vad)) throw bad('vad must be an object');
    const v = o.vad as Record<string, unknown>;
    for (const k of Object.keys(v)) if (!VAD_KEYS.has(k)) throw bad(`unknown field "vad.${k}"; allowed: ${[...VAD_KEYS].join(', ')}`);
    if (v.threshold !== undefined) vad.threshold = numberIn(v.threshold, 'vad.threshold', 0.05, 0.95);
    if (v.minSilenceMs !== undefined) vad.minSilenceMs = numberIn(v.minSilenceMs, 'vad.minSilenceMs', 100, 5000);
    if (v.speechPadMs !== undefined) vad.speechPadMs = numberIn(v.speechPadMs, 'vad.speechPadMs', 0, 1000);
    if (v.maxUtteranceSeconds !== undefined)
      vad.maxUtteranceSeconds = numberIn(v.maxUtteranceSeconds, 'vad.maxUtteranceSeconds', 2, limits.maxUtteranceSeconds);
  }
  // Routing beyond NeMo, the ranges of the HTTP query's parameters; the ensemble checks them against its selector and
  // gate at the first utterance (an ensemble without a gate, or a selector built for other seconds, ends the stream).
  const routing: Partial<StartMessage> = {};
  if (o.earlyRoute !== undefined) routing.earlyRoute = numberIn(o.earlyRoute, 'earlyRoute', 0, 1e6);
  if (o.earlyRouteMinProb !== undefined) routing.earlyRouteMinProb = numberIn(o.earlyRouteMinProb, 'earlyRouteMinProb', 0, 1);
  if (o.domainGate !== undefined) routing.domainGate = numberIn(o.domainGate, 'domainGate', 0, 1e6);
  if (o.domainGatePrune !== undefined) {
    routing.domainGatePrune = numberIn(o.domainGatePrune, 'domainGatePrune', 0, 1);
    if (routing.domainGatePrune === 1) throw bad('domainGatePrune must be below 1 (0 = off), got 1');
  }
  return { type: 'start', sampleRate, encoding: o.encoding, lm: o.lm === true, route: 'utterance', ...(beam === undefined ? {} : { beam }), vad, ...routing };
}

/** The transcription options of a stream's routing fields (absent fields absent). */
export function startRouting(
  start: StartMessage,
): Pick<TranscribeOptions, 'earlyRouteSeconds' | 'earlyRouteMinProb' | 'domainGateMinProb' | 'domainGatePrune'> {
  return {
    ...(start.earlyRoute === undefined ? {} : { earlyRouteSeconds: start.earlyRoute }),
    ...(start.earlyRouteMinProb === undefined ? {} : { earlyRouteMinProb: start.earlyRouteMinProb }),
    ...(start.domainGate === undefined ? {} : { domainGateMinProb: start.domainGate }),
    ...(start.domainGatePrune === undefined ? {} : { domainGatePrune: start.domainGatePrune }),
  };
}

/** A text message after `start`: only `stop` is defined. */
export function parseControlMessage(text: string): { type: 'stop' } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StreamError('E_BAD_MESSAGE', CloseCode.BadData, 'text messages after start must be JSON: {"type":"stop"}');
  }
  if (typeof json === 'object' && json !== null && (json as { type?: unknown }).type === 'stop') return { type: 'stop' };
  if (typeof json === 'object' && json !== null && (json as { type?: unknown }).type === 'start') {
    throw new StreamError('E_BAD_MESSAGE', CloseCode.BadData, 'the stream has already started');
  }
  throw new StreamError('E_BAD_MESSAGE', CloseCode.BadData, 'unknown text message; after start only {"type":"stop"} is allowed');
}

/**
 * Samples of one binary message. Each message must hold whole samples (2 bytes for s16le, 4 for f32le);
 * NaN and ±Inf are refused (they would poison every confidence of the utterance).
 */
export function decodePcm(bytes: Uint8Array, encoding: PcmEncoding): Float32Array {
  const size = encoding === 'pcm_s16le' ? 2 : 4;
  if (bytes.byteLength % size !== 0) {
    throw new StreamError('E_BAD_AUDIO', CloseCode.BadData, `a ${encoding} message must hold whole ${size}-byte samples; got ${bytes.byteLength} bytes`);
  }
  const n = bytes.byteLength / size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  if (size === 2) {
    for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true) / 32768;
  } else {
    for (let i = 0; i < n; i++) {
      const v = view.getFloat32(4 * i, true);
      if (!Number.isFinite(v)) throw new StreamError('E_BAD_AUDIO', CloseCode.BadData, `sample ${i} of the message is ${v}; samples must be finite`);
      out[i] = v;
    }
  }
  return out;
}

export function defaultStreamLimits(maxBeam: number): StreamLimits {
  return {
    minSampleRate: STREAMING_DEFAULTS.minSampleRate,
    maxSampleRate: STREAMING_DEFAULTS.maxSampleRate,
    maxBeam,
    maxUtteranceSeconds: STREAMING_DEFAULTS.maxUtteranceSeconds,
  };
}
