/**
 * One live stream: client PCM at any rate → 16 kHz (`StreamingResampler`) → the voice-activity detector of
 * long-form segmentation (`VoiceActivityDetector`, one implementation shared with `src/segment`) → an
 * utterance at each endpoint (silence after speech, or the longest utterance) → the ensemble (every member,
 * confidences, the selector, the routed member's decoding with its LM when asked; or early routing / the domain gate,
 * from the start message or the server's defaults) → a `final`. While speech
 * goes on, a greedy `partial` of the utterance so far at most every `partialIntervalSeconds` of new audio (or
 * every twice its own decoding time, when that is longer), from the member the router prefers so far.
 *
 * Memory is bounded by the utterance: the session keeps only the 16 kHz audio the detector may still put into a
 * segment (`earliestNeeded()`), never the stream. Finals are decoded one after another, in order; a partial runs
 * only when no final is waiting, and one at a time (it is dropped, not queued, when the decoder is busy).
 * Back-pressure: while endpointed speech waits for decoding the socket is paused (`setFlowing(false)`), so a
 * client that sends faster than real time is slowed by TCP; beyond `maxPendingSeconds` waiting the stream is
 * refused with 1013.
 */
import { StreamingResampler } from '../audio/resample.js';
import type { EnsembleResult, TranscribeOptions } from '../ensemble/types.js';
import type { WordTiming } from '../segment/timestamps.js';
import type { VadEvent, VoiceActivityDetector } from '../segment/vad.js';
import { CloseCode, StreamError, startRouting, type ServerMessage, type StartMessage } from './protocol.js';

const RATE = 16000;

/** What the session needs of the ensemble: the server's transcriber (in-thread `Ensemble` or worker pool). */
export interface LiveTranscriber {
  transcribe(audio: Float32Array, options: TranscribeOptions): Promise<EnsembleResult>;
}

export interface LiveSessionOptions {
  start: StartMessage;
  transcriber: LiveTranscriber;
  /** The server's routing defaults (early routing, the domain gate); the start message's own fields win. */
  routing?: Readonly<TranscribeOptions>;
  vad: VoiceActivityDetector;
  send: (message: ServerMessage) => void;
  partialIntervalSeconds: number;
  maxPendingSeconds: number;
  maxStreamSeconds: number;
  /** Pause (false) or resume (true) reading the socket. */
  setFlowing?: (flowing: boolean) => void;
  /** A final was sent: the member that decoded it and the time from the endpoint to the final (ms). */
  onFinal?: (model: string, latencyMs: number) => void;
  /** Audio received, in seconds (after resampling). */
  onAudio?: (seconds: number) => void;
  /** A background step failed (a limit, a decoding error): the stream must end with this error. */
  onError?: (error: unknown) => void;
}

export class LiveSession {
  private readonly resampler: StreamingResampler;
  /** 16 kHz samples from absolute index `bufStart`. */
  private buf = new Float32Array(RATE * 4);
  private bufLen = 0;
  private bufStart = 0;
  private received = 0;
  private speechStart: number | null = null;
  private utterance = 0;
  private lastPartialAt = 0;
  private partialBusy = false;
  /** Wall time of the last partial's decoding (ms): partials never take more than about half the decoder. */
  private partialCostMs = 0;
  private pendingSamples = 0;
  private flowing = true;
  private closed = false;
  private stopped = false;
  /** VAD steps run one after another (the detector is stateful and async). */
  private work: Promise<void> = Promise.resolve();
  /** Finals run one after another, in order. */
  private finals: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  /** Routing options of every utterance's transcription, partials included. */
  private readonly routing: TranscribeOptions;

  constructor(private readonly o: LiveSessionOptions) {
    this.resampler = new StreamingResampler(o.start.sampleRate, RATE);
    this.routing = { ...o.routing, ...startRouting(o.start) };
  }

  get encoding(): StartMessage['encoding'] {
    return this.o.start.encoding;
  }

  /** Seconds of (16 kHz) audio received so far. */
  get seconds(): number {
    return this.received / RATE;
  }

  /** Feed client samples (already decoded from the message). Throws a `StreamError` on a limit. */
  push(samples: Float32Array): void {
    this.check();
    if (this.stopped) throw new StreamError('E_BAD_MESSAGE', CloseCode.BadData, 'audio after stop');
    const x = this.resampler.push(samples);
    this.accept(x);
  }

  /** The end of the stream: flush the last utterance, wait for every final. */
  async stop(): Promise<void> {
    this.check();
    this.stopped = true;
    this.accept(this.resampler.finish());
    this.work = this.work.then(async () => {
      if (this.closed) return;
      this.handle(await this.o.vad.flush());
    });
    await this.work;
    await this.finals;
    this.check();
  }

  /** The socket closed: drop whatever is still running (its results are not sent). */
  close(): void {
    this.closed = true;
  }

  /** The first error of a background step (a final that failed), rethrown by the next call. */
  private check(): void {
    if (this.failure) throw this.failure;
  }

  private fail(e: unknown): void {
    if (this.failure !== null || this.closed) return;
    this.failure = e;
    this.o.onError?.(e);
  }

