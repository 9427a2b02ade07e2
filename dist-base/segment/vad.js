/**
 * Streaming voice-activity detection over Silero's per-window speech probabilities.
 *
 * `VoiceActivityDetector` is fed 16 kHz audio in chunks of any size (`push`) and answers events as soon
 * as they are decided: `start` once a stretch of speech has lasted `minSpeechMs`, `segment` (start and
 * end) once `minSilenceMs` of silence closed it, or when speech ran `maxSegmentSeconds` without a pause.
 * It holds only the probabilities of the stretch in progress (≤ maxSegmentSeconds / 32 ms numbers), so a
 * live stream (issue 13) or an hour-long file costs the same memory. `detectSpeech` is the whole-buffer
 * helper on top.
 *
 * Decision rule (our own implementation of the behaviour of Silero's `get_speech_timestamps`): a window
 * with probability ≥ threshold starts or continues speech; speech ends where the probability fell below
 * threshold − 0.15 and stayed there for `minSilenceMs`; segments shorter than `minSpeechMs` are dropped;
 * `speechPadMs` is added at both ends (never reaching into the previous segment, never more than
 * `minSilenceMs`, so that an end can be emitted without looking ahead). A stretch longer than
 * `maxSegmentSeconds` is cut at the window of least speech probability (3-window moving average) within
 * the last `splitWindowSeconds` before the limit — a breath or a short pause rather than mid-word at a
 * fixed sample; the two parts meet there without padding.
 */
