import { promises as fs } from 'node:fs';
import path from 'node:path';
import { registerTemp, releaseTemp, removeTemp, tempSibling } from '../util/temp-files.js';
import type { EstimatedModel } from './estimate.js';
import { AUX, COUNT, REC, SUF, WORD } from './count.js';

/*
 * ARPA writing stage (lmplz's output): shortest float32 decimals as lmplz prints them (double-conversion's
 * shortest-single mode), n-grams in suffix order (reversed word ids), assembled as bytes and written
 * atomically (temp file beside the output, then rename).
 */

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
    if (s >= 0 && s <= 22) v = Math.round(a * POW10[s]) / POW10[s];
    else if (s < 0 && s >= -22) v = Math.round(a / POW10[-s]) * POW10[-s];
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
    out[--q] = DIGIT_PAIRS[r + 1];
    out[--q] = DIGIT_PAIRS[r];
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
  // The shortest round-tripping digit count p is found as formatFloat32's search upwards from 1 would find
  // it, but starting in the middle: round-tripping is monotonic in p (the (p+1)-digit grid contains the
  // p-digit one, so its nearest candidate is no farther), so when 7 digits fail so do 1..6, and the search
  // goes on at 8; when they succeed it restarts at 1. Most log10 values need 8 or 9 digits. Checked equal to
  // the upward search for every float32 in [1e-13, 10) (bench/put-float32-check.mjs).
  let p = 7;
  if (Math.fround(Math.round(a * POW10_F64[6 - e]) / POW10_F64[6 - e]) === a) p = 1;
  for (; p <= 9; p++) {
    let s = p - 1 - e;
    const m = Math.round(a * POW10_F64[s]);
    if (Math.fround(m / POW10_F64[s]) !== a) continue;
    let mi = m | 0;
    if (mi <= 0 || mi !== m) break;
    for (let q = (mi / 10) | 0; mi === q * 10; q = (mi / 10) | 0) {
      mi = q;
      s--;
    }
    let k = 1; // digits of mi
    while (k < 10 && mi >= POW10_I32[k]) k++;
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
    const ip = (mi / POW10_I32[f]) | 0;
    putDigits(ip, n, out, pos + n);
    out[pos + n] = 46;
    putDigits(mi - ip * POW10_I32[f], f, out, pos + k + 1);
    return pos + k + 1;
  }
  return putFormatted(x, out, pos);
}

/**
 * Direct-mapped cache of printed float32 values keyed by their bits, for the backoffs: they repeat (en
 * order 4: 3.3 k distinct among 250 k), so copying ≤ 24 bytes replaces most digit searches. (Probabilities
 * are mostly distinct, 290 k among 420 k; a cache for them measured no faster than putFloat32.)
 */
export class FloatTextCache {
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
    const len = this.lens[slot];
    if (len !== 0 && this.keys[slot] === bits) {
      for (let i = slot * W, end = i + len; i < end; i++) out[pos++] = text[i];
      return pos;
    }
    const end = putFloat32(x, out, pos);
    if (end - pos <= W) {
      this.keys[slot] = bits;
      this.lens[slot] = end - pos;
      for (let i = pos, j = slot * W; i < end; i++, j++) text[j] = out[i];
    }
    return end;
  }
}

/**
 * Entries of order k sorted like lmplz output (by reversed n-gram: last word, then the one before…):
 * by (rank of the suffix entry, first word), as two stable counting sorts (LSD radix): by word, then by
 * suffix rank. Linear in the entries; no keys, no lookups. Also, per position in that order, the rank
 * of the entry's suffix (non-decreasing: the writer reads the suffix's words sequentially through it).
 */
