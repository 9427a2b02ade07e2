import { type DecodedWav } from './wav.js';
/** Files up to this size are read synchronously (8 s of 16 kHz 16-bit audio: tens of µs from the page cache). */
export declare const SYNC_READ_BYTES: number;
/**
 * The bytes of an audio file. A short utterance is read synchronously, as sherpa-onnx and KenLM tools do: the
 * asynchronous read's thread-pool round trip costs more than the read itself (and much more on a busy machine);
 * anything larger, or anything that fails, goes through the asynchronous read (which reports the error).
 */
export declare function readAudioBytes(file: string): Promise<Uint8Array>;
/** Decode a file or in-memory buffer to channels at the native rate (WAV natively, anything else via ffmpeg). */
export declare function decodeAudio(input: string | Uint8Array, source?: string): Promise<DecodedWav>;
/**
 * Load audio as mono float32 at `targetRate`: channels averaged (NeMo `channel_selector=None`), then the
 * band-limited resampler when the file's rate differs.
 */
export declare function loadAudio(input: string | Uint8Array, targetRate: number, source?: string): Promise<Float32Array>;
