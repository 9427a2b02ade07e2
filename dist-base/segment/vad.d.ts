import type { SileroVad } from './silero.js';
export interface VadOptions {
    threshold?: number;
    /** Default threshold − 0.15. */
    negThreshold?: number;
    minSpeechMs?: number;
    minSilenceMs?: number;
    speechPadMs?: number;
    maxSegmentSeconds?: number;
    splitWindowSeconds?: number;
}
/** Positions are sample indices of the 16 kHz input. */
export type VadEvent = {
    type: 'start';
    start: number;
} | {
    type: 'segment';
    start: number;
    end: number;
};
/** Validated options (throws RangeError naming the option). */
export declare function resolveVadOptions(o?: VadOptions): Required<VadOptions>;
export declare class VoiceActivityDetector {
    private readonly model;
    readonly options: Required<VadOptions>;
    private readonly minSpeech;
    private readonly minSilence;
    private readonly pad;
    private readonly maxLen;
    private readonly splitWindows;
    private readonly pending;
    private pendingLen;
    /** Windows processed. */
    private win;
    /** Real (unpadded) samples pushed. */
    private samples;
    private triggered;
    private confirmed;
    /** Sample where the current segment starts (padded), and the window where its speech started. */
    private segStart;
    private speechWin;
    private tempEndWin;
    private lastEnd;
    /** Probabilities of the windows since `segStartWin`. */
    private probs;
    private segStartWin;
    constructor(model: SileroVad, options?: VadOptions);
    /** Samples (16 kHz) consumed so far. */
    get position(): number;
    /** True while inside a stretch of speech (confirmed by `minSpeechMs`). */
    get speaking(): boolean;
    /** No future segment starts before this sample: audio before it may be dropped. */
    earliestNeeded(): number;
    push(chunk: Float32Array): Promise<VadEvent[]>;
    /** The input is over: decide the last window (zero-padded) and close open speech. */
    flush(): Promise<VadEvent[]>;
    private step;
    private record;
    /** Cut the running stretch at its least-speech window near the limit; speech continues from there. */
    private split;
    private close;
}
/** Speech segments (seconds) of a whole 16 kHz buffer, with a fresh detector state. */
export declare function detectSpeech(model: SileroVad, samples16k: Float32Array, options?: VadOptions): Promise<Array<{
    start: number;
    end: number;
}>>;
