import type { ServerMessage, StreamVadOptions } from './protocol.js';
export interface StreamClientOptions {
    /** Real-time factor of sending: 1 = as spoken, 2 = twice as fast, 0 = no pacing. */
    speed?: number;
    /** Frame length in ms (default 20). */
    frameMs?: number;
    lm?: boolean;
    beam?: number;
    vad?: StreamVadOptions;
    onMessage?: (message: ServerMessage, receivedAt: number) => void;
    /** Called with the stream time (s) of the last sample sent, after each frame. */
    onSent?: (seconds: number) => void;
}
export interface StreamClientResult {
    messages: ServerMessage[];
    closeCode: number;
    /** performance.now() at the first frame sent (stream time 0). */
    startedAt: number;
}
/** `ws://host:port` → `ws://host:port/v1/stream`; an http(s) URL is turned into ws(s). */
export declare function streamUrl(url: string): string;
export declare function streamAudio(url: string, samples16k: Float32Array, options?: StreamClientOptions): Promise<StreamClientResult>;
