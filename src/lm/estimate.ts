import { createReadStream, promises as fs } from 'node:fs';
import { UserError } from '../util/errors.js';
import { BOS, EOS, UNK } from './constants.js';
import { AUX, COUNT, NgramCounter, REC, SUF, WORD, forEachLineBytes, type NgramTable } from './count.js';
import { countsOfCounts, discountsFrom, type Discount } from './discount.js';

/**
 * Interpolated modified Kneser-Ney estimation, following KenLM's lmplz (lm/builder: corpus_count,
 * adjust_counts, initial_probabilities, interpolate) step for step:
 *
 * - vocabulary ids: <unk>=0, <s>=1, </s>=2, then words in order of first appearance;
 *   each line is one sentence, padded `<s> … </s>`.
 * - adjusted counts: highest order = raw counts; lower orders = number of distinct left extensions,
 *   except n-grams starting with <s>, which keep their raw counts. <unk> and <s> unigrams have 0.
 * - discounts per order from counts of adjusted counts n1..n4 (Chen & Goodman eq. 26), in float:
 *   Y = n1/(n1+2 n2), D_j = j − (j+1)·Y·n_{j+1}/n_j; an error when some n_j (j ≤ 3) is 0 or D_j ∉ [0, j],
 *   unless a fallback is given (lmplz --discount_fallback, default 0.5 1 1.5), used for that order only.
 * - u(w|h) = (a(hw) − D(a)) / Σ_w a(hw); γ(h) = (D1·N1(h) + D2·N2(h) + D3·N3+(h)) / Σ_w a(hw).
 * - p(w|h) = u(w|h) + γ(h)·p(w|h'), unigrams interpolate with 1/|V| (|V| counts <unk>, not <s>), so
 *   p(<unk>) = γ(∅)/|V|; <s> gets log10 p = 0. Backoff written = log10 γ(h) for n-grams that are contexts.
 *
 * Storage is typed arrays: each order is a table of records (suffix entry, first word, count, prefix
 * entry) interleaved in one Uint32Array, reached while counting through an open-addressing index keyed
 * on (suffix entry, first word). The suffix entry is the (n−1)-gram w2..wn, so the lower-order
 * probability an n-gram interpolates with is one array read; the prefix (context) entry w1..w(n−1) is
 * recorded when the n-gram is first counted, so estimation needs no hash lookups and drops the index.
 * Interleaved because counting and the ARPA writer visit entries in random order: one cache line per
 * entry. 24 bytes per slot of capacity while counting (16-byte record + 2 Int32 index slots; capacity
 * doubles), then ~20 bytes per n-gram of estimation columns, with log10 p and the backoff written back
 * into the record; no JS object per n-gram. Measured peak RSS (node included, ~40 MB
 * of it the runtime): en 232 k words → 122 / 136 / 143 MB for orders 3 / 4 / 5.
 *
 * Pruning (lmplz --prune, --limit_vocab_file; adjust_counts.cc, initial_probabilities.cc): an n-gram of
 * order k ≥ 2 whose raw count is ≤ threshold_k, or any n-gram with a word outside the allowed vocabulary
 * (never <unk> <s> </s>), is left out of the output. It still counts everywhere else: as a left
 * extension for the lower orders' adjusted counts, in the counts of counts (discounts) and in Σ_w a(hw),
 * but not in |V| for the uniform term (lmplz passes the pruned unigram count); its context's γ(h)
 * takes its adjusted count instead of D(a): γ(h) = (D1·N1 + D2·N2 + D3·N3+ over kept children + Σ a over pruned children) / Σ_w a(hw), so the
 * model still sums to one. Thresholds are non-decreasing, so a kept n-gram's suffix and context are kept.
 * Unigrams are never pruned by count (lmplz ignores the first threshold).
 *
 * Beyond the memory budget the same arithmetic runs on sorted runs on disk: estimate-disk.ts.
 */

export interface EstimateOptions {
  order: number;
  /** lmplz --discount_fallback: discounts for orders whose computed ones are invalid. */
  discountFallback?: readonly [number, number, number];
  onWarning?: (message: string) => void;
  /** lmplz --prune: raw-count thresholds per order (index k − 1; unigrams' ignored), as parsePruneThresholds returns. */
  prune?: readonly number[];
  /** lmplz --limit_vocab_file: the allowed words; n-grams with any other word are pruned. */
  limitVocab?: ReadonlySet<string>;
}

