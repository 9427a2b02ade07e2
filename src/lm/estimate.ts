import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import readline from 'node:readline';
import { UserError } from '../util/errors.js';

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
 * Storage is columnar typed arrays: each order is a table of entries (suffix entry, first word, count)
 * reached through an open-addressing index keyed on (suffix entry, first word) — the suffix entry is the
 * (n−1)-gram w2..wn, so the lower-order probability an n-gram interpolates with is one array read.
 * 20 bytes per slot of capacity while counting (3 Uint32 columns + 2 Int32 index slots; capacity
 * doubles, so 20–40 bytes per n-gram) plus ~24 bytes per n-gram of estimation columns; no JS object per n-gram. Measured peak RSS (node included, ~40 MB
 * of it the runtime): en 232 k words → 122 / 136 / 143 MB for orders 3 / 4 / 5.
 *
 * Beyond memory (hundreds of millions of n-grams) the design is lmplz's: count into these tables until
 * a budget is reached, then spill each order's entries as a run sorted in suffix order (reversed word
 * ids, the order this file writes) to a temporary file and start again; merging the runs per order
 * sums duplicate counts, and adjusted counts, counts-of-counts, context sums (γ) and interpolation are
 * then each one sequential pass over merged suffix-ordered streams (a context's children are adjacent,
 * the lower-order suffix precedes its extensions), so memory stays bounded by the budget. Not
 * implemented: the in-memory tables are enough for corpora of tens of millions of words on a 24 GiB host.
 */

export const BOS = 1;
export const EOS = 2;
export const UNK = 0;
export const DEFAULT_FALLBACK: readonly [number, number, number] = [0.5, 1, 1.5];

export interface EstimateOptions {
  order: number;
  /** lmplz --discount_fallback: discounts for orders whose computed ones are invalid. */
  discountFallback?: readonly [number, number, number];
  onWarning?: (message: string) => void;
}

export interface Discount {
  /** D1, D2, D3+ */
  d: [number, number, number];
  /** counts of adjusted counts n1..n4 */
  n: [number, number, number, number];
  fallback: boolean;
}

export interface EstimateResult {
  order: number;
  vocabulary: string[];
  counts: number[];
  discounts: Discount[];
  /** ARPA text is written by writeArpa(). */
  model: EstimatedModel;
}

/** Growable n-gram table: entry = (suffix entry, first word), raw count; hashed index. */
class NgramTable {
  size = 0;
  suffix: Uint32Array;
  word: Uint32Array;
  count: Uint32Array;
  private index: Int32Array;
  private mask: number;
  constructor(initial = 1024) {
    this.suffix = new Uint32Array(initial);
    this.word = new Uint32Array(initial);
    this.count = new Uint32Array(initial);
    this.index = new Int32Array(initial * 2);
    this.mask = initial * 2 - 1;
  }
  private static hash(s: number, w: number): number {
    let h = (Math.imul(s, 0x9e3779b1) ^ Math.imul(w + 0x7f4a7c15, 0x85ebca77)) | 0;
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h;
  }
  find(s: number, w: number): number {
    const idx = this.index;
    const mask = this.mask;
    let slot = NgramTable.hash(s, w) & mask;
    for (;;) {
      const e = idx[slot]!;
      if (e === 0) return -1;
      if (this.word[e - 1] === w && this.suffix[e - 1] === s) return e - 1;
      slot = (slot + 1) & mask;
    }
  }
  /** Entry of (s, w), created when new; its raw count is incremented. */
  add(s: number, w: number): number {
    const idx = this.index;
    const mask = this.mask;
    let slot = NgramTable.hash(s, w) & mask;
    for (;;) {
      const e = idx[slot]!;
      if (e === 0) break;
      if (this.word[e - 1] === w && this.suffix[e - 1] === s) {
        this.count[e - 1]!++;
        return e - 1;
      }
      slot = (slot + 1) & mask;
    }
    if (this.size === this.suffix.length) {
      this.grow();
      return this.add(s, w);
    }
    const e = this.size++;
    this.suffix[e] = s;
    this.word[e] = w;
    this.count[e] = 1;
    idx[slot] = e + 1;
    return e;
  }
  private grow(): void {
    const cap = this.suffix.length * 2;
    const grow32 = (a: Uint32Array) => {
      const b = new Uint32Array(cap);
      b.set(a);
      return b;
    };
    this.suffix = grow32(this.suffix);
    this.word = grow32(this.word);
    this.count = grow32(this.count);
    this.index = new Int32Array(cap * 2);
    this.mask = cap * 2 - 1;
    for (let e = 0; e < this.size; e++) {
      let slot = NgramTable.hash(this.suffix[e]!, this.word[e]!) & this.mask;
      while (this.index[slot] !== 0) slot = (slot + 1) & this.mask;
      this.index[slot] = e + 1;
    }
  }
  bytes(): number {
    return this.suffix.byteLength * 3 + this.index.byteLength;
  }
}

