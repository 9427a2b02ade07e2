/**
 * One CTC model's greedy transcript of audio of any length (`ensemble transcribe --model DIR`), in the memory of one
 * segment: the input is read as a stream and cut by the voice-activity detector as the ensemble's long-form path cuts
 * it (`segmentStream`: audio within the maximum segment length is one whole segment, untouched, so a short file
 * transcribes exactly as a single `model.run` on all of it), and the model runs on one segment at a time. A
 * conformer's attention is quadratic in its input: run whole, models/en took 11.8 GB on a 10-minute file.
 */
import { resample } from '../audio/resample.js';
import { openAudioStream } from '../audio/stream.js';
import { greedyDecode } from '../decoding/greedy.js';
import type { CtcModel } from '../models/types.js';
import { LONGFORM_DEFAULTS } from './defaults.js';
import { segmentStream } from './segmenter.js';
import { SileroVad } from './silero.js';
import type { VadOptions } from './vad.js';

export interface ModelTranscriptOptions {
  /** `log_softmax(logits / T)` before decoding (default 1). */
  temperature?: number;
  /** Voice-activity detection and segment length (defaults `VAD_DEFAULTS`). */
  vad?: VadOptions;
  /** Name for error messages (default: the path, or "<buffer>"). */
  source?: string;
}

export interface ModelTranscript {
  /** The segments' texts joined by a space (empty ones left out). */
  text: string;
  /** Posterior frames over all segments. */
  frames: number;
  /** Speech segments in file order (one, the whole input, within the maximum segment length). */
  segments: Array<{ start: number; end: number; text: string }>;
}

/** Greedy CTC text of `input` (a path or encoded bytes) through `model`, one speech segment at a time. */
export async function modelTranscript(model: CtcModel, input: string | Uint8Array, options: ModelTranscriptOptions = {}): Promise<ModelTranscript> {
  const stream = await openAudioStream(input, { source: options.source, chunkSeconds: LONGFORM_DEFAULTS.chunkSeconds });
  const segments: ModelTranscript['segments'] = [];
  let frames = 0;
  try {
    for await (const seg of segmentStream(stream, () => SileroVad.load(), options.vad ?? {})) {
      const rate = model.frontEnd.sampleRate;
      const samples = seg.sampleRate === rate ? seg.samples : resample(seg.samples, seg.sampleRate, rate);
      const lp = await model.run(samples, { temperature: options.temperature ?? 1 });
      frames += lp.frames;
      segments.push({ start: seg.start, end: seg.end, text: greedyDecode(lp, model.vocabulary, model.blankId, model.tokenizer) });
    }
  } finally {
    await stream.close();
  }
  return {
    text: segments
      .map((s) => s.text)
      .filter((t) => t !== '')
      .join(' '),
    frames,
    segments,
  };
}
