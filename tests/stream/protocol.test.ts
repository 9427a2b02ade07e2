import { describe, expect, it } from 'vitest';
import { CloseCode, StreamError, decodePcm, defaultStreamLimits, parseControlMessage, parseStartMessage, startRouting } from '../../src/stream/protocol.js';

const limits = defaultStreamLimits(256);

function codeOf(f: () => unknown): [string, number] {
  try {
    f();
  } catch (e) {
    if (e instanceof StreamError) return [e.code, e.closeCode];
    throw e;
  }
  throw new Error('did not throw');
}

describe('stream protocol', () => {
  it('parses a start message with defaults and options', () => {
    expect(parseStartMessage('{"type":"start","sampleRate":44100,"encoding":"pcm_f32le"}', limits)).toEqual({
      type: 'start',
      sampleRate: 44100,
      encoding: 'pcm_f32le',
      lm: false,
      route: 'utterance',
      vad: {},
    });
    const m = parseStartMessage(
      JSON.stringify({ type: 'start', sampleRate: 8000, encoding: 'pcm_s16le', lm: true, beam: 16, vad: { minSilenceMs: 800 } }),
      limits,
    );
    expect(m).toMatchObject({ lm: true, beam: 16, vad: { minSilenceMs: 800 } });
  });

  it('takes the routing fields (early routing, the domain gate) and maps them to transcription options', () => {
    const base = { type: 'start', sampleRate: 16000, encoding: 'pcm_s16le' };
    const m = parseStartMessage(JSON.stringify({ ...base, earlyRoute: 1.5, earlyRouteMinProb: 0.9, domainGate: 0.95, domainGatePrune: 0.025 }), limits);
    expect(startRouting(m)).toEqual({ earlyRouteSeconds: 1.5, earlyRouteMinProb: 0.9, domainGateMinProb: 0.95, domainGatePrune: 0.025 });
    expect(startRouting(parseStartMessage(JSON.stringify({ ...base, domainGate: 0 }), limits))).toEqual({ domainGateMinProb: 0 });
    expect(startRouting(parseStartMessage(JSON.stringify(base), limits))).toEqual({});
    for (const [field, value, message] of [
      ['earlyRoute', -1, /earlyRoute must be a number from 0/],
      ['earlyRoute', '1', /earlyRoute must be a number/],
      ['earlyRouteMinProb', 1.5, /earlyRouteMinProb must be a number from 0 to 1/],
      ['domainGate', null, /domainGate must be a number/],
      ['domainGatePrune', 1, /domainGatePrune must be below 1/],
    ] as const) {
      expect(codeOf(() => parseStartMessage(JSON.stringify({ ...base, [field]: value }), limits))).toEqual(['E_BAD_START', CloseCode.BadData]);
      expect(() => parseStartMessage(JSON.stringify({ ...base, [field]: value }), limits)).toThrow(message);
    }
  });

  it('refuses bad start messages with 1003 and a message naming the field', () => {
    const bad = [
      '',
      '[]',
      '{"type":"stop"}',
      '{"type":"start","sampleRate":16000}',
      '{"type":"start","sampleRate":100,"encoding":"pcm_s16le"}',
      '{"type":"start","sampleRate":16000.5,"encoding":"pcm_s16le"}',
      '{"type":"start","sampleRate":16000,"encoding":"pcm_s16le","beam":0}',
      '{"type":"start","sampleRate":16000,"encoding":"pcm_s16le","route":"file"}',
      '{"type":"start","sampleRate":16000,"encoding":"pcm_s16le","vad":{"thresold":0.5}}',
      '{"type":"start","sampleRate":16000,"encoding":"pcm_s16le","extra":1}',
    ];
    for (const b of bad)
      expect(
        codeOf(() => parseStartMessage(b, limits)),
        b,
      ).toEqual(['E_BAD_START', CloseCode.BadData]);
    expect(() => parseStartMessage('{"type":"start","sampleRate":16000,"encoding":"pcm_s16le","vad":{"thresold":0.5}}', limits)).toThrow(/vad\.thresold/);
  });

  it('decodes s16le and f32le; odd byte counts and non-finite samples are refused', () => {
    expect(Array.from(decodePcm(new Uint8Array([0x00, 0x40, 0x00, 0xc0]), 'pcm_s16le'))).toEqual([0.5, -0.5]);
    expect(Array.from(decodePcm(new Uint8Array(Float32Array.from([0.25, -1]).buffer), 'pcm_f32le'))).toEqual([0.25, -1]);
    expect(codeOf(() => decodePcm(new Uint8Array(3), 'pcm_s16le'))).toEqual(['E_BAD_AUDIO', CloseCode.BadData]);
    expect(codeOf(() => decodePcm(new Uint8Array(6), 'pcm_f32le'))).toEqual(['E_BAD_AUDIO', CloseCode.BadData]);
    expect(codeOf(() => decodePcm(new Uint8Array(Float32Array.from([Infinity]).buffer), 'pcm_f32le'))).toEqual(['E_BAD_AUDIO', CloseCode.BadData]);
  });

  it('after start only stop is a valid text message', () => {
    expect(parseControlMessage('{"type":"stop"}')).toEqual({ type: 'stop' });
    expect(codeOf(() => parseControlMessage('{"type":"start"}'))).toEqual(['E_BAD_MESSAGE', CloseCode.BadData]);
    expect(codeOf(() => parseControlMessage('hello'))).toEqual(['E_BAD_MESSAGE', CloseCode.BadData]);
  });
});