/** Counts n-grams of every order 1..N from sentences (lmplz corpus_count, with its <s> padding). */
export class NgramCounter {
  readonly order: number;
  readonly vocab = new Map<string, number>([
    ['<unk>', UNK],
    ['<s>', BOS],
    ['</s>', EOS],
  ]);
  readonly words: string[] = ['<unk>', '<s>', '</s>'];
  /** tables[k] for order k = 2..N (index 0, 1 unused). */
  readonly tables: NgramTable[] = [];
  private ids = new Uint32Array(256);
  tokens = 0;
  sentences = 0;
  constructor(order: number) {
    this.order = order;
    for (let k = 0; k <= order; k++) this.tables.push(new NgramTable(k < 2 ? 1 : 1 << 12));
  }

  addSentence(line: string, where?: string): void {
    const toks = line.split(/[ \t\r\n\v\f]+/);
    let n = 0;
    let ids = this.ids;
    if (ids.length < toks.length + 2) ids = this.ids = new Uint32Array(2 * (toks.length + 2));
    ids[n++] = BOS;
    for (const t of toks) {
      if (t === '') continue;
      let id = this.vocab.get(t);
      if (id === undefined) {
        id = this.words.length;
        this.vocab.set(t, id);
        this.words.push(t);
      } else if (id === BOS || id === EOS) {
        throw new UserError(
          `special word ${t} is not allowed in the corpus (lmplz adds <s> and </s> around each line itself)`,
          { source: where, code: 'E_LM_CORPUS' },
        );
      }
      ids[n++] = id;
    }
    ids[n++] = EOS;
    this.tokens += n - 1;
    this.sentences++;
    const N = this.order;
    const tables = this.tables;
    for (let i = 1; i < n; i++) {
      let prev = ids[i]!;
      const lim = Math.min(N, i + 1);
      for (let k = 2; k <= lim; k++) prev = tables[k]!.add(prev, ids[i - k + 1]!);
    }
  }

  bytes(): number {
    let b = 0;
    for (let k = 2; k <= this.order; k++) b += this.tables[k]!.bytes();
    return b;
  }
}

export interface EstimatedModel {
  order: number;
  words: string[];
  /** per order k (index k): table for k >= 2 */
  tables: NgramTable[];
  /** log10 probabilities; index k, entries (unigrams by word id) */
  logProb: Float32Array[];
  /** log10 backoff (0 when not a context); index k < N */
  logBackoff: Float32Array[];
  counts: number[];
}

const f = Math.fround;

function computeDiscount(order: number, adj: Uint32Array, size: number, skip: (e: number) => boolean): Discount['n'] {
  const n: [number, number, number, number] = [0, 0, 0, 0];
  for (let e = 0; e < size; e++) {
    if (skip(e)) continue;
    const a = adj[e]!;
    if (a >= 1 && a <= 4) n[a - 1]!++;
  }
  void order;
  return n;
}