/**
 * lmplz's --prune values: integers, non-decreasing, at most one per order; the last one repeats for the
 * remaining orders. All zero (no pruning) gives undefined.
 */
export function parsePruneThresholds(values: readonly string[], order: number): number[] | undefined {
  const t = values.map((v) => {
    if (!/^\d+$/.test(v)) throw new UserError(`--prune: bad threshold "${v}" (expected non-negative integers, one per order)`);
    return Number(v);
  });
  if (t.length === 0) return undefined;
  if (t.length > order) throw new UserError(`--prune: thresholds for orders 1 through ${t.length} but the model has order ${order}`);
  for (let i = 1; i < t.length; i++) {
    if (t[i] < t[i - 1]) throw new UserError('--prune: thresholds must be non-decreasing (otherwise substrings of kept n-grams would be removed)');
  }
  while (t.length < order) t.push(t[t.length - 1]);
  return t.slice(1).some((x) => x > 0) ? t : undefined;
}

/** Per word id: 1 when the word is outside `allowed` (<unk> <s> </s> never are), or undefined when there is no limit. */
export function prunedWords(words: readonly string[], allowed: ReadonlySet<string> | undefined): Uint8Array | undefined {
  if (!allowed) return undefined;
  const out = new Uint8Array(words.length);
  for (let w = 3; w < words.length; w++) if (!allowed.has(words[w])) out[w] = 1;
  return out;
}

export interface EstimateResult {
  order: number;
  vocabulary: string[];
  counts: number[];
  discounts: Discount[];
  /** ARPA text is written by writeArpa(). */
  model: EstimatedModel;
}

export interface EstimatedModel {
  order: number;
  words: string[];
  /**
   * per order k (index k): table for k >= 2, whose records hold, after estimation, the float32 bits of
   * log10 p in COUNT and of the log10 backoff (0 when not a context; unused at the highest order) in AUX
   */
  tables: NgramTable[];
  /** log10 probabilities of the unigrams, by word id */
  unigramLogProb: Float32Array;
  /** log10 backoffs of the unigrams, by word id (0 when not a context) */
  unigramLogBackoff: Float32Array;
  /** n-grams written per order (after pruning) */
  counts: number[];
  /** per order k: 1 = written, 0 = pruned; undefined when nothing is pruned */
  keep?: Uint8Array[];
}

const f = Math.fround;

/**
 * Estimate the model from counted n-grams. The counter's tables become the model's: their raw counts
 * are replaced by log10 probabilities (the counter cannot be estimated twice).
 */
