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

/**
 * ONNX Runtime session settings (`LoadModelOptions.ort`, the CLI's `--intra-op-threads`, `--graph-optimization`,
 * `--execution-mode`). One intra-op thread per session: members run on threads of their own (member workers,
 * the serving pool), so more ORT threads only compete for the same cores; on the project's 2-core machine a
 * second intra-op thread gave no gain for the demo models (`npm run bench -- runtime`). Full graph
 * optimisation and sequential execution are ONNX Runtime's own defaults for these small conv/attention graphs.
 */
export const RUNTIME_DEFAULTS = {
  intraOpThreads: 1,
  interOpThreads: 1,
  graphOptimization: 'all',
  executionMode: 'sequential',
  /** Members of one request on one worker thread each: 'auto' when cores allow (see `useMemberWorkers`), 'on', 'off'. */
  parallelMembers: 'auto',
} as const;