function discountsFrom(order: number, n: Discount['n'], fallback: readonly [number, number, number] | undefined, warn: (m: string) => void): Discount {
  // lmplz StatCollector::CalculateDiscounts, float arithmetic.
  let problem: string | undefined;
  for (let j = 1; j <= 3; j++) {
    if (n[j - 1] === 0) {
      problem = `Could not calculate Kneser-Ney discounts for ${order}-grams with adjusted count ${j + 1} because we didn't observe any ${order}-grams with adjusted count ${j}; Is this small or artificial data?`;
      break;
    }
  }
  const d: [number, number, number] = [0, 0, 0];
  if (!problem) {
    const y = f(n[0] / (n[0] + 2.0 * n[1]));
    for (let j = 1; j <= 3; j++) {
      d[j - 1] = f(j - f(f(f(f(j + 1) * y) * f(n[j]!)) / f(n[j - 1]!)));
      if (d[j - 1]! < 0 || d[j - 1]! > j) {
        problem = `${order}-gram discount out of range for adjusted count ${j}: ${d[j - 1]}`;
        break;
      }
    }
  }
  if (!problem) return { d, n, fallback: false };
  if (!fallback) {
    throw new UserError(
      `${problem}\nTry deduplicating the input. To override this error for e.g. a class-based model, rerun with --discount-fallback`,
      { code: 'E_LM_DISCOUNT' },
    );
  }
  warn(`${problem} Substituting fallback discounts for order ${order}: D1=${fallback[0]} D2=${fallback[1]} D3+=${fallback[2]}`);
  return { d: [f(fallback[0]), f(fallback[1]), f(fallback[2])], n, fallback: true };
}

