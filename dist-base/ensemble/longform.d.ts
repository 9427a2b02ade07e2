import type { Ensemble } from './ensemble.js';
import type { EnsembleResult, SegmentResult, TranscribeOptions } from './types.js';
export type RouteMode = 'file' | 'segment';
export type { SegmentResult };
export interface LongFormOptions extends TranscribeOptions {
    /** Cancels between segments (the promise rejects with the signal's reason). */
    signal?: AbortSignal;
    /** Each segment's result as soon as it is final. */
    onSegment?: (segment: SegmentResult) => void | Promise<void>;
    /** Audio seconds processed so far, and the total when known (for progress bars). */
    onProgress?: (done: number, total: number | null) => void;
}
/** `EnsembleResult` with the segments and the routing mode always present. */
export type LongFormResult = EnsembleResult & {
    route: RouteMode;
    segments: SegmentResult[];
    decoding: 'greedy' | 'lm';
};
export declare class LongFormTranscriber {
    readonly ensemble: Ensemble;
    constructor(ensemble: Ensemble);
    private frameSeconds;
    private words;
    /** The whole input when it is short enough to be one segment and `readShortAudio` can read it; else null. */
    private shortInput;
    transcribe(input: string | Uint8Array | Float32Array, options?: LongFormOptions): Promise<LongFormResult>;
}
