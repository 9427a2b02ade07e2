import { StreamingResampler } from '../audio/resample.js';
import { VAD_SAMPLE_RATE } from './defaults.js';
import { VoiceActivityDetector, resolveVadOptions } from './vad.js';
/** Growable window of the file's samples, addressed by absolute sample index. */
class SampleWindow {
    buf = new Float32Array(1 << 16);
    start = 0;
    len = 0;
    get end() {
        return this.start + this.len;
    }
    append(x) {
        if (this.len + x.length > this.buf.length) {
            const next = new Float32Array(Math.max(this.len + x.length, this.buf.length * 2));
            next.set(this.buf.subarray(0, this.len));
            this.buf = next;
        }
        this.buf.set(x, this.len);
        this.len += x.length;
    }
    /** Copy of [from, to) (clamped to what is held). */
    slice(from, to) {
        const a = Math.max(from, this.start) - this.start;
        const b = Math.min(to, this.end) - this.start;
        return this.buf.slice(a, Math.max(a, b));
    }
    /** Forget samples before `index`. */
    dropBefore(index) {
        const n = Math.min(this.len, index - this.start);
        if (n <= 0)
            return;
        this.buf.copyWithin(0, n, this.len);
        this.len -= n;
        this.start += n;
        // Shrink after a long segment so the held memory follows the live window.
        if (this.buf.length > 4 * Math.max(this.len, 1 << 16))
            this.buf = this.buf.slice(0, Math.max(this.len * 2, 1 << 16));
    }
}
/**
 * Speech segments of `stream`, in order. `vad` (or its loader, called only when the audio is long enough
 * to need it) is reset first: one stream at a time per instance.
 */
export async function* segmentStream(stream, vadOrLoader, options = {}) {
    const vadOptions = resolveVadOptions(options);
    const chunks = stream.chunks();
    const window = new SampleWindow();
    let rate = 0;
    let index = 0;
    const check = () => {
        if (options.signal?.aborted)
            throw options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted');
    };
    try {
        // Phase 1: read up to the maximum segment length; a stream that ends there is one whole segment.
        const head = [];
        let headLen = 0;
        let ended = false;
        for (;;) {
            check();
            const r = await chunks.next();
            if (r.done) {
                ended = true;
                break;
            }
            rate = stream.sampleRate;
            head.push(r.value);
            headLen += r.value.length;
            options.onRead?.(headLen / rate);
            if (headLen > vadOptions.maxSegmentSeconds * rate)
                break;
        }
        if (ended && !options.segmentShort) {
            const all = new Float32Array(headLen);
            let o = 0;
            for (const h of head) {
                all.set(h, o);
                o += h.length;
            }
            yield { index: 0, start: 0, end: headLen / rate, startSample: 0, endSample: headLen, samples: all, sampleRate: rate, whole: true };
            return;
        }
        // Phase 2: the detector over everything, segments cut from the window of samples.
        const vad = typeof vadOrLoader === 'function' ? await vadOrLoader() : vadOrLoader;
        vad.reset();
        const detector = new VoiceActivityDetector(vad, vadOptions);
        const resampler = new StreamingResampler(rate, VAD_SAMPLE_RATE);
        const toFile = (p16) => Math.round((p16 * rate) / VAD_SAMPLE_RATE);
        let read = 0;
        const pending = [];
        const feed = async (chunk) => {
            let events;
            if (chunk) {
                window.append(chunk);
                read += chunk.length;
                events = await detector.push(resampler.push(chunk));
            }
            else {
                const tail = resampler.finish();
                events = [...(await detector.push(tail)), ...(await detector.flush())];
            }
            for (const e of events)
                if (e.type === 'segment')
                    pending.push({ start: toFile(e.start), end: Math.min(read, toFile(e.end)) });
        };
        const drain = function* () {
            while (pending.length > 0) {
                const s = pending.shift();
                if (s.end <= s.start)
                    continue;
                yield {
                    index: index++,
                    start: s.start / rate,
                    end: s.end / rate,
                    startSample: s.start,
                    endSample: s.end,
                    samples: window.slice(s.start, s.end),
                    sampleRate: rate,
                    whole: false,
                };
            }
            // Keep one VAD window of slack for the rounding between the two rates.
            window.dropBefore(toFile(detector.earliestNeeded()) - Math.ceil(rate / 100));
        };
        for (const h of head) {
            await feed(h);
            yield* drain();
        }
        head.length = 0;
        if (!ended) {
            for (;;) {
                check();
                const r = await chunks.next();
                if (r.done)
                    break;
                await feed(r.value);
                options.onRead?.(read / rate);
                yield* drain();
            }
        }
        await feed(null);
        yield* drain();
    }
    finally {
        await chunks.return(undefined);
        await stream.close();
    }
}
//# sourceMappingURL=segmenter.js.map