/** Estimate the model from counted n-grams. */
export function estimate(counter: NgramCounter, options: EstimateOptions): EstimateResult {
  const N = counter.order;
  const warn = options.onWarning ?? (() => {});
  const tables = counter.tables;
  const V = counter.words.length;
  const sizes = [0, V];
  for (let k = 2; k <= N; k++) sizes.push(tables[k]!.size);

  // ---- adjusted counts (index k)
  const adj: Uint32Array[] = [new Uint32Array(0)];
  for (let k = 1; k <= N; k++) {
    if (k === N) adj.push(tables[k]!.count.subarray(0, sizes[k]));
    else adj.push(new Uint32Array(sizes[k]!));
  }
  for (let k = 2; k < N; k++) {
    const t = tables[k]!;
    const a = adj[k]!;
    for (let e = 0; e < t.size; e++) if (t.word[e] === BOS) a[e] = t.count[e]!;
  }
  for (let k = 2; k <= N; k++) {
    const t = tables[k]!;
    const lower = adj[k - 1]!;
    const lowerFirst = k - 1 === 1 ? null : tables[k - 1]!.word;
    for (let e = 0; e < t.size; e++) {
      const s = t.suffix[e]!;
      const startsWithBos = lowerFirst ? lowerFirst[s] === BOS : s === BOS;
      if (!startsWithBos) lower[s]!++;
    }
  }

  // ---- discounts
  const discounts: Discount[] = [];
  for (let k = 1; k <= N; k++) {
    const n = computeDiscount(k, adj[k]!, sizes[k]!, () => false);
    discounts.push(discountsFrom(k, n, options.discountFallback, warn));
  }
  const disc = (k: number, a: number): number => (a === 0 ? 0 : discounts[k - 1]!.d[Math.min(a, 3) - 1]!);

  // ---- prefix (context) entry of each n-gram, k >= 2: w1..w(k-1)
  const prefix: Uint32Array[] = [new Uint32Array(0), new Uint32Array(0)];
  for (let k = 2; k <= N; k++) {
    const t = tables[k]!;
    const pre = new Uint32Array(t.size);
    if (k === 2) pre.set(t.word.subarray(0, t.size));
    else {
      const lowerPre = prefix[k - 1]!;
      const ctxTable = tables[k - 1]!;
      for (let e = 0; e < t.size; e++) {
        const c = ctxTable.find(lowerPre[t.suffix[e]!]!, t.word[e]!);
        if (c < 0) throw new Error('internal: missing context n-gram');
        pre[e] = c;
      }
    }
    prefix.push(pre);
  }

  // ---- denominators and gammas per context (contexts of order k+1 n-grams live in order k, index k)
  const gamma: Float32Array[] = [new Float32Array(1)];
  const denom: Float64Array[] = [new Float64Array(1)];
  for (let k = 1; k < N; k++) {
    gamma.push(new Float32Array(sizes[k]!));
    denom.push(new Float64Array(sizes[k]!));
  }
  for (let k = 1; k <= N; k++) {
    const ctxIdx = (e: number) => (k === 1 ? 0 : prefix[k]![e]!);
    const den = denom[k - 1]!;
    const nk = new Float64Array(den.length * 3);
    const a = adj[k]!;
    for (let e = 0; e < sizes[k]!; e++) {
      const c = ctxIdx(e);
      const cnt = a[e]!;
      den[c]! += cnt;
      if (cnt > 0) nk[3 * c + Math.min(cnt, 3) - 1]!++;
    }
    const d = discounts[k - 1]!.d;
    const g = gamma[k - 1]!;
    for (let c = 0; c < den.length; c++) {
      if (den[c] === 0) continue;
      const sum = f(f(f(f(d[0] * f(nk[3 * c]!)) + f(d[1] * f(nk[3 * c + 1]!))) + f(d[2] * f(nk[3 * c + 2]!))));
      g[c] = f(sum / f(den[c]!));
    }
  }

  // ---- interpolated probabilities (linear), then log10
  const prob: Float32Array[] = [new Float32Array(0)];
  const uniform = f(1.0 / f(V - 1));
  {
    const p = new Float32Array(V);
    const den = f(denom[0]![0]!);
    const g0 = gamma[0]![0]!;
    for (let w = 0; w < V; w++) {
      const a = adj[1]![w]!;
      const u = f(f(a - disc(1, a)) / den);
      p[w] = f(u + f(g0 * uniform));
    }
    prob.push(p);
  }
  for (let k = 2; k <= N; k++) {
    const t = tables[k]!;
    const p = new Float32Array(t.size);
    const a = adj[k]!;
    const pre = prefix[k]!;
    const den = denom[k - 1]!;
    const g = gamma[k - 1]!;
    const lower = prob[k - 1]!;
    for (let e = 0; e < t.size; e++) {
      const c = pre[e]!;
      const cnt = a[e]!;
      const u = f(f(cnt - disc(k, cnt)) / f(den[c]!));
      p[e] = f(u + f(g[c]! * lower[t.suffix[e]!]!));
    }
    prob.push(p);
  }
  const logProb: Float32Array[] = [new Float32Array(0)];
  const logBackoff: Float32Array[] = [new Float32Array(0)];
  for (let k = 1; k <= N; k++) {
    const p = prob[k]!;
    const lp = new Float32Array(p.length);
    for (let e = 0; e < p.length; e++) lp[e] = Math.min(0, log10f(p[e]!));
    if (k === 1) lp[BOS] = 0;
    logProb.push(lp);
    if (k < N) {
      const g = gamma[k]!;
      const lb = new Float32Array(p.length);
      const den = denom[k]!;
      // KenLM skips n-grams ending in <unk> or </s> as contexts.
      const last = (e: number) => (k === 1 ? e : lastWord(tables, k, e));
      for (let e = 0; e < p.length; e++) {
        if (den[e]! > 0) {
          const w = last(e);
          if (w !== UNK && w !== EOS) lb[e] = log10f(g[e]!);
        }
      }
      logBackoff.push(lb);
    }
  }
  const counts = sizes.slice(1);
  return {
    order: N,
    vocabulary: counter.words,
    counts,
    discounts,
    model: { order: N, words: counter.words, tables, logProb, logBackoff, counts },
  };
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
  let hx = U32[0]! | 0;
  if (!(x > 0) || hx >= 0x7f800000) return Math.log10(x);
  let k = 0;
  if (hx < 0x00800000) {
    k -= 25;
    F32[0] = f(x * 33554432);
    hx = U32[0]! | 0;
  }
  k += (hx >> 23) - 127;
  const i = k < 0 ? 1 : 0;
  U32[0] = (hx & 0x007fffff) | ((0x7f - i) << 23);
  const m = F32[0]!;
  const y = f(k + i);
  const z = f(f(y * LOG10_2LO) + f(IVLN10 * f(Math.log(m))));
  return f(z + f(y * LOG10_2HI));
}

