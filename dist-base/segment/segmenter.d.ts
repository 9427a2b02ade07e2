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
import type { SileroVad } from './silero.js';
import { type VadOptions } from './vad.js';
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
/**
 * Speech segments of `stream`, in order. `vad` (or its loader, called only when the audio is long enough
 * to need it) is reset first: one stream at a time per instance.
 */
export declare function segmentStream(stream: AudioStream, vadOrLoader: SileroVad | (() => Promise<SileroVad>), options?: SegmentOptions): AsyncGenerator<SpeechSegment>;
