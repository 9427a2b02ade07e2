export declare const CloseCode: {
    readonly Normal: 1000;
    readonly GoingAway: 1001;
    readonly BadData: 1003;
    readonly Policy: 1008;
    readonly TooBig: 1009;
    readonly ServerError: 1011;
    readonly TryLater: 1013;
};
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
/** A protocol error: sent as `{"type":"error","code","message"}`, then the socket closes with `closeCode`. */
export declare class StreamError extends Error {
    readonly code: string;
    readonly closeCode: CloseCode;
    constructor(code: string, closeCode: CloseCode, message: string);
}
export type PcmEncoding = 'pcm_s16le' | 'pcm_f32le';
/** VAD settings a client may choose, each within the server's limits. */
export interface StreamVadOptions {
    threshold?: number;
    minSilenceMs?: number;
    speechPadMs?: number;
    maxUtteranceSeconds?: number;
}
export interface StartMessage {
    type: 'start';
    sampleRate: number;
    encoding: PcmEncoding;
    lm: boolean;
    route: 'utterance';
    beam?: number;
    vad: StreamVadOptions;
}
export interface StreamLimits {
    minSampleRate: number;
    maxSampleRate: number;
    maxBeam: number;
    maxUtteranceSeconds: number;
}
export type ServerMessage = {
    type: 'ready';
} | {
    type: 'partial';
    text: string;
    model: string;
    start: number;
} | {
    type: 'final';
    text: string;
    model: string;
    probabilities: Record<string, number>;
    confidences: Record<string, number>;
    start: number;
    end: number;
    words: Array<{
        word: string;
        start: number;
        end: number;
    }>;
} | {
    type: 'end';
} | {
    type: 'error';
    code: string;
    message: string;
};
/** Parse and validate the first message; a `StreamError` (1003) says what is wrong. */
export declare function parseStartMessage(text: string, limits: StreamLimits): StartMessage;
/** A text message after `start`: only `stop` is defined. */
export declare function parseControlMessage(text: string): {
    type: 'stop';
};
/**
 * Samples of one binary message. Each message must hold whole samples (2 bytes for s16le, 4 for f32le);
 * NaN and ±Inf are refused (they would poison every confidence of the utterance).
 */
export declare function decodePcm(bytes: Uint8Array, encoding: PcmEncoding): Float32Array;
export declare function defaultStreamLimits(maxBeam: number): StreamLimits;