function lastWord(tables: NgramTable[], k: number, e: number): number {
  let s = e;
  for (let j = k; j >= 2; j--) s = tables[j]!.suffix[s]!;
  return s;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Shortest decimal that reads back as the same float32, in ECMAScript number formatting (lmplz prints
 * with double-conversion's shortest-single mode). Candidates with 1..9 significant digits are formed
 * numerically (one rounding each), so no strings are built until the answer.
 */
export function formatFloat32(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  const e = Math.floor(Math.log10(a));
  for (let p = 1; p <= 9; p++) {
    const s = p - 1 - e;
    let v: number;
    if (s >= 0 && s <= 22) v = Math.round(a * POW10[s]!) / POW10[s]!;
    else if (s < 0 && s >= -22) v = Math.round(a / POW10[-s]!) * POW10[-s]!;
    else break;
    if (Math.fround(v) === a) return String(x < 0 ? -v : v);
  }
  // Outside the table's range: search with toPrecision (round-tripping is monotonic in the digits).
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(x.toPrecision(mid))) === x) hi = mid;
    else lo = mid + 1;
  }
  return String(Number(x.toPrecision(lo)));
}

const POW10_F64 = Float64Array.from(POW10);
const POW10_I32 = Int32Array.from({ length: 10 }, (_, i) => 10 ** i);
/** ASCII of 00..99: DIGIT_PAIRS[2i], DIGIT_PAIRS[2i + 1]. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

/** Exactly `count` decimal digits of v (0 ≤ v < 10^count, leading zeros kept), ending just before out[end]. */
function putDigits(v: number, count: number, out: Uint8Array, end: number): void {
  let q = end;
  while (count >= 2) {
    const t = (v / 100) | 0;
    const r = (v - t * 100) << 1;
    out[--q] = DIGIT_PAIRS[r + 1]!;
    out[--q] = DIGIT_PAIRS[r]!;
    v = t;
    count -= 2;
  }
  if (count === 1) out[--q] = 48 + v;
}

/** formatFloat32(x) as ASCII at out[pos]; returns the end. */
function putFormatted(x: number, out: Uint8Array, pos: number): number {
  const str = formatFloat32(x);
  for (let i = 0; i < str.length; i++) out[pos++] = str.charCodeAt(i);
  return pos;
}

/**
 * Write the shortest float32 decimal of `x` as ASCII at `out[pos]`, exactly the characters formatFloat32(x)
 * returns, without building a string; returns the position after it. For 1e-13 ≤ |x| < 10 (every
 * probability and backoff in practice) the candidate search is formatFloat32's (same roundings, same
 * order, there always with 0 ≤ s ≤ 22); the accepted candidate m·10^−s (m < 2^31, one correctly rounded
 * double) is the only decimal of ≤ 15 significant digits that reads as that double, so ECMAScript's
 * Number-to-String prints m's digits (trailing zeros dropped) in fixed notation, which is what is written
 * here. Everything else (other magnitudes, exponent notation, non-finite) goes through formatFloat32.
 * (The search loop only handles s ≥ 0: with the s < 0 branch in the same loop V8's code was 2× slower.)
 */
export function putFloat32(x: number, out: Uint8Array, pos: number): number {
  if (x === 0) {
    out[pos] = 48; // '0' (also for −0, as String(-0))
    return pos + 1;
  }
  const a = Math.abs(x);
  const e = Math.floor(Math.log10(a)); // NaN or ±Infinity for the non-finite
  if (!(e <= 0 && e >= -13)) return putFormatted(x, out, pos);
  for (let p = 1; p <= 9; p++) {
    let s = p - 1 - e;
    const m = Math.round(a * POW10_F64[s]!);
    if (Math.fround(m / POW10_F64[s]!) !== a) continue;
    let mi = m | 0;
    if (mi <= 0 || mi !== m) break;
    for (let q = (mi / 10) | 0; mi === q * 10; q = (mi / 10) | 0) {
      mi = q;
      s--;
    }
    let k = 1; // digits of mi
    while (k < 10 && mi >= POW10_I32[k]!) k++;
    const n = k - s; // decimal exponent: value = 0.d1…dk × 10^n
    if (n <= -6 || n > 21) break; // exponent notation
    if (x < 0) out[pos++] = 45; // '-'
    if (n <= 0) {
      // 0.000ddd
      out[pos++] = 48;
      out[pos++] = 46;
      for (let z = 0; z < -n; z++) out[pos++] = 48;
      putDigits(mi, k, out, pos + k);
      return pos + k;
    }
    if (n >= k) {
      // ddd000
      putDigits(mi, k, out, pos + k);
      pos += k;
      for (let z = k; z < n; z++) out[pos++] = 48;
      return pos;
    }
    // dd.ddd
    const f = k - n;
    const ip = (mi / POW10_I32[f]!) | 0;
    putDigits(ip, n, out, pos + n);
    out[pos + n] = 46;
    putDigits(mi - ip * POW10_I32[f]!, f, out, pos + k + 1);
    return pos + k + 1;
  }
  return putFormatted(x, out, pos);
}