import { VAD_DEFAULTS, VAD_SAMPLE_RATE, VAD_WINDOW } from './defaults.js';
/** Validated options (throws RangeError naming the option). */
export function resolveVadOptions(o = {}) {
    const threshold = o.threshold ?? VAD_DEFAULTS.threshold;
    const r = {
        threshold,
        negThreshold: o.negThreshold ?? Math.max(0.01, threshold - VAD_DEFAULTS.negThresholdGap),
        minSpeechMs: o.minSpeechMs ?? VAD_DEFAULTS.minSpeechMs,
        minSilenceMs: o.minSilenceMs ?? VAD_DEFAULTS.minSilenceMs,
        speechPadMs: o.speechPadMs ?? VAD_DEFAULTS.speechPadMs,
        maxSegmentSeconds: o.maxSegmentSeconds ?? VAD_DEFAULTS.maxSegmentSeconds,
        splitWindowSeconds: o.splitWindowSeconds ?? VAD_DEFAULTS.splitWindowSeconds,
    };
    if (!(r.threshold > 0 && r.threshold < 1))
        throw new RangeError(`VAD threshold must be between 0 and 1, got ${r.threshold}`);
    if (!(r.negThreshold > 0 && r.negThreshold <= r.threshold))
        throw new RangeError(`VAD negative threshold must be in (0, threshold], got ${r.negThreshold}`);
    for (const k of ['minSpeechMs', 'minSilenceMs', 'speechPadMs']) {
        if (!(r[k] >= 0 && Number.isFinite(r[k])))
            throw new RangeError(`VAD ${k} must be a number ≥ 0, got ${r[k]}`);
    }
    if (!(r.maxSegmentSeconds >= 2))
        throw new RangeError(`maximum segment length must be at least 2 s, got ${r.maxSegmentSeconds}`);
    if (!(r.splitWindowSeconds > 0 && r.splitWindowSeconds < r.maxSegmentSeconds)) {
        throw new RangeError(`the split window (${r.splitWindowSeconds} s) must be shorter than the maximum segment (${r.maxSegmentSeconds} s)`);
    }
    return r;
}
export class VoiceActivityDetector {
    model;
    options;
    minSpeech;
    minSilence;
    pad;
    maxLen;
    splitWindows;
    pending = new Float32Array(VAD_WINDOW);
    pendingLen = 0;
    /** Windows processed. */
    win = 0;
    /** Real (unpadded) samples pushed. */
    samples = 0;
    triggered = false;
    confirmed = false;
    /** Sample where the current segment starts (padded), and the window where its speech started. */
    segStart = 0;
    speechWin = 0;
    tempEndWin = -1;
    lastEnd = 0;
    /** Probabilities of the windows since `segStartWin`. */
    probs = new Float32Array(1024);
    segStartWin = 0;
    constructor(model, options = {}) {
        this.model = model;
        this.options = resolveVadOptions(options);
        const ms = VAD_SAMPLE_RATE / 1000;
        this.minSpeech = this.options.minSpeechMs * ms;
        this.minSilence = this.options.minSilenceMs * ms;
        this.pad = Math.min(this.options.speechPadMs, this.options.minSilenceMs) * ms;
        this.maxLen = this.options.maxSegmentSeconds * VAD_SAMPLE_RATE;
        this.splitWindows = Math.max(1, Math.floor((this.options.splitWindowSeconds * VAD_SAMPLE_RATE) / VAD_WINDOW));
    }
    /** Samples (16 kHz) consumed so far. */
    get position() {
        return this.samples;
    }
    /** True while inside a stretch of speech (confirmed by `minSpeechMs`). */
    get speaking() {
        return this.triggered && this.confirmed;
    }
    /** No future segment starts before this sample: audio before it may be dropped. */
    earliestNeeded() {
        if (this.triggered)
            return this.segStart;
        return Math.max(this.lastEnd, this.win * VAD_WINDOW - this.pad);
    }
    async push(chunk) {
        const events = [];
        let i = 0;
        this.samples += chunk.length;
        while (i < chunk.length) {
            const n = Math.min(VAD_WINDOW - this.pendingLen, chunk.length - i);
            this.pending.set(chunk.subarray(i, i + n), this.pendingLen);
            this.pendingLen += n;
            i += n;
            if (this.pendingLen === VAD_WINDOW) {
                await this.step(events);
                this.pendingLen = 0;
            }
        }
        return events;
    }
    /** The input is over: decide the last window (zero-padded) and close open speech. */
    async flush() {
        const events = [];
        if (this.pendingLen > 0) {
            this.pending.fill(0, this.pendingLen);
            await this.step(events);
            this.pendingLen = 0;
        }
        if (this.triggered) {
            const end = this.tempEndWin >= 0 ? Math.min(this.samples, this.tempEndWin * VAD_WINDOW + this.pad) : this.samples;
            this.close(end, events);
        }
        return events;
    }
    async step(events) {
        const p = await this.model.probability(this.pending);
        const w = this.win++;
        const o = this.options;
        if (this.triggered)
            this.record(w, p);
        if (p >= o.threshold) {
            this.tempEndWin = -1;
            if (!this.triggered) {
                this.triggered = true;
                this.confirmed = false;
                this.speechWin = w;
                this.segStart = Math.max(this.lastEnd, w * VAD_WINDOW - this.pad);
                this.segStartWin = w;
                this.record(w, p);
            }
        }
        else if (this.triggered && p < o.negThreshold) {
            if (this.tempEndWin < 0)
                this.tempEndWin = w;
            if ((w + 1 - this.tempEndWin) * VAD_WINDOW >= this.minSilence) {
                this.close(Math.min(this.samples, this.tempEndWin * VAD_WINDOW + this.pad), events);
                return;
            }
        }
        if (!this.triggered)
            return;
        const now = (w + 1) * VAD_WINDOW;
        if (!this.confirmed && (this.tempEndWin < 0 ? now : this.tempEndWin * VAD_WINDOW) - this.speechWin * VAD_WINDOW >= this.minSpeech) {
            this.confirmed = true;
            events.push({ type: 'start', start: this.segStart });
        }
        if (now - this.segStart >= this.maxLen)
            this.split(w, events);
    }
    record(w, p) {
        const k = w - this.segStartWin;
        if (k >= this.probs.length) {
            const next = new Float32Array(this.probs.length * 2);
            next.set(this.probs);
            this.probs = next;
        }
        this.probs[k] = p;
    }
    /** Cut the running stretch at its least-speech window near the limit; speech continues from there. */
    split(w, events) {
        const first = Math.max(this.segStartWin + 1, w + 1 - this.splitWindows);
        let best = w;
        let bestV = Infinity;
        for (let k = first; k <= w; k++) {
            let s = 0;
            let n = 0;
            for (let j = k - 1; j <= k + 1; j++) {
                if (j < this.segStartWin || j > w)
                    continue;
                s += this.probs[j - this.segStartWin];
                n++;
            }
            const v = s / n;
            if (v < bestV) {
                bestV = v;
                best = k;
            }
        }
        const cut = best * VAD_WINDOW;
        if (!this.confirmed)
            events.push({ type: 'start', start: this.segStart });
        events.push({ type: 'segment', start: this.segStart, end: cut });
        this.lastEnd = cut;
        // The rest of the stretch becomes the new segment, starting at the cut.
        const keep = this.probs.slice(best - this.segStartWin, w + 1 - this.segStartWin);
        this.probs.set(keep);
        this.segStartWin = best;
        this.segStart = cut;
        this.speechWin = best;
        this.confirmed = true;
        events.push({ type: 'start', start: cut });
        if (this.tempEndWin >= 0 && this.tempEndWin < best)
            this.tempEndWin = best;
    }
    close(end, events) {
        this.triggered = false;
        const speechEnd = this.tempEndWin >= 0 ? this.tempEndWin * VAD_WINDOW : end;
        this.tempEndWin = -1;
        // A confirmed stretch (or the rest of one that was split) is kept however short its tail.
        if ((!this.confirmed && speechEnd - this.speechWin * VAD_WINDOW < this.minSpeech) || end <= this.segStart)
            return;
        if (!this.confirmed)
            events.push({ type: 'start', start: this.segStart });
        events.push({ type: 'segment', start: this.segStart, end });
        this.lastEnd = end;
    }
}
/** Speech segments (seconds) of a whole 16 kHz buffer, with a fresh detector state. */
export async function detectSpeech(model, samples16k, options = {}) {
    model.reset();
    const vad = new VoiceActivityDetector(model, options);
    const events = [...(await vad.push(samples16k)), ...(await vad.flush())];
    return events
        .filter((e) => e.type === 'segment')
        .map((e) => ({ start: e.start / VAD_SAMPLE_RATE, end: e.end / VAD_SAMPLE_RATE }));
}
//# sourceMappingURL=vad.js.map