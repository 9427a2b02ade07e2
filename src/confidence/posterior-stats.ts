/**
 * Counts from one member's CTC posteriors that the selector may use beyond NeMo's one confidence
 * (`selector.features: [blank_share, token_rate]`): how many frames the member's argmax spends on blank
 * and how many tokens its greedy path emits. Plain counts, so segments of one file add up.
 */
import type { Logprobs } from '../models/types.js';

export interface PosteriorCounts {
  frames: number;
  /** Frames whose argmax is the blank. */
  blankFrames: number;
  /** Tokens of the greedy path (argmax, repeats merged, blanks removed). */
  tokens: number;
}

export function posteriorCounts(lp: Logprobs, blankId: number): PosteriorCounts {
  const { data, frames, vocabSize: V } = lp;
  let blankFrames = 0;
  let tokens = 0;
  let prev = -1;
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
    if (best === blankId) blankFrames++;
    else if (best !== prev) tokens++;
    prev = best;
  }
  return { frames, blankFrames, tokens };
}
