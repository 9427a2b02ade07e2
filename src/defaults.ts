/**
 * Every default of decoding and serving, in one place (as pyctcdecode's `constants.py`). The library, the CLI
 * (values and help strings) and the server read them from here; nothing else writes these numbers.
 */

/** CTC prefix beam search with word-LM fusion; the values are pyctcdecode's. */
export const DECODING_DEFAULTS = {
  /** LM weight: `alpha · ln(10) · log10 P(word | history)` per completed word. */
  alpha: 0.5,
  /** Word insertion bonus (natural log) per completed word. */
  beta: 1.5,
  beamWidth: 100,
  /** Beams scoring below best + this are dropped. */
  beamPruneLogp: -10,
  /** Tokens below this log-probability do not extend beams (the frame's argmax always does). */
  tokenMinLogp: -5,
  /** log10 score of a word the LM does not know (pyctcdecode `unk_score_offset`). */
  unkScoreOffset: -10,
  /** Natural-log penalty of a partial word no LM unigram starts with. */
  partialOovPenalty: -10,
  hotwordWeight: 10,
  /** Beams returned (`--top`). */
  topN: 10,
} as const;

/** `ensemble serve`. */
export const SERVING_DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  maxBodyMb: 25,
  maxAudioSeconds: 600,
  /** Per-request time limit from arrival (upload and queue wait included). */
  timeoutMs: 120_000,
  /** On SIGTERM/SIGINT, the longest wait for requests in flight. */
  graceMs: 30_000,
  /** Requests allowed to wait for a slot, per concurrent slot. */
  queuePerSlot: 4,
} as const;

/** Live transcription over WebSocket (`GET /v1/stream`). */
export const STREAMING_DEFAULTS = {
  /** Concurrent streams per server (1013 "try later" beyond). */
  maxStreams: 16,
  /** Longest stream, in seconds of audio (1008 beyond). */
  maxStreamSeconds: 4 * 3600,
  /** A stream that sends nothing for this long is closed (1008). */
  idleTimeoutMs: 30_000,
  /** Largest binary message (1009 beyond): 2 s of 48 kHz float32. */
  maxFrameBytes: 384_000,
  /** A partial at most every this many seconds of new speech. */
  partialIntervalSeconds: 0.5,
  /** Speech already endpointed but not yet decoded, in seconds, before the stream is refused (1013). */
  maxPendingSeconds: 60,
  /** Endpointing: silence that ends an utterance (live captioning wants less than file segmentation). */
  minSilenceMs: 500,
  /** Audio kept before and after the detected speech (a soft first syllable is not cut). */
  speechPadMs: 250,
  /** The longest utterance before a forced endpoint. */
  maxUtteranceSeconds: 20,
  /** Accepted client sample rates (the resampler's range). */
  minSampleRate: 8000,
  maxSampleRate: 192_000,
} as const;
