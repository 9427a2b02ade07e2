/**
 * The JSON record of one transcribed utterance, as `ensemble infer --json` / `--manifest` print it, and the
 * per-manifest-entry step (transcribe + record) that `infer --manifest` and the batch queue's workers share,
 * so a result is the same whichever of the two produced it. Manifest records have the shape NeMo's
 * transcribe_speech.py writes and speech_to_text_eval.py reads: every field of the input line as it was, plus
 * `pred_text`; what this tool adds (chosen model, probabilities, confidences, timings, member transcripts) sits
 * under `ensemble`.
 */
import type { ManifestEntry } from './manifest.js';
import type { EnsembleResult, SegmentResult, TranscribeOptions } from './types.js';

/** Anything that transcribes like an `Ensemble` (the in-thread ensemble, a worker-thread pool). */
export interface EntryTranscriber {
  transcribe(audio: string | Uint8Array, options: TranscribeOptions): Promise<EnsembleResult>;
}

/** One JSON record per utterance (`--json`). */
export function resultRecord(r: EnsembleResult, extra: Record<string, unknown> = {}, all = false): Record<string, unknown> {
  const o: Record<string, unknown> = {
    ...extra,
    text: r.text,
    model: r.model,
    probabilities: r.probabilities,
    confidences: r.confidences,
    decoding: r.decoding ?? 'greedy',
    audioSeconds: r.audioSeconds,
    timingsMs: r.timingsMs,
  };
  if (all && r.transcripts) o.transcripts = r.transcripts;
  if (r.earlyRoute) o.earlyRoute = r.earlyRoute;
  if (r.segments) {
    o.route = r.route;
    o.segments = r.segments.map((s) => segmentRecord(s));
  }
  return o;
}

/** One segment as JSON (also a `--format jsonl` line, with the file name in `extra`). */
export function segmentRecord(s: SegmentResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const o: Record<string, unknown> = {
    ...extra,
    index: s.index,
    start: s.start,
    end: s.end,
    text: s.text,
    model: s.model,
    probabilities: s.probabilities,
    confidences: s.confidences,
    decoding: s.decoding,
    words: s.words,
  };
  if (s.transcripts) o.transcripts = s.transcripts;
  return o;
}

/** What of a manifest line a record carries (the batch queue keeps exactly these in each job). */
export type RecordEntry = Pick<ManifestEntry, 'audioFilepath' | 'duration' | 'text'> & { offset?: number | null; raw?: Record<string, unknown> };

/** The input line's fields as they were (rebuilt from the parsed fields when the raw line is not kept). */
export function entryFields(e: RecordEntry): Record<string, unknown> {
  if (e.raw) return { ...e.raw };
  const fields: Record<string, unknown> = { audio_filepath: e.audioFilepath };
  if (e.offset !== undefined && e.offset !== null) fields.offset = e.offset;
  if (e.duration !== null) fields.duration = e.duration;
  if (e.text !== null) fields.text = e.text;
  return fields;
}

/** The manifest record of one result: the input line's fields, `pred_text`, and ours under `ensemble`. */
export function manifestRecord(e: RecordEntry, r: EnsembleResult, all = false): Record<string, unknown> {
  const { text: _text, ...ours } = resultRecord(r, {}, all);
  void _text;
  return { ...entryFields(e), pred_text: r.text, ensemble: ours };
}

/** The record of one manifest entry whose audio failed (batch `collect`): its fields and the error. */
export function failedRecord(e: RecordEntry, error: string): Record<string, unknown> {
  return { ...entryFields(e), error };
}

/**
 * Transcribe one manifest entry and build its record. `audio` is the entry's audio (its path, or bytes fetched
 * elsewhere); `options` pass through to the transcriber unchanged.
 */
export async function transcribeEntry(
  transcriber: EntryTranscriber,
  e: RecordEntry,
  audio: string | Uint8Array,
  options: TranscribeOptions,
): Promise<Record<string, unknown>> {
  // NeMo's offset/duration: only that span of the file (an entry without offset is the whole file).
  const span = e.offset !== undefined && e.offset !== null ? { offsetSeconds: e.offset, durationSeconds: e.duration ?? undefined } : {};
  const r = await transcriber.transcribe(audio, { ...options, ...span });
  return manifestRecord(e, r, options.all);
}