function suffixOrder(m: EstimatedModel): { order: Uint32Array[]; suffixRank: Uint32Array[] } {
  const V = m.words.length;
  const identity = Uint32Array.from({ length: V }, (_, i) => i);
  const order: Uint32Array[] = [new Uint32Array(0), identity];
  const suffixRank: Uint32Array[] = [new Uint32Array(0), new Uint32Array(0)];
  let lowerRank = identity;
  for (let k = 2; k <= m.order; k++) {
    const t = m.tables[k];
    const n = t.size;
    const rec = t.rec;
    // pass 1: by first word
    const byWord = new Uint32Array(n);
    const wc = new Uint32Array(V + 1);
    for (let e = 0, q = WORD; e < n; e++, q += REC) wc[rec[q] + 1]++;
    for (let w = 1; w <= V; w++) wc[w] += wc[w - 1];
    for (let e = 0, q = WORD; e < n; e++, q += REC) byWord[wc[rec[q]]++] = e;
    // pass 2 (stable): by the suffix entry's rank
    const R = lowerRank.length;
    const rc = new Uint32Array(R + 1);
    const sufRank = new Uint32Array(n);
    for (let e = 0, q = SUF; e < n; e++, q += REC) rc[(sufRank[e] = lowerRank[rec[q]]) + 1]++;
    for (let r = 1; r <= R; r++) rc[r] += rc[r - 1];
    const ord = new Uint32Array(n);
    const sr = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const e = byWord[i];
      const r = sufRank[e];
      const to = rc[r]++;
      ord[to] = e;
      sr[to] = r;
    }
    order.push(ord);
    suffixRank.push(sr);
    if (k === m.order) break; // no order above needs the ranks
    const rk = new Uint32Array(n);
    for (let i = 0; i < n; i++) rk[ord[i]] = i;
    lowerRank = rk;
  }
  return { order, suffixRank };
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
  private readonly suffixRanks: Uint32Array[];
  private readonly wordStart: Uint32Array;
  private readonly wordBytes: Uint8Array;
  private readonly tRec: Uint32Array[];
  private readonly ids: Uint32Array;
  private readonly cache = new FloatTextCache();
  /** Per batch of lines, the fields each line reads, gathered in tight loops (many loads in flight). */
  private readonly gEntry = new Uint32Array(ARPA_BATCH);
  private readonly gWord = new Uint32Array(ARPA_BATCH);
  private readonly gKeep = new Uint8Array(ARPA_BATCH);
  private readonly gProb = new Float32Array(ARPA_BATCH);
  private readonly gProbBits = new Uint32Array(this.gProb.buffer);
  private readonly gBackoff = new Float32Array(ARPA_BATCH);
  private readonly gBackoffBits = new Uint32Array(this.gBackoff.buffer);
  /** Position: order k (N + 1 = the end line, N + 2 = done), entry i of it; -1 = the header. */
  private k = -1;
  private i = 0;
  private sectionOpen = false;
  /**
   * Word ids of the order below's n-grams in output order (k − 1 per n-gram, first word first), and
   * those of the order being written (for the next one): the suffix of a line is read from there,
   * sequentially, instead of by walking suffix entries down the tables (a chain of cache misses).
   */
  private prevWords: Uint32Array = new Uint32Array(0);
  private curWords: Uint32Array | null = null;

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
    for (let w = 0; w < words.length; w++) this.wordStart[w + 1] = this.wordStart[w] + Buffer.byteLength(words[w], 'utf8');
    const bytes = Buffer.allocUnsafe(this.wordStart[words.length]);
    for (let w = 0; w < words.length; w++) bytes.write(words[w], this.wordStart[w], 'utf8');
    // plain Uint8Arrays in the formatting loop (element access on Buffer measured slower there)
    this.wordBytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    this.tRec = m.tables.map((t) => t.rec);
    this.ids = new Uint32Array(this.N);
    const { order, suffixRank } = suffixOrder(m);
    this.ords = order;
    this.suffixRanks = suffixRank;
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
    const { N, m, wordStart, wordBytes, tRec, ids, cache } = this;
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
        if (k >= 2) this.curWords = k < N ? new Uint32Array(this.ords[k].length * k) : null;
      }
      const hasBackoff = k < N;
      const ord = this.ords[k];
      const sufRank = this.suffixRanks[k];
      const keep = m.keep?.[k];
      const { gEntry, gWord, gKeep, gProb, gProbBits, gBackoff, gBackoffBits, prevWords, curWords } = this;
      const rec = tRec[k];
      let buf = this.buf;
      let i = this.i;
      let full = false;
      while (i < ord.length && !full) {
        const n = Math.min(ARPA_BATCH, ord.length - i);
        for (let j = 0; j < n; j++) gEntry[j] = ord[i + j];
        if (keep) for (let j = 0; j < n; j++) gKeep[j] = keep[gEntry[j]];
        else gKeep.fill(1, 0, n);
        if (k === 1) {
          const lp = m.unigramLogProb;
          const lb = m.unigramLogBackoff;
          for (let j = 0; j < n; j++) gProb[j] = lp[gEntry[j]];
          for (let j = 0; j < n; j++) gBackoff[j] = lb[gEntry[j]];
        } else {
          // one record per line: word, log10 p and backoff bits share a cache line
          for (let j = 0; j < n; j++) {
            const q = gEntry[j] * REC;
            gWord[j] = rec[q + WORD];
            gProbBits[j] = rec[q + COUNT];
            gBackoffBits[j] = rec[q + AUX];
          }
        }
        let j = 0;
        for (; j < n; j++) {
          if (pos >= this.chunk) {
            full = true;
            break;
          }
          if (k === 1) ids[0] = gEntry[j];
          else {
            ids[0] = gWord[j];
            const r = sufRank[i + j];
            if (k === 2) ids[1] = r;
            else for (let q = 1, p = r * (k - 1); q < k; q++, p++) ids[q] = prevWords[p];
            if (curWords) for (let q = 0, p = (i + j) * k; q < k; q++, p++) curWords[p] = ids[q];
          }
          if (gKeep[j] === 0) continue; // pruned: not written (its words are still needed above)
          let bytes = SLACK;
          for (let q = 0; q < k; q++) bytes += wordStart[ids[q] + 1] - wordStart[ids[q]];
          if (pos + bytes > buf.length) {
            if (pos > 0) {
              full = true; // write what there is first
              break;
            }
            buf = this.buf = new Uint8Array(bytes); // one line longer than the buffer
          }
          pos = putFloat32(gProb[j], buf, pos);
          buf[pos++] = 9; // '\t'
          for (let q = 0; q < k; q++) {
            if (q > 0) buf[pos++] = 32;
            const w = ids[q];
            const wEnd = wordStart[w + 1];
            for (let b = wordStart[w]; b < wEnd; b++) buf[pos++] = wordBytes[b];
          }
          if (hasBackoff) {
            buf[pos++] = 9;
            pos = cache.put(gBackoff[j], gBackoffBits[j], buf, pos);
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
      this.prevWords = this.curWords ?? new Uint32Array(0);
      this.curWords = null;
      // written orders' arrays are not needed any more
      this.ords[k] = new Uint32Array(0);
      this.suffixRanks[k] = new Uint32Array(0);
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
  const tmp = tempSibling(file);
  registerTemp(tmp);
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
    releaseTemp(tmp);
  } catch (e) {
    await fh.close().catch(() => {});
    removeTemp(tmp);
    throw e;
  }
}

/**
 * ARPA text written line by line from streamed n-grams (the bounded-memory estimator's output), with the
 * same bytes as ArpaFormatter: words UTF-8-encoded once, numbers by putFloat32, backoffs through a cache.
 */
export class ArpaLineWriter {
  private readonly wordStart: Uint32Array;
  private readonly wordBytes: Uint8Array;
  private readonly cache = new FloatTextCache();
  private buf = new Uint8Array(1 << 20);
  private pos = 0;
  private fh: fs.FileHandle | undefined;

  constructor(words: readonly string[]) {
    this.wordStart = new Uint32Array(words.length + 1);
    for (let w = 0; w < words.length; w++) this.wordStart[w + 1] = this.wordStart[w] + Buffer.byteLength(words[w], 'utf8');
    const bytes = Buffer.allocUnsafe(this.wordStart[words.length]);
    for (let w = 0; w < words.length; w++) bytes.write(words[w], this.wordStart[w], 'utf8');
    this.wordBytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  async open(file: string): Promise<void> {
    this.fh = await fs.open(file, 'w');
  }

  /** True when the buffer should be written out (flush()) before more lines. */
  get full(): boolean {
    return this.pos >= this.buf.length - (1 << 16);
  }

  async flush(): Promise<void> {
    const n = this.pos;
    for (let off = 0; off < n; ) off += (await this.fh!.write(this.buf, off, n - off)).bytesWritten;
    this.pos = 0;
  }

  text(s: string): void {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const b = new Uint8Array(Math.max(2 * this.buf.length, this.pos + bytes));
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
  }

  /**
   * One n-gram line: log10 p, the words (ids reversed: rev[k − 1] is the first word), and the backoff
   * (with its float32 bits) unless `hasBackoff` is false.
   */
  line(logProb: number, rev: ArrayLike<number>, k: number, hasBackoff: boolean, backoff: number, backoffBits: number): void {
    const { wordStart, wordBytes } = this;
    let bytes = 64 + k;
    for (let q = 0; q < k; q++) bytes += wordStart[rev[q] + 1] - wordStart[rev[q]];
    this.ensure(bytes);
    const buf = this.buf;
    let pos = putFloat32(logProb, buf, this.pos);
    buf[pos++] = 9;
    for (let q = k - 1; q >= 0; q--) {
      const w = rev[q];
      const end = wordStart[w + 1];
      for (let b = wordStart[w]; b < end; b++) buf[pos++] = wordBytes[b];
      if (q > 0) buf[pos++] = 32;
    }
    if (hasBackoff) {
      buf[pos++] = 9;
      pos = this.cache.put(backoff, backoffBits, buf, pos);
    }
    buf[pos++] = 10;
    this.pos = pos;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.fh?.close();
    this.fh = undefined;
  }
}
