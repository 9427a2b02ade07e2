/**
 * Long-form transcription: audio of any length through the ensemble one speech segment at a time.
 *
 * The audio is streamed (`openAudioStream`: WAV read in chunks, other containers piped out of ffmpeg,
 * `maxSeconds` enforced while decoding), cut by the voice-activity detector (`segmentStream`; files within
 * `maxSegmentSeconds` stay one whole segment), and each segment runs through the members and is dropped
 * before the next is read. Memory is bounded by the longest segment (the members are quadratic in their
 * input, so this also keeps time linear in the file's length), never by the file.
 *
 * Routing:
 * - `route: 'segment'`: each segment gets its own selector decision and is decoded by the member chosen
 *   for it; results stream out (`onSegment`) as each segment finishes.
 * - `route: 'file'` (default): one decision from the confidences of all segments aggregated as the
 *   confidence spec aggregates frames — `mean`: the mean of the segment means weighted by the frames
 *   each counted (non-blank argmax frames with `excludeBlank`, else all; an all-blank segment counts its
 *   one kept frame), which is the mean over all kept frames of the file; `min`/`max`/`prod`: min/max/
 *   product of the segments'. With one segment it is that segment's confidence, so a short file gives
 *   exactly the result `Ensemble.transcribe` gives. Greedy output needs one pass: every member's greedy
 *   tokens of every segment are kept (a few bytes per token, never posteriors) and the chosen member's
 *   are printed. With the LM a second pass re-reads the segments' spans and runs only the chosen member,
 *   so no posteriors are ever held beyond one segment; results stream out during that pass.
 * - Early routing (`earlyRouteLong`, from `Ensemble.transcribe` with `earlyRouteSeconds` on long input): route 'file'
 *   decides on the first S seconds of speech and runs only the chosen member from then on (one pass, LM included);
 *   route 'segment' routes each segment longer than S on its first S seconds.
 *
 * The Silero session is loaded on first need and shared by the process (`SileroVad.load`); each
 * transcription has its own recurrent state.
 *
 * Times are seconds of the original file (a manifest `offset` included); word times come from the CTC
 * alignment (`wordTimings`).
 */
import { alphabetFor } from '../decoding/prefix-beam-search.js';
import { openAudioStream, readShortAudio, type AudioStream } from '../audio/stream.js';
import { LONGFORM_DEFAULTS } from '../segment/defaults.js';
import { segmentStream, type SegmentOptions, type SpeechSegment } from '../segment/segmenter.js';
import { SileroVad } from '../segment/silero.js';
import { resolveVadOptions } from '../segment/vad.js';
import { wordTimings, type WordTiming } from '../segment/timestamps.js';
import type { RunTimings } from './runner.js';
import type { Logprobs } from '../models/types.js';
import { computeConfidence } from '../confidence/index.js';
import type { SelectorFeatureAccumulator } from '../selector/features.js';
import { UserError } from '../util/errors.js';
import type { Ensemble } from './ensemble.js';
import { DecodedAudio } from './runner.js';
import type { EnsembleResult, SegmentResult, TranscribeOptions } from './types.js';

export type RouteMode = 'file' | 'segment';
export type { SegmentResult };

export interface LongFormOptions extends TranscribeOptions {
  /** Cancels between segments (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Each segment's result as soon as it is final. */
  onSegment?: (segment: SegmentResult) => void | Promise<void>;
  /** Audio seconds processed so far, and the total when known (for progress bars). */
  onProgress?: (done: number, total: number | null) => void;
  /**
   * The acoustic summary (`AcousticSummary.features()`) of exactly these samples when the caller already computed
   * it (the domain gate, for the input it passes on): used for the selector of a whole input instead of computing
   * it again; ignored for segmented audio.
   */
  acousticSummary?: readonly number[];
  /**
   * These very samples already decoded (the domain gate's, for the input it passes on): when they are the one
   * whole segment, its resampled copies, front-end features and acoustic frames are used instead of computed again.
   */
  wholeAudio?: DecodedAudio;
  /**
   * Early routing of segmented audio (set by `Ensemble.transcribe` for input longer than the maximum segment, with
   * `earlyRouteSeconds`): the seconds of speech routed on and the cascade's floor (0: none).
   */
  earlyRouteLong?: { seconds: number; minProbability: number };
}

type Selection = ReturnType<Ensemble['select']>;