/**
 * Direct-mapped cache of printed float32 values keyed by their bits, for the backoffs: they repeat (en
 * order 4: 3.3 k distinct among 250 k), so copying ≤ 24 bytes replaces most digit searches. (Probabilities
 * are mostly distinct, 290 k among 420 k; a cache for them measured no faster than putFloat32.)
 */
class FloatTextCache {
  private static readonly WIDTH = 24;
  private readonly keys: Uint32Array;
  private readonly lens: Uint8Array;
  private readonly text: Uint8Array;
  private readonly mask: number;
  constructor(bits = 12) {
    this.keys = new Uint32Array(1 << bits);
    this.lens = new Uint8Array(1 << bits);
    this.text = new Uint8Array((1 << bits) * FloatTextCache.WIDTH);
    this.mask = (1 << bits) - 1;
  }
  /** Write float32 `x` (whose bit pattern is `bits`) at out[pos] as putFloat32 does; returns the end. */
  put(x: number, bits: number, out: Uint8Array, pos: number): number {
    let h = Math.imul(bits, 0x9e3779b1);
    h ^= h >>> 16;
    const slot = h & this.mask;
    const W = FloatTextCache.WIDTH;
    const text = this.text;
    const len = this.lens[slot]!;
    if (len !== 0 && this.keys[slot] === bits) {
      for (let i = slot * W, end = i + len; i < end; i++) out[pos++] = text[i]!;
      return pos;
    }
    const end = putFloat32(x, out, pos);
    if (end - pos <= W) {
      this.keys[slot] = bits;
      this.lens[slot] = end - pos;
      for (let i = pos, j = slot * W; i < end; i++, j++) text[j] = out[i]!;
    }
    return end;
  }
}

/**
 * Entries of order k sorted like lmplz output (by reversed n-gram: last word, then the one before…):
 * by (rank of the suffix entry, first word), as two stable counting sorts (LSD radix): by word, then by
 * suffix rank. Linear in the entries; no keys, no lookups.
 */
function suffixOrder(m: EstimatedModel): Uint32Array[] {
  const V = m.words.length;
  const identity = Uint32Array.from({ length: V }, (_, i) => i);
  const order: Uint32Array[] = [new Uint32Array(0), identity];
  const rank: Uint32Array[] = [new Uint32Array(0), identity];
  for (let k = 2; k <= m.order; k++) {
    const t = m.tables[k]!;
    const n = t.size;
    const word = t.word;
    const suffix = t.suffix;
    const lowerRank = rank[k - 1]!;
    // pass 1: by first word
    const byWord = new Uint32Array(n);
    const wc = new Uint32Array(V + 1);
    for (let e = 0; e < n; e++) wc[word[e]! + 1]!++;
    for (let w = 1; w <= V; w++) wc[w]! += wc[w - 1]!;
    for (let e = 0; e < n; e++) byWord[wc[word[e]!]!++] = e;
    // pass 2 (stable): by the suffix entry's rank
    const R = lowerRank.length;
    const rc = new Uint32Array(R + 1);
    for (let e = 0; e < n; e++) rc[lowerRank[suffix[e]!]! + 1]!++;
    for (let r = 1; r <= R; r++) rc[r]! += rc[r - 1]!;
    const ord = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const e = byWord[i]!;
      ord[rc[lowerRank[suffix[e]!]!]!++] = e;
    }
    order.push(ord);
    if (k === m.order) break; // no order above needs the ranks
    const rk = new Uint32Array(n);
    for (let i = 0; i < n; i++) rk[ord[i]!] = i;
    rank.push(rk);
  }
  return order;
}

