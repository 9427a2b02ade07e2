import type { WordTiming } from './timestamps.js';
export interface Cue {
    start: number;
    end: number;
    lines: string[];
}
export interface CueOptions {
    maxLines?: number;
    maxLineChars?: number;
    maxCueSeconds?: number;
}
/** Pack the words of each segment into cues. */
export declare function buildCues(segments: ReadonlyArray<{
    words?: readonly WordTiming[];
}>, options?: CueOptions): Cue[];
export declare function toSrt(cues: readonly Cue[]): string;
export declare function toVtt(cues: readonly Cue[]): string;