export function estimate(counter: NgramCounter, options: EstimateOptions): EstimateResult {
  const N = counter.order;
  const warn = options.onWarning ?? (() => {});
  const tables = counter.tables;
  const V = counter.words.length;
  const sizes = [0, V];
  for (let k = 2; k <= N; k++) sizes.push(tables[k].size);

  // ---- adjusted counts (index k)
  const adj: Uint32Array[] = [new Uint32Array(0)];
  for (let k = 1; k <= N; k++) adj.push(new Uint32Array(sizes[k]));
  for (let k = 2; k <= N; k++) {
    const rec = tables[k].rec;
    const a = adj[k];
    if (k === N) for (let e = 0, q = 0; e < sizes[k]; e++, q += REC) a[e] = rec[q + COUNT];
    else for (let e = 0, q = 0; e < sizes[k]; e++, q += REC) if (rec[q + WORD] === BOS) a[e] = rec[q + COUNT];
  }
  // Left extensions. (lmplz does not count them for n-grams that start with <s>; a suffix never does:
  // <s> is only ever the first word of a sentence.)
  for (let k = 2; k <= N; k++) {
    const rec = tables[k].rec;
    const lower = adj[k - 1];
    for (let e = 0, q = SUF; e < sizes[k]; e++, q += REC) lower[rec[q]]++;
  }

  // ---- discounts
  const discounts: Discount[] = [];
  for (let k = 1; k <= N; k++) {
    const n = countsOfCounts(adj[k], sizes[k]);
    discounts.push(discountsFrom(k, n, options.discountFallback, warn));
  }
  const disc = (k: number, a: number): number => (a === 0 ? 0 : discounts[k - 1].d[Math.min(a, 3) - 1]);

  // ---- pruning: which n-grams are written (lmplz's marks)
  const keep = pruneMarks(counter, options);

  // the prefix (context) entry of each n-gram is in its record (AUX), set while counting
  for (let k = 2; k <= N; k++) tables[k].dropIndex();

  // ---- denominators and gammas per context (contexts of order k+1 n-grams live in order k, index k)
  const gamma: Float32Array[] = [new Float32Array(1)];
  const denom: Float64Array[] = [new Float64Array(1)];
  for (let k = 1; k < N; k++) {
    gamma.push(new Float32Array(sizes[k]));
    denom.push(new Float64Array(sizes[k]));
  }
  for (let k = 1; k <= N; k++) {
    const rec = k === 1 ? undefined : tables[k].rec;
    const den = denom[k - 1];
    const nk = new Uint32Array(den.length * 3); // counts: exact as integers, half the bytes of a Float64Array
    const a = adj[k];
    const kept = keep?.[k];
    // adjusted counts of pruned children: their mass goes to γ (zero without pruning)
    const prunedMass = kept ? new Float64Array(den.length) : undefined;
    for (let e = 0; e < sizes[k]; e++) {
      const c = rec === undefined ? 0 : rec[e * REC + AUX];
      const cnt = a[e];
      den[c] += cnt;
      if (kept && !kept[e]) prunedMass![c] += cnt;
      else if (cnt > 0) nk[3 * c + Math.min(cnt, 3) - 1]++;
    }
    const d = discounts[k - 1].d;
    const g = gamma[k - 1];
    for (let c = 0; c < den.length; c++) {
      if (den[c] === 0) continue;
      let sum = f(f(f(f(d[0] * f(nk[3 * c])) + f(d[1] * f(nk[3 * c + 1]))) + f(d[2] * f(nk[3 * c + 2]))));
      if (prunedMass) sum = f(sum + f(prunedMass[c]));
      g[c] = f(sum / f(den[c]));
    }
  }

  // ---- interpolated probabilities (linear), then log10 into the records
  // lmplz divides by the unigrams it writes (less <s>): words outside --limit-vocab-file do not count
  const keptWords = keep ? keep[1].reduce((x, y) => x + y, 0) : V;
  const uniform = f(1.0 / f(keptWords - 1));
  let lower = new Float32Array(V);
  {
    const den = f(denom[0][0]);
    const g0 = gamma[0][0];
    for (let w = 0; w < V; w++) {
      const a = adj[1][w];
      const u = f(f(a - disc(1, a)) / den);
      lower[w] = f(u + f(g0 * uniform));
    }
  }
  const unigramLogProb = new Float32Array(V);
  const unigramLogBackoff = new Float32Array(V);
  for (let w = 0; w < V; w++) unigramLogProb[w] = Math.min(0, log10f(lower[w]));
  unigramLogProb[BOS] = 0;
  // KenLM skips n-grams ending in <unk> or </s> as contexts (</s> ends no context: nothing follows it).
  for (let w = 0; w < V; w++) if (N > 1 && denom[1][w] > 0 && w !== UNK && w !== EOS) unigramLogBackoff[w] = log10f(gamma[1][w]);
  let endsUnk: Uint8Array | undefined;
  const bits = new Uint32Array(1);
  const bitsF = new Float32Array(bits.buffer);
  for (let k = 2; k <= N; k++) {
    const rec = tables[k].rec;
    const p = new Float32Array(sizes[k]);
    const a = adj[k];
    const den = denom[k - 1];
    const g = gamma[k - 1];
    for (let e = 0, q = 0; e < sizes[k]; e++, q += REC) {
      const c = rec[q + AUX];
      const cnt = a[e];
      const u = f(f(cnt - disc(k, cnt)) / f(den[c]));
      p[e] = f(u + f(g[c] * lower[rec[q + SUF]]));
    }
    adj[k] = new Uint32Array(0);
    const nextEndsUnk = k < N ? new Uint8Array(sizes[k]) : undefined;
    const denHere = k < N ? denom[k] : undefined;
    const gHere = k < N ? gamma[k] : undefined;
    for (let e = 0, q = 0; e < sizes[k]; e++, q += REC) {
      bitsF[0] = Math.min(0, log10f(p[e]));
      rec[q + COUNT] = bits[0];
      bitsF[0] = 0;
      if (nextEndsUnk) {
        const s = rec[q + SUF];
        const unk = k === 2 ? s === UNK : endsUnk![s] === 1;
        if (unk) nextEndsUnk[e] = 1;
        else if (denHere![e] > 0) bitsF[0] = log10f(gHere![e]);
      }
      rec[q + AUX] = bits[0];
    }
    endsUnk = nextEndsUnk;
    lower = p;
  }
  const counts = sizes.slice(1);
  if (keep) for (let k = 1; k <= N; k++) counts[k - 1] = keep[k].reduce((x, y) => x + y, 0);
  return {
    order: N,
    vocabulary: counter.words,
    counts,
    discounts,
    model: { order: N, words: counter.words, tables, unigramLogProb, unigramLogBackoff, counts, keep },
  };
}

