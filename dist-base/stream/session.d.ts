import type { EnsembleResult, TranscribeOptions } from '../ensemble/types.js';
import type { VoiceActivityDetector } from '../segment/vad.js';
import { type ServerMessage, type StartMessage } from './protocol.js';
/** What the session needs of the ensemble: the server's transcriber (in-thread `Ensemble` or worker pool). */
export interface LiveTranscriber {
    transcribe(audio: Float32Array, options: TranscribeOptions): Promise<EnsembleResult>;
}
export interface LiveSessionOptions {
    start: StartMessage;
    transcriber: LiveTranscriber;
    vad: VoiceActivityDetector;
    send: (message: ServerMessage) => void;
    partialIntervalSeconds: number;
    maxPendingSeconds: number;
    maxStreamSeconds: number;
    /** Pause (false) or resume (true) reading the socket. */
    setFlowing?: (flowing: boolean) => void;
    /** A final was sent: the member that decoded it and the time from the endpoint to the final (ms). */
    onFinal?: (model: string, latencyMs: number) => void;
    /** Audio received, in seconds (after resampling). */
    onAudio?: (seconds: number) => void;
    /** A background step failed (a limit, a decoding error): the stream must end with this error. */
    onError?: (error: unknown) => void;
}
export declare class LiveSession {
    private readonly o;
    private readonly resampler;
    /** 16 kHz samples from absolute index `bufStart`. */
    private buf;
    private bufLen;
    private bufStart;
    private received;
    private speechStart;
    private utterance;
    private lastPartialAt;
    private partialBusy;
    /** Wall time of the last partial's decoding (ms): partials never take more than about half the decoder. */
    private partialCostMs;
    private pendingSamples;
    private flowing;
    private closed;
    private stopped;
    /** VAD steps run one after another (the detector is stateful and async). */
    private work;
    /** Finals run one after another, in order. */
    private finals;
    private failure;
    constructor(o: LiveSessionOptions);
    get encoding(): StartMessage['encoding'];
    /** Seconds of (16 kHz) audio received so far. */
    get seconds(): number;
    /** Feed client samples (already decoded from the message). Throws a `StreamError` on a limit. */
    push(samples: Float32Array): void;
    /** The end of the stream: flush the last utterance, wait for every final. */
    stop(): Promise<void>;
    /** The socket closed: drop whatever is still running (its results are not sent). */
    close(): void;
    /** The first error of a background step (a final that failed), rethrown by the next call. */
    private check;
    private fail;
    private accept;
    private append;
    /** Drop audio no future segment can contain. */
    private trim;
    private slice;
    private handle;
    private setFlowing;
    private final;
    private maybePartial;
}
