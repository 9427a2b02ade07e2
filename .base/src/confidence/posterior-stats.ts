/**
 * Counts from one member's CTC posteriors that the selector may use beyond NeMo's one confidence
 * (`selector.features: [blank_share, token_rate]`): the tokens of the member's greedy path and, between its
 * first and last token (so leading and trailing silence, which a VAD cut or a recording adds or removes, does
 * not count), how many frames there are and how many of them the argmax spends on blank. Plain counts, so
 * segments of one file add up.
 */
import type { Logprobs } from '../models/types.js';

export interface PosteriorCounts {
  frames: number;
  /** Tokens of the greedy path (argmax, repeats merged, blanks removed). */
  tokens: number;
  /** Frames from the first to the last non-blank argmax frame, inclusive (0 without tokens). */
  spanFrames: number;
  /** Blank argmax frames within that span. */
  spanBlankFrames: number;
}

export function posteriorCounts(lp: Logprobs, blankId: number): PosteriorCounts {
  const { data, frames, vocabSize: V } = lp;
  let tokens = 0;
  let prev = -1;
  let first = -1;
  let last = -1;
  let nonBlank = 0;
  for (let t = 0; t < frames; t++) {
    const base = t * V;
    let best = 0;
    let bestV = data[base];
    for (let v = 1; v < V; v++) {
      if (data[base + v] > bestV) {
        bestV = data[base + v];
        best = v;
      }
    }
    if (best !== blankId) {
      nonBlank++;
      if (first < 0) first = t;
      last = t;
      if (best !== prev) tokens++;
    }
    prev = best;
  }
  const spanFrames = first < 0 ? 0 : last - first + 1;
  return { frames, tokens, spanFrames, spanBlankFrames: spanFrames - nonBlank };
}
