/**
 * Word and character error rates by Levenshtein alignment.
 *
 * Normalisation (`normalizeText`), applied identically to the reference and the hypothesis:
 *   1. Unicode NFC (Vietnamese diacritics compare equal whatever their composition in the input);
 *   2. lower-case (`String.prototype.toLowerCase`, locale independent);
 *   3. apostrophes (' ’ ʼ ` ´) are deleted, so "don't" and "dont" are the same word;
 *   4. every other punctuation character (Unicode category P) and the symbols (category S, which includes
 *      the BPE word marker `▁`) becomes a space;
 *   5. whitespace runs collapse to one space; leading and trailing whitespace is removed.
 * Digits, letters and combining marks are kept as they are.
 *
 * WER counts words (the normalised text split on spaces). CER counts characters of the normalised text,
 * spaces between words included (as NeMo's `word_error_rate(use_cer=True)` and jiwer's `cer` do); code
 * points, not UTF-16 units, so astral characters count once.
 */

export interface ErrorCounts {
  /** Substitutions + deletions + insertions. */
  errors: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  /** Reference units matched exactly. */
  hits: number;
  /** Number of reference units (words or characters): the rate's denominator. */
  refLength: number;
}

export type AlignOp = 'hit' | 'sub' | 'del' | 'ins';

export interface Alignment extends ErrorCounts {
  /** Edit script from the start: `ref`/`hyp` are undefined for insertions/deletions respectively. */
  ops: Array<{ op: AlignOp; ref?: string; hyp?: string }>;
}

const APOSTROPHES = /['\u2019\u02bc`\u00b4]/gu;
const PUNCT_OR_SYMBOL = /[\p{P}\p{S}]/gu;
const WHITESPACE = /\s+/gu;

/** The normalisation described at the top of this module. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(APOSTROPHES, '').replace(PUNCT_OR_SYMBOL, ' ').replace(WHITESPACE, ' ').trim();
}

/** Words of the normalised text. */
export function words(text: string): string[] {
  const n = normalizeText(text);
  return n === '' ? [] : n.split(' ');
}

/** Characters (code points) of the normalised text, spaces included. */
export function chars(text: string): string[] {
  return Array.from(normalizeText(text));
}

/**
 * Minimum-edit-distance alignment of two token sequences (unit costs). Among equally short edit
 * scripts, the backtrace prefers hit/substitution, then deletion, then insertion, so counts are
 * deterministic.
 */
export function align(ref: readonly string[], hyp: readonly string[]): Alignment {
  const n = ref.length;
  const m = hyp.length;
  const w = m + 1;
  // Full table: utterances are short; the backtrace needs it.
  const d = new Uint32Array((n + 1) * w);
  for (let j = 0; j <= m; j++) d[j] = j;
  for (let i = 1; i <= n; i++) {
    d[i * w] = i;
    for (let j = 1; j <= m; j++) {
      const diag = d[(i - 1) * w + j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      const del = d[(i - 1) * w + j] + 1;
      const ins = d[i * w + j - 1] + 1;
      d[i * w + j] = Math.min(diag, del, ins);
    }
  }
  const ops: Alignment['ops'] = [];
  let substitutions = 0;
  let deletions = 0;
  let insertions = 0;
  let hits = 0;
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const cur = d[i * w + j];
    if (i > 0 && j > 0) {
      const same = ref[i - 1] === hyp[j - 1];
      if (cur === d[(i - 1) * w + j - 1] + (same ? 0 : 1)) {
        ops.push({ op: same ? 'hit' : 'sub', ref: ref[i - 1], hyp: hyp[j - 1] });
        if (same) hits++;
        else substitutions++;
        i--;
        j--;
        continue;
      }
    }
    if (i > 0 && cur === d[(i - 1) * w + j] + 1) {
      ops.push({ op: 'del', ref: ref[i - 1] });
      deletions++;
      i--;
      continue;
    }
    ops.push({ op: 'ins', hyp: hyp[j - 1] });
    insertions++;
    j--;
  }
  ops.reverse();
  return {
    ops,
    substitutions,
    deletions,
    insertions,
    hits,
    errors: substitutions + deletions + insertions,
    refLength: n,
  };
}

function countsOnly(a: Alignment): ErrorCounts {
  const { errors, substitutions, deletions, insertions, hits, refLength } = a;
  return { errors, substitutions, deletions, insertions, hits, refLength };
}

/** Word-level error counts of one utterance (normalised). */
export function wordErrors(reference: string, hypothesis: string): ErrorCounts {
  return countsOnly(align(words(reference), words(hypothesis)));
}

/** Character-level error counts of one utterance (normalised, spaces included). */
export function charErrors(reference: string, hypothesis: string): ErrorCounts {
  return countsOnly(align(chars(reference), chars(hypothesis)));
}

export function zeroCounts(): ErrorCounts {
  return { errors: 0, substitutions: 0, deletions: 0, insertions: 0, hits: 0, refLength: 0 };
}

/** Sum of counts (corpus-level totals). */
export function addCounts(total: ErrorCounts, c: ErrorCounts): ErrorCounts {
  return {
    errors: total.errors + c.errors,
    substitutions: total.substitutions + c.substitutions,
    deletions: total.deletions + c.deletions,
    insertions: total.insertions + c.insertions,
    hits: total.hits + c.hits,
    refLength: total.refLength + c.refLength,
  };
}

/**
 * Corpus error rate: total errors / total reference units (the standard definition, not a mean of
 * per-utterance rates). With an empty reference: 0 when there are no errors, otherwise Infinity is
 * avoided by returning `errors` (each inserted unit counts as 100 %).
 */
export function errorRate(c: ErrorCounts): number {
  if (c.refLength === 0) return c.errors === 0 ? 0 : c.errors;
  return c.errors / c.refLength;
}

/** Corpus WER over pairs of (reference, hypothesis). */
export function wer(pairs: ReadonlyArray<readonly [string, string]>): number {
  return errorRate(pairs.reduce((t, [r, h]) => addCounts(t, wordErrors(r, h)), zeroCounts()));
}

/** Corpus CER over pairs of (reference, hypothesis). */
export function cer(pairs: ReadonlyArray<readonly [string, string]>): number {
  return errorRate(pairs.reduce((t, [r, h]) => addCounts(t, charErrors(r, h)), zeroCounts()));
}