/** Lines per gather batch in ArpaFormatter.fill(). */
const ARPA_BATCH = 4096;

/**
 * Formats an EstimatedModel as ARPA bytes, one buffer at a time: `fill()` is synchronous (so its loop is
 * optimised on the first call; an async function with a hot loop around `await` would run it unoptimised
 * once) and stops when the buffer holds a chunk; the caller writes it and calls again.
 */
class ArpaFormatter {
  /** Output buffer; `fill()` returns how many bytes of it are set. */
  buf: Uint8Array;
  private readonly chunk: number;
  private readonly N: number;
  private readonly ords: Uint32Array[];
  private readonly wordStart: Uint32Array;
  private readonly wordBytes: Uint8Array;
  private readonly tWord: Uint32Array[];
  private readonly tSuffix: Uint32Array[];
  private readonly ids: Uint32Array;
  private readonly cache = new FloatTextCache();
  /** Per batch of lines, the columns each line reads, gathered in tight loops (many loads in flight). */
  private readonly gEntry = new Uint32Array(ARPA_BATCH);
  private readonly gWord = new Uint32Array(ARPA_BATCH);
  private readonly gSuffix = new Uint32Array(ARPA_BATCH);
  private readonly gProb = new Float32Array(ARPA_BATCH);
  private readonly gBackoff = new Float32Array(ARPA_BATCH);
  private readonly gBackoffBits = new Uint32Array(this.gBackoff.buffer);
  /** Position: order k (N + 1 = the end line, N + 2 = done), entry i of it; -1 = the header. */
  private k = -1;
  private i = 0;
  private sectionOpen = false;

  constructor(
    private readonly m: EstimatedModel,
    chunk = 1 << 22,
  ) {
    this.chunk = chunk;
    this.N = m.order;
    this.buf = new Uint8Array(chunk + (1 << 16));
    const words = m.words;
    // vocabulary bytes: word w is wordBytes[wordStart[w] .. wordStart[w + 1]) (each word encoded on its own)
    this.wordStart = new Uint32Array(words.length + 1);
    for (let w = 0; w < words.length; w++) this.wordStart[w + 1] = this.wordStart[w]! + Buffer.byteLength(words[w]!, 'utf8');
    const bytes = Buffer.allocUnsafe(this.wordStart[words.length]!);
    for (let w = 0; w < words.length; w++) bytes.write(words[w]!, this.wordStart[w]!, 'utf8');
    // plain Uint8Arrays in the formatting loop (element access on Buffer measured slower there)
    this.wordBytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    this.tWord = m.tables.map((t) => t.word);
    this.tSuffix = m.tables.map((t) => t.suffix);
    this.ids = new Uint32Array(this.N);
    this.ords = suffixOrder(m);
  }

  get done(): boolean {
    return this.k > this.N + 1;
  }

  private ascii(str: string, pos: number): number {
    const buf = this.buf;
    for (let i = 0; i < str.length; i++) buf[pos++] = str.charCodeAt(i);
    return pos;
  }

