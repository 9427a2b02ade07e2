/**
 * One live stream: client PCM at any rate → 16 kHz (`StreamingResampler`) → the voice-activity detector of
 * long-form segmentation (`VoiceActivityDetector`, one implementation shared with `src/segment`) → an
 * utterance at each endpoint (silence after speech, or the longest utterance) → the ensemble (every member,
 * confidences, the selector, the routed member's decoding with its LM when asked) → a `final`. While speech
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
import { CloseCode, StreamError } from './protocol.js';
const RATE = 16000;
export class LiveSession {
    o;
    resampler;
    /** 16 kHz samples from absolute index `bufStart`. */
    buf = new Float32Array(RATE * 4);
    bufLen = 0;
    bufStart = 0;
    received = 0;
    speechStart = null;
    utterance = 0;
    lastPartialAt = 0;
    partialBusy = false;
    /** Wall time of the last partial's decoding (ms): partials never take more than about half the decoder. */
    partialCostMs = 0;
    pendingSamples = 0;
    flowing = true;
    closed = false;
    stopped = false;
    /** VAD steps run one after another (the detector is stateful and async). */
    work = Promise.resolve();
    /** Finals run one after another, in order. */
    finals = Promise.resolve();
    failure = null;
    constructor(o) {
        this.o = o;
        this.resampler = new StreamingResampler(o.start.sampleRate, RATE);
    }
    get encoding() {
        return this.o.start.encoding;
    }
    /** Seconds of (16 kHz) audio received so far. */
    get seconds() {
        return this.received / RATE;
    }
    /** Feed client samples (already decoded from the message). Throws a `StreamError` on a limit. */
    push(samples) {
        this.check();
        if (this.stopped)
            throw new StreamError('E_BAD_MESSAGE', CloseCode.BadData, 'audio after stop');
        const x = this.resampler.push(samples);
        this.accept(x);
    }
    /** The end of the stream: flush the last utterance, wait for every final. */
    async stop() {
        this.check();
        this.stopped = true;
        this.accept(this.resampler.finish());
        this.work = this.work.then(async () => {
            if (this.closed)
                return;
            this.handle(await this.o.vad.flush());
        });
        await this.work;
        await this.finals;
        this.check();
    }
    /** The socket closed: drop whatever is still running (its results are not sent). */
    close() {
        this.closed = true;
    }
    /** The first error of a background step (a final that failed), rethrown by the next call. */
    check() {
        if (this.failure)
            throw this.failure;
    }
    fail(e) {
        if (this.failure !== null || this.closed)
            return;
        this.failure = e;
        this.o.onError?.(e);
    }
    accept(x) {
        if (x.length === 0)
            return;
        this.received += x.length;
        if (this.received / RATE > this.o.maxStreamSeconds) {
            throw new StreamError('E_STREAM_TOO_LONG', CloseCode.Policy, `the stream is over its maximum of ${this.o.maxStreamSeconds} s`);
        }
        this.o.onAudio?.(x.length / RATE);
        this.append(x);
        this.work = this.work.then(async () => {
            if (this.closed)
                return;
            this.handle(await this.o.vad.push(x));
            this.maybePartial();
            this.trim();
        });
        this.work.catch((e) => this.fail(e));
    }
    append(x) {
        if (this.bufLen + x.length > this.buf.length) {
            const next = new Float32Array(Math.max(this.buf.length * 2, this.bufLen + x.length));
            next.set(this.buf.subarray(0, this.bufLen));
            this.buf = next;
        }
        this.buf.set(x, this.bufLen);
        this.bufLen += x.length;
    }
    /** Drop audio no future segment can contain. */
    trim() {
        let keep = this.o.vad.earliestNeeded();
        if (this.speechStart !== null)
            keep = Math.min(keep, this.speechStart);
        const drop = Math.min(this.bufLen, keep - this.bufStart);
        if (drop <= 0)
            return;
        this.buf.copyWithin(0, drop, this.bufLen);
        this.bufLen -= drop;
        this.bufStart += drop;
        if (this.buf.length > RATE * 8 && this.bufLen < this.buf.length / 4)
            this.buf = this.buf.slice(0, Math.max(RATE * 4, this.bufLen * 2));
    }
    slice(start, end) {
        const a = Math.max(0, start - this.bufStart);
        const b = Math.max(a, Math.min(this.bufLen, end - this.bufStart));
        return this.buf.slice(a, b);
    }
    handle(events) {
        for (const e of events) {
            if (e.type === 'start') {
                this.speechStart = e.start;
                this.lastPartialAt = this.received;
            }
            else {
                this.speechStart = null;
                this.utterance++;
                this.final(e.start, e.end);
            }
        }
    }
    setFlowing(on) {
        if (this.flowing === on)
            return;
        this.flowing = on;
        this.o.setFlowing?.(on);
    }
    final(start, end) {
        const audio = this.slice(start, end);
        const endpointAt = performance.now();
        this.pendingSamples += audio.length;
        if (this.pendingSamples / RATE > this.o.maxPendingSeconds) {
            throw new StreamError('E_BACKPRESSURE', CloseCode.TryLater, `the audio arrives faster than it can be decoded (${(this.pendingSamples / RATE).toFixed(1)} s waiting); send in real time or retry later`);
        }
        if (this.pendingSamples > 0)
            this.setFlowing(false);
        const { lm, beam } = this.o.start;
        this.finals = this.finals.then(async () => {
            try {
                if (this.closed)
                    return;
                const r = await this.o.transcriber.transcribe(audio, { sampleRate: RATE, lm, ...(beam === undefined ? {} : { beam }) });
                if (this.closed)
                    return;
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
            }
            finally {
                this.pendingSamples -= audio.length;
                if (this.pendingSamples === 0)
                    this.setFlowing(true);
            }
        });
        this.finals.catch((e) => this.fail(e));
    }
    maybePartial() {
        if (this.closed || this.stopped || this.speechStart === null || this.partialBusy || this.pendingSamples > 0)
            return;
        const interval = Math.max(this.o.partialIntervalSeconds, (2 * this.partialCostMs) / 1000);
        if (this.received - this.lastPartialAt < interval * RATE)
            return;
        this.lastPartialAt = this.received;
        const start = this.speechStart;
        const utterance = this.utterance;
        const audio = this.slice(start, this.received);
        this.partialBusy = true;
        const t0 = performance.now();
        this.o.transcriber
            .transcribe(audio, { sampleRate: RATE, lm: false })
            .then((r) => {
            // A partial that lost the race with its utterance's final is dropped.
            if (!this.closed && utterance === this.utterance && this.speechStart === start) {
                this.o.send({ type: 'partial', text: r.text, model: r.model, start: round(start / RATE) });
            }
        }, () => undefined)
            .finally(() => {
            this.partialBusy = false;
            this.partialCostMs = performance.now() - t0;
        });
    }
}
function round(s) {
    return Math.round(s * 1000) / 1000;
}
/** Word timings of the result's segments (times in seconds of the utterance audio). */
function wordsOf(r) {
    return (r.segments ?? []).flatMap((s) => s.words);
}
//# sourceMappingURL=session.js.map