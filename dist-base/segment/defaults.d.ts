/**
 * Defaults of voice-activity detection and long-form segmentation (`src/segment`). The detector values
 * start from Silero's `get_speech_timestamps` (threshold 0.5, negative threshold = threshold − 0.15) with
 * longer minimum silence and padding suited to ASR segments; the boundary error they give on real speech
 * is measured in the README ("Long recordings").
 */
export declare const VAD_DEFAULTS: {
    /** Speech probability at or above which a window is speech. */
    readonly threshold: 0.4;
    /** Speech ends only when the probability falls below threshold − this (hysteresis). */
    readonly negThresholdGap: 0.15;
    /** Speech shorter than this is dropped (ms). */
    readonly minSpeechMs: 250;
    /** Silence must last this long to end a segment (ms). */
    readonly minSilenceMs: 300;
    /** Added before and after each segment (ms); never overlaps the neighbour. */
    readonly speechPadMs: 100;
    /** Longer speech is split at the least-speech point of the last `splitWindowSeconds` before this (s). */
    readonly maxSegmentSeconds: 20;
    /** Width of the window (s) searched for the split point, ending at `maxSegmentSeconds`. */
    readonly splitWindowSeconds: 5;
};
/** Silero VAD v4 works on 16 kHz audio in windows of 512 samples (32 ms). */
export declare const VAD_SAMPLE_RATE = 16000;
export declare const VAD_WINDOW = 512;
/** Long-form transcription (`ensemble infer` on long files, the server). */
export declare const LONGFORM_DEFAULTS: {
    /** 'file': one member for the whole file; 'segment': each segment routed on its own. */
    readonly route: "file" | "segment";
    /** Audio read per chunk (s). */
    readonly chunkSeconds: 1;
};
/** Subtitle cues (SRT / WebVTT): at most this many lines of this many characters, lasting at most this long. */
export declare const SUBTITLE_DEFAULTS: {
    readonly maxLines: 2;
    readonly maxLineChars: 42;
    readonly maxCueSeconds: 7;
};