/**
 * Per order k (index k), 1 for the n-grams that are written: raw count above the order's threshold
 * (orders ≥ 2) and no word outside the allowed vocabulary. Undefined when nothing is pruned.
 */
function pruneMarks(counter: NgramCounter, options: EstimateOptions): Uint8Array[] | undefined {
  const badWord = prunedWords(counter.words, options.limitVocab);
  const thresholds = options.prune;
  if (!badWord && !thresholds) return undefined;
  const N = counter.order;
  const V = counter.words.length;
  const keep: Uint8Array[] = [new Uint8Array(0), new Uint8Array(V).fill(1)];
  // bad[k][e]: the n-gram contains a word outside the allowed vocabulary
  let bad: Uint8Array | undefined = badWord;
  if (badWord) for (let w = 0; w < V; w++) if (badWord[w]) keep[1][w] = 0;
  for (let k = 2; k <= N; k++) {
    const t = counter.tables[k];
    const rec = t.rec;
    const th = thresholds?.[k - 1] ?? 0;
    const kk = new Uint8Array(t.size);
    const nextBad = badWord ? new Uint8Array(t.size) : undefined;
    for (let e = 0, q = 0; e < t.size; e++, q += REC) {
      // first word, or anything in the suffix (order k − 1; for k = 2 the suffix is a word id)
      const isBad = badWord !== undefined && (badWord[rec[q + WORD]] === 1 || bad![rec[q + SUF]] === 1);
      if (nextBad && isBad) nextBad[e] = 1;
      kk[e] = !isBad && rec[q + COUNT] > th ? 1 : 0;
    }
    keep.push(kk);
    bad = nextBad;
  }
  return keep;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const IVLN10 = f(4.3429449201e-1);
const LOG10_2HI = f(3.0102920532e-1);
const LOG10_2LO = f(7.9034151668e-7);

/**
 * log10 of a float as glibc's log10f (sysdeps/ieee754/flt-32/e_log10f.c, which lmplz calls through
 * std::log10(float)): split off the binary exponent, log10 = k·log10(2) + log(m)/ln(10) in float
 * arithmetic. Plain Math.log10 differs from it in the last bit for a few values.
 */
export function log10f(x: number): number {
  F32[0] = x;
  let hx = U32[0] | 0;
  if (!(x > 0) || hx >= 0x7f800000) return Math.log10(x);
  let k = 0;
  if (hx < 0x00800000) {
    k -= 25;
    F32[0] = f(x * 33554432);
    hx = U32[0] | 0;
  }
  k += (hx >> 23) - 127;
  const i = k < 0 ? 1 : 0;
  U32[0] = (hx & 0x007fffff) | ((0x7f - i) << 23);
  const m = F32[0];
  const y = f(k + i);
  const z = f(f(y * LOG10_2LO) + f(IVLN10 * f(Math.log(m))));
  return f(z + f(y * LOG10_2HI));
}

/** Count a corpus file (one sentence per line) and estimate. */
export async function buildFromCorpus(corpus: string, options: EstimateOptions): Promise<EstimateResult & { counter: NgramCounter }> {
  if (!Number.isInteger(options.order) || options.order < 2 || options.order > 6) {
    throw new UserError(`--order must be an integer from 2 to 6 (got ${options.order})`);
  }
  const counter = new NgramCounter(options.order);
  let stream;
  try {
    await fs.access(corpus);
    stream = corpus === '-' ? process.stdin : createReadStream(corpus);
  } catch (e) {
    throw new UserError(`cannot read the corpus: ${(e as Error).message}`, { source: corpus, cause: e });
  }
  let lineNo = 0;
  await forEachLineBytes(stream, (buf, start, end) => {
    lineNo++;
    counter.addLine(buf, start, end, corpus, lineNo);
  });
  const result = estimate(counter, options);
  return { ...result, counter };
}

