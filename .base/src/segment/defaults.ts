/**
 * Defaults of voice-activity detection and long-form segmentation (`src/segment`). The detector values
 * start from Silero's `get_speech_timestamps` (threshold 0.5, negative threshold = threshold − 0.15) with
 * longer minimum silence and padding suited to ASR segments; the boundary error they give on real speech
 * is measured in the README ("Long recordings").
 */
export const VAD_DEFAULTS = {
  /** Speech probability at or above which a window is speech. */
  threshold: 0.4,
  /** Speech ends only when the probability falls below threshold − this (hysteresis). */
  negThresholdGap: 0.15,
  /** Speech shorter than this is dropped (ms). */
  minSpeechMs: 250,
  /** Silence must last this long to end a segment (ms). */
  minSilenceMs: 300,
  /** Added before and after each segment (ms); never overlaps the neighbour. */
  speechPadMs: 100,
  /** Longer speech is split at the least-speech point of the last `splitWindowSeconds` before this (s). */
  maxSegmentSeconds: 20,
  /** Width of the window (s) searched for the split point, ending at `maxSegmentSeconds`. */
  splitWindowSeconds: 5,
} as const;

/** Silero VAD v4 works on 16 kHz audio in windows of 512 samples (32 ms). */
export const VAD_SAMPLE_RATE = 16000;
export const VAD_WINDOW = 512;

/** Long-form transcription (`ensemble infer` on long files, the server). */
export const LONGFORM_DEFAULTS = {
  /** 'file': one member for the whole file; 'segment': each segment routed on its own. */
  route: 'file' as 'file' | 'segment',
  /** Audio read per chunk (s). */
  chunkSeconds: 1,
} as const;

/** Subtitle cues (SRT / WebVTT): at most this many lines of this many characters, lasting at most this long. */
export const SUBTITLE_DEFAULTS = {
  maxLines: 2,
  maxLineChars: 42,
  maxCueSeconds: 7,
} as const;
