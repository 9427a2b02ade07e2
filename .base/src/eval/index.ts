// ctc-ensemble/eval: WER/CER, selection accuracy, confusion, calibration, reports.
export { evaluate, scoreSystems, scoreSelection, scoreEarlyRoute, earlyRouteOutcome, confidenceSummaries } from './evaluate.js';
export type {
  EvalTranscriber,
  TestSet,
  EvaluateOptions,
  EvalReport,
  UtteranceRecord,
  RateCell,
  SystemResult,
  ConfidenceSummary,
  EarlyRouteScore,
  EscalationCount,
} from './evaluate.js';
export { normalizeText, align, wordErrors, charErrors, errorRate, addCounts, zeroCounts, wer, cer } from './wer.js';
export type { ErrorCounts, Alignment, AlignOp } from './wer.js';
export { confusionMatrix, accuracyFromConfusion, reliability, oracleChoice } from './metrics.js';
export type { ClassAccuracy, Reliability, ReliabilityBin } from './metrics.js';
export { renderMarkdown, renderHtml, writeReports } from './report.js';
export { tuneLm, DEFAULT_TUNE_ALPHAS, DEFAULT_TUNE_BETAS, type TuneLmOptions, type TuneLmResult, type TuneLmMemberResult } from './tune-lm.js';