  private accept(x: Float32Array): void {
    if (x.length === 0) return;
    this.received += x.length;
    if (this.received / RATE > this.o.maxStreamSeconds) {
      throw new StreamError('E_STREAM_TOO_LONG', CloseCode.Policy, `the stream is over its maximum of ${this.o.maxStreamSeconds} s`);
    }
    this.o.onAudio?.(x.length / RATE);
    this.append(x);
    this.work = this.work.then(async () => {
      if (this.closed) return;
      this.handle(await this.o.vad.push(x));
      this.maybePartial();
      this.trim();
    });
    this.work.catch((e: unknown) => this.fail(e));
  }

  private append(x: Float32Array): void {
    if (this.bufLen + x.length > this.buf.length) {
      const next = new Float32Array(Math.max(this.buf.length * 2, this.bufLen + x.length));
      next.set(this.buf.subarray(0, this.bufLen));
      this.buf = next;
    }
    this.buf.set(x, this.bufLen);
    this.bufLen += x.length;
  }

  /** Drop audio no future segment can contain. */
  private trim(): void {
    let keep = this.o.vad.earliestNeeded();
    if (this.speechStart !== null) keep = Math.min(keep, this.speechStart);
    const drop = Math.min(this.bufLen, keep - this.bufStart);
    if (drop <= 0) return;
    this.buf.copyWithin(0, drop, this.bufLen);
    this.bufLen -= drop;
    this.bufStart += drop;
    if (this.buf.length > RATE * 8 && this.bufLen < this.buf.length / 4) this.buf = this.buf.slice(0, Math.max(RATE * 4, this.bufLen * 2));
  }

  private slice(start: number, end: number): Float32Array {
    const a = Math.max(0, start - this.bufStart);
    const b = Math.max(a, Math.min(this.bufLen, end - this.bufStart));
    return this.buf.slice(a, b);
  }

  private handle(events: VadEvent[]): void {
    for (const e of events) {
      if (e.type === 'start') {
        this.speechStart = e.start;
        this.lastPartialAt = this.received;
      } else {
        this.speechStart = null;
        this.utterance++;
        this.final(e.start, e.end);
      }
    }
  }

  private setFlowing(on: boolean): void {
    if (this.flowing === on) return;
    this.flowing = on;
    this.o.setFlowing?.(on);
  }

  private final(start: number, end: number): void {
    const audio = this.slice(start, end);
    const endpointAt = performance.now();
    this.pendingSamples += audio.length;
    if (this.pendingSamples / RATE > this.o.maxPendingSeconds) {
      throw new StreamError(
        'E_BACKPRESSURE',
        CloseCode.TryLater,
        `the audio arrives faster than it can be decoded (${(this.pendingSamples / RATE).toFixed(1)} s waiting); send in real time or retry later`,
      );
    }
    if (this.pendingSamples > 0) this.setFlowing(false);
    const { lm, beam } = this.o.start;
    this.finals = this.finals.then(async () => {
      try {
        if (this.closed) return;
        const r = await this.o.transcriber.transcribe(audio, { ...this.routing, sampleRate: RATE, lm, ...(beam === undefined ? {} : { beam }) });
        if (this.closed) return;
        const t0 = start / RATE;
        this.o.send({
          type: 'final',
          text: r.text,
          model: r.model,
          probabilities: r.probabilities,
          confidences: r.confidences,
          start: round(t0),
          end: round(end / RATE),
          words: wordsOf(r).map((w) => ({ word: w.word, start: round(t0 + w.start), end: round(t0 + w.end) })),
        });
        this.o.onFinal?.(r.model, performance.now() - endpointAt);
      } finally {
        this.pendingSamples -= audio.length;
        if (this.pendingSamples === 0) this.setFlowing(true);
      }
    });
    this.finals.catch((e: unknown) => this.fail(e));
  }

  private maybePartial(): void {
    if (this.closed || this.stopped || this.speechStart === null || this.partialBusy || this.pendingSamples > 0) return;
    const interval = Math.max(this.o.partialIntervalSeconds, (2 * this.partialCostMs) / 1000);
    if (this.received - this.lastPartialAt < interval * RATE) return;
    this.lastPartialAt = this.received;
    const start = this.speechStart;
    const utterance = this.utterance;
    const audio = this.slice(start, this.received);
    this.partialBusy = true;
    const t0 = performance.now();
    this.o.transcriber
      .transcribe(audio, { ...this.routing, sampleRate: RATE, lm: false })
      .then(
        (r) => {
          // A partial that lost the race with its utterance's final is dropped.
          if (!this.closed && utterance === this.utterance && this.speechStart === start) {
            this.o.send({ type: 'partial', text: r.text, model: r.model, start: round(start / RATE) });
          }
        },
        () => undefined, // a failed partial is not fatal; the final decides
      )
      .finally(() => {
        this.partialBusy = false;
        this.partialCostMs = performance.now() - t0;
      });
  }
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}

/** Word timings of the result's segments (times in seconds of the utterance audio). */
function wordsOf(r: EnsembleResult): WordTiming[] {
  return (r.segments ?? []).flatMap((s) => s.words);
}
