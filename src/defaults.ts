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
  /**
   * Request bodies being received at once. Uploads are read in full before a request asks for an
   * inference slot, so slow clients never hold one; this bounds their memory instead (× maxBodyMb).
   */
  maxUploads: 32,
  /** Longest pause between two chunks of a request body before 408. */
  uploadIdleMs: 10_000,
  /** Slowest accepted average upload rate (bytes/s) once `uploadGraceMs` have passed (408 below). */
  minUploadBytesPerSec: 4096,
  uploadGraceMs: 5_000,
  /**
   * After an early answer (413, 415, 503 …) the rest of the body is read and dropped, up to 2× the body
   * limit or this long, so that clients which send everything before reading still see the answer.
   */
  discardMs: 10_000,
} as const;

/**
 * Exit statuses of `ensemble serve` (README, HTTP service): 0 after a clean shutdown, 1 after an
 * unexpected error, 2 for bad options or an ensemble that cannot be loaded, `graceExpired` when the
 * shutdown grace period ran out and the requests still in flight were answered 503, `secondSignal` on a
 * second SIGTERM/SIGINT (128 + SIGINT, the shell's convention for an interrupted program).
 */
export const EXIT_CODES = {
  ok: 0,
  error: 1,
  usage: 2,
  graceExpired: 75,
  secondSignal: 130,
} as const;

/** Audio accepted by the decoders (WAV headers and ffmpeg output alike). */
export const AUDIO_LIMITS = {
  /** Sample rates outside [min, max] Hz are refused: below, a few bytes would claim hours of audio; above, no real recording. */
  minSampleRate: 1_000,
  maxSampleRate: 384_000,
} as const;

/**
 * ONNX Runtime session settings (`LoadModelOptions.ort`, the CLI's `--intra-op-threads`, `--graph-optimization`,
 * `--execution-mode`, `--allow-spinning`). One intra-op thread per session: members run on threads of their own
 * (member workers, the serving pool), each using a core, so more ORT threads would compete for the same cores (the
 * server gives each pool worker cores / workers threads). Full graph optimisation and sequential execution are ONNX
 * Runtime's own defaults for these small conv/attention graphs.
 */
export const RUNTIME_DEFAULTS = {
  intraOpThreads: 1,
  interOpThreads: 1,
  graphOptimization: 'all',
  executionMode: 'sequential',
  /**
   * Whether ORT's thread pools busy-wait for work (`session.intra_op.allow_spinning` and `session.inter_op.allow_spinning`;
   * only sessions with more than one thread have a pool). ONNX Runtime's default is on: after every run each pool
   * thread spins for about 40 ms of CPU. Off here: an ensemble runs several sessions one after another and a server
   * runs several at once, and the idle pools then take the cores the running session needs. Two intra-op threads per
   * member, 10 s of audio, against one thread (`npm run bench -- runtime`, "ONNX Runtime thread pools"; wall / CPU):
   * the demo ensemble 1.18 / 2.89 spinning, 0.98 / 1.03 not; production-size members (`BENCH_RUNTIME=scaled`) 0.76 /
   * 1.57 spinning, 0.63 / 1.12 not. One model alone runs faster spinning (models/en: 0.76 of one thread, at 4.4 × the CPU).
   */
  spinning: false,
  /** Members of one request on one worker thread each: 'auto' when cores allow (see `useMemberWorkers`), 'on', 'off'. */
  parallelMembers: 'auto',
  /**
   * Member runs scheduled on the cores (`runtime/member-workers.ts` `RunSlots`): one run beyond the cores starts when
   * sharing them is predicted to end the runs within `memberShareMargin` × waiting for a core + `memberWaitCostMs`.
   * Waiting costs what the prediction leaves out: the request's thread must take a turn to start the next run, which
   * then starts on a cold worker (the demo's small members lost 0.7–1.2 ms per request waiting where the prediction
   * said 1.6 ms would be saved); production-size members still wait (sharing predicted 72 ms against 61).
   */
  memberShareMargin: 1.1,
  memberWaitCostMs: 2,
} as const;

/**
 * Early routing (beyond NeMo; `--early-route S`). `minProbability` is the cascade's floor
 * (`--early-route-min-prob`, YAML `early_route_min_prob`): when the selector's top probability on the
 * S-second prefix is below it, the input escalates to full routing. 0 turns the cascade off (plain early
 * routing); 1 always routes fully. With the cascade on, an input no longer than S·M/(M−1) (M members) is
 * routed fully from the start: there early routing (M·S + L member seconds) costs at least full routing (M·L).
 */
export const EARLY_ROUTE_DEFAULTS = {
  minProbability: 0,
  /**
   * The domain gate's floor (`--domain-gate P`, YAML `domain_gate_min_prob`, ensemble/domain-gate.ts): 0 = off.
   * When on, an input whose domain gate (acoustic signature) names a member with probability ≥ P runs that member only.
   */
  domainGateMinProb: 0,
  /** Pruning by the gate (`--domain-gate-prune E`, YAML `domain_gate_prune`): members it gives < E do not run. 0 = off. */
  domainGatePrune: 0,
  /**
   * Verification of the gate's decisions (YAML `domain_gate_verify_false_accept`, used by `ensemble build`): the
   * gate stores per member the confidence that only this share of the other domains' dev utterances reach under
   * that member (a false-accept rate, as a verification threshold is set); a gated input whose member's whole-input
   * confidence is below its floor goes on to the fallback. 0 = no floors (the gate's decision is final).
   */
  domainGateVerifyFalseAccept: 0.01,
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