/** `EnsembleResult` with the segments and the routing mode always present. */
export type LongFormResult = EnsembleResult & { route: RouteMode; segments: SegmentResult[]; decoding: 'greedy' | 'lm' };

/** Per member: the statistic the confidence aggregation needs across segments. */
interface ConfidenceAccumulator {
  value: number;
  weight: number;
}

function accumulate(acc: ConfidenceAccumulator | undefined, c: number, w: number, agg: string): ConfidenceAccumulator {
  if (!acc) return { value: c, weight: w };
  switch (agg) {
    case 'mean':
      return { value: (acc.value * acc.weight + c * w) / (acc.weight + w), weight: acc.weight + w };
    case 'min':
      return { value: Math.min(acc.value, c), weight: acc.weight + w };
    case 'max':
      return { value: Math.max(acc.value, c), weight: acc.weight + w };
    default:
      return { value: acc.value * c, weight: acc.weight + w };
  }
}

/** Frames the confidence aggregation counts (NeMo: non-blank argmax frames with exclude_blank; ≥ 1). */
function countedFrames(tokensFrames: { firstFrames: number[]; lastFrames: number[] }, frames: number, excludeBlank: boolean): number {
  if (!excludeBlank) return frames;
  let n = 0;
  for (let i = 0; i < tokensFrames.firstFrames.length; i++) n += tokensFrames.lastFrames[i] - tokensFrames.firstFrames[i] + 1;
  return Math.max(1, n);
}

interface Decoded {
  text: string;
  tokens: number[];
  firstFrames: number[];
  lastFrames: number[];
  decoding: 'lm' | 'greedy';
  frames: number;
}

export class LongFormTranscriber {
  constructor(readonly ensemble: Ensemble) {}

  private frameSeconds(index: number, lp: { frames: number }, segmentSamples: number, rate: number): number {
    const m = this.ensemble.memberModel(index);
    if (m.frameSamples) return m.frameSamples / m.frontEnd.sampleRate;
    return lp.frames > 0 ? segmentSamples / rate / lp.frames : 0;
  }

  private words(index: number, d: Decoded, frameSeconds: number, offset: number, end: number): WordTiming[] {
    const m = this.ensemble.memberModel(index);
    const alphabet = alphabetFor(m.vocabulary, m.blankId, m.tokenizer.lowerCase);
    return wordTimings(alphabet, d.tokens, d.firstFrames, d.lastFrames, frameSeconds, offset, end);
  }

  /** The whole input when it is short enough to be one segment and `readShortAudio` can read it; else null. */
  private async shortInput(
    input: string | Uint8Array | Float32Array,
    options: LongFormOptions,
    source: string,
  ): Promise<{ mono: Float32Array; sampleRate: number } | null> {
    if (options.vad?.segmentShort) return null;
    let upTo: number;
    try {
      upTo = resolveVadOptions(options.vad).maxSegmentSeconds;
    } catch {
      return null; // the segmenter reports bad VAD options where it always did
    }
    return readShortAudio(input, upTo, { ...options, source });
  }

