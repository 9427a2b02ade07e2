/**
 * Long-form segmentation: an `AudioStream` (chunks at the file's rate) in, speech segments (samples at the
 * file's rate, with their times in the file) out, one at a time, as soon as the detector closes them.
 *
 * Memory is bounded by the segment: the file's audio is kept only from the earliest sample a future
 * segment can start at (`VoiceActivityDetector.earliestNeeded`), i.e. at most one maximum-length segment
 * plus padding and one chunk; the 16 kHz copy the detector needs is made chunk by chunk
 * (`StreamingResampler`, exact).
 *
 * Short files are not cut: audio that ends within `maxSegmentSeconds` is one segment, the whole file
 * untouched (so a short file transcribes exactly as it always did, leading and trailing silence
 * included). `segmentShort: true` runs the detector on them too.
 */
import type { AudioStream } from '../audio/stream.js';
import { StreamingResampler } from '../audio/resample.js';
import { VAD_SAMPLE_RATE } from './defaults.js';
import type { SileroVad } from './silero.js';
import { VoiceActivityDetector, resolveVadOptions, type VadEvent, type VadOptions } from './vad.js';

export interface SpeechSegment {
  /** 0-based, in file order. */
  index: number;
  /** Seconds from the start of the stream (add the manifest offset for file time). */
  start: number;
  end: number;
  /** The same span in samples of the stream (exact, for re-reading it). */
  startSample: number;
  endSample: number;
  /** Mono samples at `sampleRate` (the file's rate). */
  samples: Float32Array;
  sampleRate: number;
  /** True when the file was short enough to be one segment without running the detector. */
  whole: boolean;
}

export interface SegmentOptions extends VadOptions {
  /** Run the detector also on audio shorter than `maxSegmentSeconds` (default false: one whole segment). */
  segmentShort?: boolean;
  /** Called after each chunk with the seconds read so far. */
  onRead?: (seconds: number) => void;
  /** Stops between chunks (the generator throws the signal's reason). */
  signal?: AbortSignal;
}

/** Growable window of the file's samples, addressed by absolute sample index. */
class SampleWindow {
  private buf = new Float32Array(1 << 16);
  private start = 0;
  private len = 0;

  get end(): number {
    return this.start + this.len;
  }

  append(x: Float32Array): void {
    if (this.len + x.length > this.buf.length) {
      const next = new Float32Array(Math.max(this.len + x.length, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(x, this.len);
    this.len += x.length;
  }

  /** Copy of [from, to) (clamped to what is held). */
  slice(from: number, to: number): Float32Array {
    const a = Math.max(from, this.start) - this.start;
    const b = Math.min(to, this.end) - this.start;
    return this.buf.slice(a, Math.max(a, b));
  }

  /** Forget samples before `index`. */
  dropBefore(index: number): void {
    const n = Math.min(this.len, index - this.start);
    if (n <= 0) return;
    this.buf.copyWithin(0, n, this.len);
    this.len -= n;
    this.start += n;
    // Shrink after a long segment so the held memory follows the live window.
    if (this.buf.length > 4 * Math.max(this.len, 1 << 16)) this.buf = this.buf.slice(0, Math.max(this.len * 2, 1 << 16));
  }
}

/**
 * Speech segments of `stream`, in order. `vad` (or its loader, called only when the audio is long enough
 * to need it) is reset first: one stream at a time per instance.
 */
export async function* segmentStream(
  stream: AudioStream,
  vadOrLoader: SileroVad | (() => Promise<SileroVad>),
  options: SegmentOptions = {},
): AsyncGenerator<SpeechSegment> {
  const vadOptions = resolveVadOptions(options);
  const chunks = stream.chunks();
  const window = new SampleWindow();
  let rate = 0;
  let index = 0;
  const check = (): void => {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted');
  };
  try {
    // Phase 1: read up to the maximum segment length; a stream that ends there is one whole segment.
    const head: Float32Array[] = [];
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
      if (headLen > vadOptions.maxSegmentSeconds * rate) break;
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
    const toFile = (p16: number): number => Math.round((p16 * rate) / VAD_SAMPLE_RATE);
    let read = 0;
    const pending: Array<{ start: number; end: number }> = [];
    const feed = async (chunk: Float32Array | null): Promise<void> => {
      let events: VadEvent[];
      if (chunk) {
        window.append(chunk);
        read += chunk.length;
        events = await detector.push(resampler.push(chunk));
      } else {
        const tail = resampler.finish();
        events = [...(await detector.push(tail)), ...(await detector.flush())];
      }
      for (const e of events) if (e.type === 'segment') pending.push({ start: toFile(e.start), end: Math.min(read, toFile(e.end)) });
    };
    const drain = function* (): Generator<SpeechSegment> {
      while (pending.length > 0) {
        const s = pending.shift()!;
        if (s.end <= s.start) continue;
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
        if (r.done) break;
        await feed(r.value);
        options.onRead?.(read / rate);
        yield* drain();
      }
    }
    await feed(null);
    yield* drain();
  } finally {
    await chunks.return(undefined);
    await stream.close();
  }
}
