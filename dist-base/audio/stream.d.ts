export interface AudioStreamOptions {
    /** Fail with `E_TOO_LONG` beyond this many seconds (of the span read). */
    maxSeconds?: number;
    /** Samples per chunk, in seconds of audio (default 1). */
    chunkSeconds?: number;
    /** NeMo manifest `offset`: start this many seconds into the file. */
    offsetSeconds?: number;
    /** NeMo manifest `duration`: read at most this many seconds (from the offset). */
    durationSeconds?: number;
    /** Name for error messages (default: the path, or "<buffer>"). */
    source?: string;
    /** Sample rate of a Float32Array input (default 16000). */
    sampleRate?: number;
}
export interface AudioStream {
    /** The file's own sample rate. */
    readonly sampleRate: number;
    /** Samples the stream will yield when the container says so (WAV), else null (ffmpeg). */
    readonly totalSamples: number | null;
    /** Mono chunks at `sampleRate`; may be iterated once. */
    chunks(): AsyncGenerator<Float32Array>;
    /** Stop early (kills ffmpeg, closes the file). Safe to call twice. */
    close(): Promise<void>;
}
/**
 * Open `input` (a path, encoded bytes, or mono samples) as a chunked mono stream. WAV headers are
 * validated up front; ffmpeg errors surface when the chunks are read.
 */
export declare function openAudioStream(input: string | Uint8Array | Float32Array, options?: AudioStreamOptions): Promise<AudioStream>;
/**
 * The whole of a short input as one mono array, when `openAudioStream` would give exactly these samples and
 * reading them at once is cheaper (one read, no chunk loop): WAV files / bytes and raw samples, no offset or
 * duration, at most `upToSeconds` long and within `maxSeconds`. Null for everything else, errors included
 * (unreadable file, bad header, ffmpeg containers): the stream then reads it and reports what is wrong.
 */
export declare function readShortAudio(input: string | Uint8Array | Float32Array, upToSeconds: number, options?: Pick<AudioStreamOptions, 'maxSeconds' | 'offsetSeconds' | 'durationSeconds' | 'sampleRate' | 'source'>): Promise<{
    mono: Float32Array;
    sampleRate: number;
} | null>;