  /** Fill `buf` from 0 with the next lines (at least one unless done); returns the byte count. */
  fill(): number {
    const { N, m, wordStart, wordBytes, tWord, tSuffix, ids, cache } = this;
    let pos = 0;
    if (this.k === -1) {
      pos = this.ascii('\\data\\\n', pos);
      for (let k = 1; k <= N; k++) pos = this.ascii(`ngram ${k}=${m.counts[k - 1]}\n`, pos);
      this.k = 1;
      this.i = 0;
    }
    // a line: two numbers (≤ 24 bytes each as putFloat32 prints them), k − 1 spaces, 2 tabs, newline, the words
    const SLACK = 64 + N;
    while (this.k <= N) {
      const k = this.k;
      if (!this.sectionOpen) {
        pos = this.ascii(`\n\\${k}-grams:\n`, pos);
        this.sectionOpen = true;
      }
      const lp = m.logProb[k]!;
      const lb = k < N ? m.logBackoff[k]! : null;
      const ord = this.ords[k]!;
      const { gEntry, gWord, gSuffix, gProb, gBackoff, gBackoffBits } = this;
      const tw = tWord[k]!;
      const ts = tSuffix[k]!;
      let buf = this.buf;
      let i = this.i;
      // In suffix order the n-grams that share their last k − 1 words (one suffix entry) are adjacent:
      // the words of the suffix entry are looked up once per run.
      let prevSuffix = -1;
      let suffixBytes = 0;
      let full = false;
      while (i < ord.length && !full) {
        const n = Math.min(ARPA_BATCH, ord.length - i);
        for (let j = 0; j < n; j++) gEntry[j] = ord[i + j]!;
        for (let j = 0; j < n; j++) gProb[j] = lp[gEntry[j]!]!;
        if (lb) for (let j = 0; j < n; j++) gBackoff[j] = lb[gEntry[j]!]!;
        if (k > 1) {
          for (let j = 0; j < n; j++) gWord[j] = tw[gEntry[j]!]!;
          for (let j = 0; j < n; j++) gSuffix[j] = ts[gEntry[j]!]!;
        }
        let j = 0;
        for (; j < n; j++) {
          if (pos >= this.chunk) {
            full = true;
            break;
          }
          let bytes = SLACK;
          if (k === 1) {
            const e = gEntry[j]!;
            ids[0] = e;
            bytes += wordStart[e + 1]! - wordStart[e]!;
          } else {
            const w0 = gWord[j]!;
            ids[0] = w0;
            const s1 = gSuffix[j]!;
            if (s1 !== prevSuffix) {
              prevSuffix = s1;
              suffixBytes = 0;
              let s = s1;
              for (let q = 1; q < k - 1; q++) {
                const w = tWord[k - q]![s]!;
                ids[q] = w;
                suffixBytes += wordStart[w + 1]! - wordStart[w]!;
                s = tSuffix[k - q]![s]!;
              }
              ids[k - 1] = s;
              suffixBytes += wordStart[s + 1]! - wordStart[s]!;
            }
            bytes += wordStart[w0 + 1]! - wordStart[w0]! + suffixBytes;
          }
          if (pos + bytes > buf.length) {
            if (pos > 0) {
              full = true; // write what there is first
              break;
            }
            buf = this.buf = new Uint8Array(bytes); // one line longer than the buffer
          }
          pos = putFloat32(gProb[j]!, buf, pos);
          buf[pos++] = 9; // '\t'
          for (let q = 0; q < k; q++) {
            if (q > 0) buf[pos++] = 32;
            const w = ids[q]!;
            const wEnd = wordStart[w + 1]!;
            for (let b = wordStart[w]!; b < wEnd; b++) buf[pos++] = wordBytes[b]!;
          }
          if (lb) {
            buf[pos++] = 9;
            pos = cache.put(gBackoff[j]!, gBackoffBits[j]!, buf, pos);
          }
          buf[pos++] = 10; // '\n'
        }
        i += j;
      }
      this.i = i;
      if (i < ord.length) return pos;
      this.k++;
      this.i = 0;
      this.sectionOpen = false;
    }
    if (this.k === N + 1) {
      if (pos + 16 > this.buf.length) return pos;
      pos = this.ascii('\n\\end\\\n', pos);
      this.k++;
    }
    return pos;
  }
}

/**
 * Write the model as an ARPA file (atomically: temp file in the same folder, then rename). Lines are
 * assembled as bytes (words UTF-8-encoded once, numbers by putFloat32, backoffs through a cache) and written in
 * chunks of about 4 MiB.
 */
export async function writeArpa(m: EstimatedModel, file: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await fs.open(tmp, 'w');
  try {
    const fmt = new ArpaFormatter(m);
    while (!fmt.done) {
      const n = fmt.fill();
      const buf = fmt.buf;
      for (let off = 0; off < n; ) off += (await fh.write(buf, off, n - off)).bytesWritten;
    }
    await fh.close();
    await fs.rename(tmp, file);
  } catch (e) {
    await fh.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw e;
  }
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
    stream = corpus === '-' ? process.stdin : createReadStream(corpus, { encoding: 'utf8' });
  } catch (e) {
    throw new UserError(`cannot read the corpus: ${(e as Error).message}`, { source: corpus, cause: e });
  }
  const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    counter.addSentence(line, `${corpus}:${lineNo}`);
  }
  const result = estimate(counter, options);
  return { ...result, counter };
}
