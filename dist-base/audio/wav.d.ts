/** Decoded WAV: one Float32Array per channel, samples scaled to [-1, 1) like NeMo's `AudioSegment`. */
export interface DecodedWav {
    sampleRate: number;
    channels: Float32Array[];
    /** Human-readable encoding, e.g. "PCM 16-bit", "IEEE float 64-bit", "mu-law". */
    encoding: string;
}
/** The first bytes of a file, as text when printable, else hex (for error messages). */
export declare function printableHead(bytes: Uint8Array, n?: number): string;
/** True when the bytes start like a RIFF/RIFX/RF64 WAVE file (so WAV-specific errors apply). */
export declare function looksLikeWav(bytes: Uint8Array): boolean;
/** G.711 mu-law byte to linear, scaled by 1/32768 (the 14-bit value is left-justified in 16 bits). */
export declare function mulawToLinear(u: number): number;
/** G.711 A-law byte to linear, scaled by 1/32768. */
export declare function alawToLinear(a: number): number;
/** Linear [-1,1] to G.711 mu-law byte (for writing test files). */
export declare function linearToMulaw(x: number): number;
/** Linear [-1,1] to G.711 A-law byte (for writing test files; ITU-T G.711 reference algorithm). */
export declare function linearToAlaw(x: number): number;
/**
 * Decode a RIFF/WAVE file: PCM 8/16/24/32-bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE (with any of
 * those sub-formats), mu-law and A-law; any channel count; sample rates from 1 kHz to 384 kHz (AUDIO_LIMITS). Integer PCM is scaled by
 * 1/2^(bits-1) (8-bit is unsigned, offset 128). Errors are `UserError`s naming `source`.
 */
export declare function decodeWav(bytes: Uint8Array, source?: string): DecodedWav;
/**
 * NeMo's `select_channels` for a mono model: null/'average' averages every channel; an index picks that
 * channel; a list picks those channels (averaged when several). An index past the last channel is an error,
 * as in NeMo.
 */
export declare function selectChannels(channels: Float32Array[], selector: null | 'average' | number | readonly number[], source?: string): Float32Array;
/** Average the channels (NeMo's `channel_selector=None`), float32 like NeMo's numpy mean on float32 data. */
export declare function mixToMono(channels: Float32Array[]): Float32Array;
export type WavEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64' | 'mulaw' | 'alaw';
export interface EncodeWavOptions {
    encoding?: WavEncoding;
    /** Write a WAVE_FORMAT_EXTENSIBLE header (the sub-format carries the encoding). */
    extensible?: boolean;
}
/**
 * Encode one or more channels (interleaved on write) as a WAV file. Integer encodings clip to [-1, 1)
 * and round to nearest.
 */
export declare function encodeWav(samples: Float32Array | Float32Array[], sampleRate: number, options?: EncodeWavOptions): Uint8Array;
