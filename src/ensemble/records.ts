/**
 * The JSON record of one transcribed utterance, as `ensemble infer --json` / `--manifest` print it, and the
 * per-manifest-entry step (transcribe + record) that `infer --manifest` and the batch queue's workers share,
 * so a result is the same whichever of the two produced it.
 */
import type { ManifestEntry } from './manifest.js';
import type { EnsembleResult, TranscribeOptions } from './types.js';

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
  return o;
}

/** What of a manifest line a record carries (the batch queue keeps exactly these in each job). */
export type RecordEntry = Pick<ManifestEntry, 'audioFilepath' | 'duration' | 'text'>;

/** The fields a manifest entry contributes to its record: `audio_filepath`, `duration`, and later `reference`. */
export function entryFields(e: RecordEntry): Record<string, unknown> {
  const extra: Record<string, unknown> = { audio_filepath: e.audioFilepath };
  if (e.duration !== null) extra.duration = e.duration;
  return extra;
}

/** The record of one manifest entry whose audio failed (batch `collect`): its fields and the error. */
export function failedRecord(e: RecordEntry, error: string): Record<string, unknown> {
  const rec: Record<string, unknown> = { ...entryFields(e), error };
  if (e.text !== null) rec.reference = e.text;
  return rec;
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
  const r = await transcriber.transcribe(audio, options);
  const rec = resultRecord(r, entryFields(e), options.all);
  if (e.text !== null) rec.reference = e.text;
  return rec;
}