  async transcribe(input: string | Uint8Array | Float32Array, options: LongFormOptions = {}): Promise<LongFormResult> {
    const route = options.route ?? LONGFORM_DEFAULTS.route;
    if (route !== 'file' && route !== 'segment') throw new UserError(`route must be "file" or "segment", got "${String(route)}"`, { code: 'E_OPTIONS' });
    if (options.beam !== undefined && (!Number.isInteger(options.beam) || options.beam < 1)) {
      throw new UserError(`beam must be a positive integer, got ${options.beam}`, { code: 'E_OPTIONS' });
    }
    const source = options.source ?? (typeof input === 'string' ? input : 'audio');
    const t0 = performance.now();
    const timings = { read: 0, models: 0, confidence: 0, selector: 0, decode: 0, total: 0 };
    const run: RunTimings = { resample: 0, features: 0, models: 0 };
    const ens = this.ensemble;
    const names = ens.names;
    const spec = ens.confidenceSpec;
    const offset = options.offsetSeconds ?? 0;
    const open = (): Promise<AudioStream> =>
      openAudioStream(input, {
        source,
        sampleRate: options.sampleRate,
        maxSeconds: options.maxSeconds,
        offsetSeconds: options.offsetSeconds,
        durationSeconds: options.durationSeconds,
        chunkSeconds: LONGFORM_DEFAULTS.chunkSeconds,
      });
    // Audio within the maximum segment length is one whole segment whichever way it is read: read it at once
    // (no stream, no chunk loop, no detector) when that gives the same samples (`readShortAudio`).
    const short = await this.shortInput(input, options, source);
    const stream = short ? null : await open();
    let total: number | null = short ? short.mono.length / short.sampleRate : stream!.totalSamples !== null ? stream!.totalSamples / stream!.sampleRate : null;
    let read = 0;
    const segOptions: SegmentOptions = {
      ...options.vad,
      signal: options.signal,
      onRead: (s) => {
        read = s;
      },
    };
    const speech = short ? wholeSegment(short.mono, short.sampleRate, segOptions) : segmentStream(stream!, () => SileroVad.load(), segOptions);
    const useLm = options.lm === true;
    const members = names.map((_, i) => i);
    const segments: SegmentResult[] = [];
    const accs: Array<ConfidenceAccumulator | undefined> = members.map(() => undefined);
    // The selector's inputs beyond the confidences (when it has any): per file, or per segment below.
    let fileFeatures = route === 'file' ? ens.selectorFeatures() : null;
    const emit = async (r: SegmentResult): Promise<void> => {
      segments.push(r);
      if (options.onSegment) await options.onSegment(r);
    };
    const checkAbort = (): void => {
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted');
    };

    // Pass 1 state for route 'file': per segment its span and every member's greedy tokens.
    // A whole input (`seg.whole`) is the only segment: its posteriors are kept (bounded by the maximum segment) so
    // that only the chosen member's tokens are computed and the LM pass needs no second model pass.
    const pass1: Array<{
      seg: Omit<SpeechSegment, 'samples'>;
      decoded: Array<Decoded | undefined>;
      frameSec: number[];
      conf: number[];
      lps?: Logprobs[];
    }> = [];
    let tRead = performance.now();
    let audioSeconds = 0;

    /** Every member on `audio`, scored into `features` while they run (`Ensemble.scoreMembers`), timed. */
    const score = async (audio: DecodedAudio, features: SelectorFeatureAccumulator | null, acoustic?: readonly number[]) => {
      const t = performance.now();
      const scored = await ens.scoreMembers(audio, features, run, acoustic);
      timings.models += performance.now() - t - scored.scoringMs;
      timings.confidence += scored.scoringMs;
      return scored;
    };

    /** Member `i`'s greedy tokens of `lp`, its confidence `c` added to `target` weighted as the file's aggregation counts. */
    const accumulateTokens = async (target: Array<ConfidenceAccumulator | undefined>, i: number, lp: Logprobs, c: number): Promise<Decoded> => {
      const d = { ...(await ens.memberTokens(i, lp, { lm: false })), frames: lp.frames };
      target[i] = accumulate(target[i], c, countedFrames(d, d.frames, spec.excludeBlank), spec.aggregation);
      return d;
    };

    /**
     * One segment decoded by the member chosen for it (`sel`: its decision, whose probabilities and confidences the
     * result carries), every member with `all`; `reuse`: every member's posteriors on all of it, already computed.
     */
    const decodeChosen = async (seg: SpeechSegment, audio: DecodedAudio, sel: Selection, reuse?: Logprobs[]): Promise<void> => {
      const chosen = sel.modelIndex;
      const which = options.all ? members : [chosen];
      let t = performance.now();
      const lps = reuse ? which.map((i) => reuse[i]) : await ens.posteriors(audio, which, run);
      timings.models += performance.now() - t;
      t = performance.now();
      const outs = new Map<number, Decoded>();
      for (let j = 0; j < which.length; j++)
        outs.set(which[j], { ...(await ens.memberTokens(which[j], lps[j], { lm: useLm, beam: options.beam })), frames: lps[j].frames });
      const d = outs.get(chosen)!;
      const start = offset + seg.start;
      const end = offset + seg.end;
      const r: SegmentResult = {
        index: seg.index,
        start: round(start),
        end: round(end),
        text: d.text,
        model: names[chosen],
        modelIndex: chosen,
        probabilities: sel.probabilities,
        confidences: sel.confidences,
        decoding: d.decoding,
        words: this.words(chosen, d, this.frameSeconds(chosen, lps[which.indexOf(chosen)], seg.samples.length, seg.sampleRate), start, end),
      };
      if (options.all) r.transcripts = which.map((i) => ({ model: names[i], text: outs.get(i)!.text }));
      timings.decode += performance.now() - t;
      await emit(r);
    };

    /**
     * The ordinary routing of one segment: every member on all of it (`reuse`: their posteriors, already computed on
     * these very samples); route 'segment' decides and emits it, route 'file' keeps it for the file's decision.
     */
    const routeSegment = async (seg: SpeechSegment, audio: DecodedAudio, reuse?: Logprobs[]): Promise<void> => {
      const segFeatures = route === 'segment' ? ens.selectorFeatures() : fileFeatures;
      let lps: Logprobs[];
      let conf: number[];
      if (reuse) {
        const t = performance.now();
        lps = reuse;
        conf = lps.map((lp, i) => computeConfidence(lp.data, lp.frames, lp.vocabSize, ens.memberModel(i).blankId, spec));
        ens.addSelectorFeatures(segFeatures, audio, lps);
        timings.confidence += performance.now() - t;
      } else {
        ({ lps, conf } = await score(audio, segFeatures, seg.whole ? options.acousticSummary : undefined));
      }
      if (route === 'segment') {
        const t = performance.now();
        const sel = ens.select(conf, segFeatures);
        timings.selector += performance.now() - t;
        await decodeChosen(seg, audio, sel, lps);
        return;
      }
      const t = performance.now();
      const frameSec = lps.map((lp, i) => this.frameSeconds(i, lp, seg.samples.length, seg.sampleRate));
      const decoded: Array<Decoded | undefined> = [];
      for (const i of members) {
        if (seg.whole && !options.all) {
          // The only segment: the file's confidence is this one (its frame weight never counts).
          accs[i] = accumulate(accs[i], conf[i], 1, spec.aggregation);
          decoded.push(undefined);
          continue;
        }
        decoded.push(await accumulateTokens(accs, i, lps[i], conf[i]));
      }
      const { samples: _drop, ...span } = seg;
      pass1.push({ seg: span, decoded, frameSec, conf, lps: seg.whole ? lps : undefined });
      timings.decode += performance.now() - t;
    };

    // Early routing (`earlyRouteLong`). Route 'file': every member on the first S seconds of speech (the first
    // segments, the last of them cut), one decision from those confidences (aggregated as the file's would be), then
    // only the chosen member on every segment. The segments until the decision are held (at most S seconds of speech
    // plus one segment). Route 'segment': each segment longer than S is routed on its first S seconds.
    const early = options.earlyRouteLong;
    const cascade = early !== undefined && early.minProbability > 0;
    let decided: Selection | null = null;
    let escalated: number | null = null; // the prefix's top probability when it fell below the floor
    const held: Array<{ seg: SpeechSegment; audio: DecodedAudio; reuse?: Logprobs[] }> = [];
    const prefixAccs: Array<ConfidenceAccumulator | undefined> = members.map(() => undefined);
    let prefixSeconds = 0;
    /** The held segments through the ordinary path, with a fresh accumulator of the file's selector inputs. */
    const routeHeldFully = async (): Promise<void> => {
      fileFeatures = ens.selectorFeatures();
      for (const h of held.splice(0)) await routeSegment(h.seg, h.audio, h.reuse);
    };
    const decide = async (): Promise<void> => {
      const t = performance.now();
      const sel = ens.select(
        prefixAccs.map((x) => x!.value),
        fileFeatures,
      );
      timings.selector += performance.now() - t;
      const top = Math.max(...Object.values(sel.probabilities));
      if (cascade && top < early!.minProbability) {
        escalated = top;
        await routeHeldFully();
        return;
      }
      decided = sel;
      for (const h of held.splice(0)) await decodeChosen(h.seg, h.audio, sel, h.reuse);
    };
    const earlySegment = async (seg: SpeechSegment, audio: DecodedAudio): Promise<boolean> => {
      if (!early) return false;
      if (route === 'segment') {
        const piece = audio.prefix(Math.max(early.seconds, ens.minSeconds()));
        if (piece === audio) return false; // no longer than S: routed fully, exactly
        const features = ens.selectorFeatures();
        const sel = ens.select((await score(piece, features)).conf, features);
        if (cascade && Math.max(...Object.values(sel.probabilities)) < early.minProbability) return false;
        await decodeChosen(seg, audio, sel);
        return true;
      }
      if (escalated !== null) return false;
      if (decided) {
        await decodeChosen(seg, audio, decided);
        return true;
      }
      // A remainder shorter than every member accepts adds nothing: the prefix is complete.
      const remaining = early.seconds - prefixSeconds;
      if (held.length > 0 && remaining < ens.minSeconds()) {
        await decide();
        return earlySegment(seg, audio);
      }
      const piece = audio.prefix(Math.max(remaining, ens.minSeconds()));
      const scored = await score(piece, fileFeatures);
      for (const i of members) await accumulateTokens(prefixAccs, i, scored.lps[i], scored.conf[i]);
      held.push({ seg, audio, reuse: piece === audio ? scored.lps : undefined });
      prefixSeconds += piece.seconds;
      if (prefixSeconds >= early.seconds - 1e-9) await decide();
      return true;
    };

    for await (const seg of speech) {
      timings.read += performance.now() - tRead;
      checkAbort();
      if (seg.whole) ens.checkLength(seg.samples.length, seg.sampleRate, source);
      else if (seg.samples.length / seg.sampleRate < ens.minSeconds()) continue;
      const audio = seg.whole && options.wholeAudio?.mono === seg.samples ? options.wholeAudio : new DecodedAudio(seg.samples, seg.sampleRate);
      if (!(await earlySegment(seg, audio))) await routeSegment(seg, audio);
      audioSeconds = Math.max(audioSeconds, read);
      options.onProgress?.(route === 'file' && useLm && !decided ? read / 2 : read, total);
      tRead = performance.now();
    }
    // Less speech than S: every member ran on all of it, so the file is routed fully, exactly as without early routing.
    if (held.length > 0) await routeHeldFully();
    audioSeconds = read;
    if (total === null) total = read;

    // Early routing decided on the prefix: the file's result is that decision (its probabilities and confidences).
    let fileSel: Selection | null = decided;
    if (decided) prefixAccs.forEach((a, i) => (accs[i] = a));
    if (route === 'file' && pass1.length > 0) {
      const t = performance.now();
      fileSel = ens.select(
        accs.map((a) => a!.value),
        fileFeatures,
      );
      const chosen = fileSel.modelIndex;
      timings.selector += performance.now() - t;
      const confOf = (c: number[]): Record<string, number> => Object.fromEntries(names.map((n, i) => [n, c[i]]));
      const probabilities = fileSel.probabilities;
      // One segment's result from the chosen member's decoding `d` (pass 1, or pass 2 with the LM).
      const segmentResult = (p: (typeof pass1)[number], d: Decoded, decoding: SegmentResult['decoding']): SegmentResult => {
        const start = offset + p.seg.start;
        const end = offset + p.seg.end;
        return {
          index: p.seg.index,
          start: round(start),
          end: round(end),
          text: d.text,
          model: names[chosen],
          modelIndex: chosen,
          probabilities,
          confidences: confOf(p.conf),
          decoding,
          words: this.words(chosen, d, p.frameSec[chosen], start, end),
        };
      };
      if (!useLm) {
        for (const p of pass1) {
          const d = p.decoded[chosen] ?? { ...(await ens.memberTokens(chosen, p.lps![chosen], { lm: false })), frames: p.lps![chosen].frames };
          const r = segmentResult(p, d, 'greedy');
          if (options.all) r.transcripts = p.decoded.map((x, i) => ({ model: names[i], text: x!.text }));
          await emit(r);
        }
      } else {
        // Pass 2: re-read the segments' spans; only the chosen member (all with `all`) runs again. A whole input
        // kept its posteriors: nothing to re-read or re-run.
        const which = options.all ? members : [chosen];
        let k = 0;
        const spans = pass1.map((p) => [p.seg.startSample, p.seg.endSample] as const);
        const kept = pass1.length === 1 && pass1[0].lps !== undefined;
        for await (const samples of kept ? oneArray(new Float32Array(0)) : readSpans(await open(), spans)) {
          checkAbort();
          const p = pass1[k++];
          let t2 = performance.now();
          const lps = kept ? which.map((i) => p.lps![i]) : await ens.posteriors(new DecodedAudio(samples, p.seg.sampleRate), which, run);
          timings.models += performance.now() - t2;
          t2 = performance.now();
          const outs = new Map<number, Decoded>();
          for (let j = 0; j < which.length; j++) {
            outs.set(which[j], { ...(await ens.memberTokens(which[j], lps[j], { lm: true, beam: options.beam })), frames: lps[j].frames });
          }
          const d = outs.get(chosen)!;
          const r = segmentResult(p, d, d.decoding);
          if (options.all) r.transcripts = which.map((i) => ({ model: names[i], text: outs.get(i)!.text }));
          timings.decode += performance.now() - t2;
          await emit(r);
          options.onProgress?.(audioSeconds / 2 + (p.seg.end / Math.max(1e-9, audioSeconds)) * (audioSeconds / 2), total);
        }
      }
    }
    options.onProgress?.(audioSeconds, total);

    const text = segments
      .map((s) => s.text)
      .filter((s) => s !== '')
      .join(' ');
    let modelIndex: number;
    let probabilities: Record<string, number>;
    let confidences: Record<string, number>;
    if (fileSel) {
      ({ modelIndex, probabilities, confidences } = fileSel);
      confidences = Object.fromEntries(names.map((n, i) => [n, accs[i]!.value]));
    } else {
      // route 'segment': the member that decoded the most audio; probabilities duration-weighted.
      const dur = names.map(() => 0);
      probabilities = Object.fromEntries(names.map((n) => [n, 0]));
      confidences = Object.fromEntries(names.map((n) => [n, 0]));
      const totalDur = segments.reduce((a, s) => a + (s.end - s.start), 0) || 1;
      for (const s of segments) {
        dur[s.modelIndex] += s.end - s.start;
        for (const n of names) {
          probabilities[n] += (s.probabilities[n] * (s.end - s.start)) / totalDur;
          confidences[n] += (s.confidences[n] * (s.end - s.start)) / totalDur;
        }
      }
      modelIndex = dur.indexOf(Math.max(...dur));
    }
    timings.total = performance.now() - t0;
    const result: LongFormResult = {
      text,
      model: names[modelIndex],
      modelIndex,
      probabilities,
      confidences,
      route,
      segments,
      audioSeconds,
      decoding: useLm && ens.json.models[modelIndex]?.lm ? 'lm' : 'greedy',
      // The keys `Ensemble.transcribe` always reported; `models` includes the front ends' time here.
      timingsMs: {
        decode: timings.read + run.resample,
        features: run.features,
        models: timings.models - run.features - run.resample,
        confidence: timings.confidence,
        selector: timings.selector,
        lm: timings.decode,
        total: timings.total,
      },
    };
    if (early && (route === 'segment' || decided || escalated !== null)) {
      result.earlyRoute = {
        seconds: early.seconds,
        ...(cascade ? { minProbability: early.minProbability } : {}),
        ...(escalated !== null ? { escalated: 'low-probability' as const, prefixProbability: escalated } : {}),
      };
    }
    if (options.all) {
      result.transcripts = names.map((n) => ({
        model: n,
        text: segments
          .map((s) => s.transcripts?.find((t) => t.model === n)?.text ?? '')
          .filter((x) => x !== '')
          .join(' '),
      }));
    }
    return result;
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** The samples of each [start, end) span (sorted, non-overlapping; sample indices of the stream). */
async function* readSpans(stream: AudioStream, spans: ReadonlyArray<readonly [number, number]>): AsyncGenerator<Float32Array> {
  let pos = 0;
  let k = 0;
  let buf: Float32Array | null = null;
  let filled = 0;
  try {
    for await (const chunk of stream.chunks()) {
      let off = 0;
      while (off < chunk.length && k < spans.length) {
        const [a, b] = spans[k];
        const at = pos + off;
        if (at < a) {
          off += Math.min(chunk.length - off, a - at);
          continue;
        }
        if (!buf) {
          buf = new Float32Array(b - a);
          filled = 0;
        }
        const n = Math.min(chunk.length - off, b - a - filled);
        buf.set(chunk.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === b - a) {
          yield buf;
          buf = null;
          k++;
        }
      }
      pos += chunk.length;
      if (k >= spans.length) break;
    }
    if (buf) yield buf.subarray(0, filled);
  } finally {
    await stream.close();
  }
}

/** What `segmentStream` yields for audio within the maximum segment length: the whole input as segment 0. */
async function* wholeSegment(mono: Float32Array, rate: number, options: SegmentOptions): AsyncGenerator<SpeechSegment> {
  if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted');
  options.onRead?.(mono.length / rate);
  yield { index: 0, start: 0, end: mono.length / rate, startSample: 0, endSample: mono.length, samples: mono, sampleRate: rate, whole: true };
}

async function* oneArray(x: Float32Array): AsyncGenerator<Float32Array> {
  yield x;
}
