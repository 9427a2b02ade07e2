/** One JSON record per utterance (`--json`). */
export function resultRecord(r, extra = {}, all = false) {
    const o = {
        ...extra,
        text: r.text,
        model: r.model,
        probabilities: r.probabilities,
        confidences: r.confidences,
        decoding: r.decoding ?? 'greedy',
        audioSeconds: r.audioSeconds,
        timingsMs: r.timingsMs,
    };
    if (all && r.transcripts)
        o.transcripts = r.transcripts;
    if (r.earlyRoute)
        o.earlyRoute = r.earlyRoute;
    if (r.segments) {
        o.route = r.route;
        o.segments = r.segments.map((s) => segmentRecord(s));
    }
    return o;
}
/** One segment as JSON (also a `--format jsonl` line, with the file name in `extra`). */
export function segmentRecord(s, extra = {}) {
    const o = {
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
    if (s.transcripts)
        o.transcripts = s.transcripts;
    return o;
}
/** The input line's fields as they were (rebuilt from the parsed fields when the raw line is not kept). */
export function entryFields(e) {
    if (e.raw)
        return { ...e.raw };
    const fields = { audio_filepath: e.audioFilepath };
    if (e.offset !== undefined && e.offset !== null)
        fields.offset = e.offset;
    if (e.duration !== null)
        fields.duration = e.duration;
    if (e.text !== null)
        fields.text = e.text;
    return fields;
}
/** The manifest record of one result: the input line's fields, `pred_text`, and ours under `ensemble`. */
export function manifestRecord(e, r, all = false) {
    const { text: _text, ...ours } = resultRecord(r, {}, all);
    void _text;
    return { ...entryFields(e), pred_text: r.text, ensemble: ours };
}
/** The record of one manifest entry whose audio failed (batch `collect`): its fields and the error. */
export function failedRecord(e, error) {
    return { ...entryFields(e), error };
}
/**
 * Transcribe one manifest entry and build its record. `audio` is the entry's audio (its path, or bytes fetched
 * elsewhere); `options` pass through to the transcriber unchanged.
 */
export async function transcribeEntry(transcriber, e, audio, options) {
    // NeMo's offset/duration: only that span of the file (an entry without offset is the whole file).
    const span = e.offset !== undefined && e.offset !== null ? { offsetSeconds: e.offset, durationSeconds: e.duration ?? undefined } : {};
    const r = await transcriber.transcribe(audio, { ...options, ...span });
    return manifestRecord(e, r, options.all);
}
//# sourceMappingURL=records.js.map