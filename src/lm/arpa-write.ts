import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { registerTemp, releaseTemp, removeTemp, tempSibling } from '../util/temp-files.js';
import type { EstimatedModel } from './estimate.js';
import { AUX, COUNT, REC, SUF, WORD, sharedUint32 } from './count.js';

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

/** A zeroed Uint32Array, on a SharedArrayBuffer when a worker thread is to read it. */
function u32(length: number, shared: boolean): Uint32Array {
  return shared ? sharedUint32(length) : new Uint32Array(length);
}

/**
 * Everything the n-gram lines of an estimated model are printed from. In the two-thread writer every
 * array is on a SharedArrayBuffer (the counter's records already are), so posting it to the worker
 * shares it instead of copying it.
 */
export interface ArpaSource {
  order: number;
  /** word w is wordBytes[wordStart[w] .. wordStart[w + 1]) (UTF-8) */
  wordStart: Uint32Array;
  wordBytes: Uint8Array;
  /** the longest word's byte length (a line's size is bounded by it) */
  maxWordBytes: number;
  unigramLogProb: Float32Array;
  unigramLogBackoff: Float32Array;
  /** per order k ≥ 2: the table's records (word, float32 bits of log10 p and of the backoff) */
  recs: Uint32Array[];
  /** per order k: its entries in output (suffix) order */
  ords: Uint32Array[];
  /** per order k ≥ 2, per position in output order: the rank of the entry's suffix in the order below */
  suffixRanks: Uint32Array[];
  /** per order k: 1 = written, 0 = pruned; undefined when nothing is pruned */
  keep?: Uint8Array[];
}

/** The ArpaSource of a model (`shared`: every array on a SharedArrayBuffer, for a worker thread). */
function arpaSource(m: EstimatedModel, shared: boolean, sorted?: SuffixOrder): ArpaSource {
  const words = m.words;
  const wordStart = u32(words.length + 1, shared);
  let maxWordBytes = 0;
  for (let w = 0; w < words.length; w++) {
    const len = Buffer.byteLength(words[w], 'utf8');
    if (len > maxWordBytes) maxWordBytes = len;
    wordStart[w + 1] = wordStart[w] + len;
  }
  const total = wordStart[words.length];
  // plain Uint8Arrays in the formatting loop (element access on Buffer measured slower there)
  const wordBytes = new Uint8Array(shared ? new SharedArrayBuffer(total) : new ArrayBuffer(total));
  const asBuffer = Buffer.from(wordBytes.buffer, wordBytes.byteOffset, total);
  for (let w = 0; w < words.length; w++) asBuffer.write(words[w], wordStart[w], 'utf8');
  const f32 = (a: Float32Array): Float32Array => {
    if (!shared) return a;
    const c = new Float32Array(new SharedArrayBuffer(a.byteLength));
    c.set(a);
    return c;
  };
  const u8 = (a: Uint8Array): Uint8Array => {
    if (!shared) return a;
    const c = new Uint8Array(new SharedArrayBuffer(a.byteLength));
    c.set(a);
    return c;
  };
  const { recs, sizes } = tablesOf(m);
  const { order, suffixRank } = sorted ?? suffixOrder(recs, sizes, words.length, shared);
  return {
    order: m.order,
    wordStart,
    wordBytes,
    maxWordBytes,
    unigramLogProb: f32(m.unigramLogProb),
    unigramLogBackoff: f32(m.unigramLogBackoff),
    recs,
    ords: order,
    suffixRanks: suffixRank,
    keep: m.keep?.map(u8),
  };
}

/** Per order k: its entries in output order, and per position the rank of the entry's suffix (k ≥ 2). */
export interface SuffixOrder {
  order: Uint32Array[];
  suffixRank: Uint32Array[];
}

/** The records and sizes of a model's tables, index k (what suffixOrder reads: a table's SUF and WORD fields). */
export function tablesOf(m: { tables: { rec: Uint32Array; size: number }[]; words: readonly string[] }): { recs: Uint32Array[]; sizes: number[] } {
  return {
    recs: m.tables.map((t, k) => (k < 2 ? new Uint32Array(0) : t.rec)),
    sizes: m.tables.map((t, k) => (k === 1 ? m.words.length : k < 1 ? 0 : t.size)),
  };
}

/**
 * Entries of order k sorted like lmplz output (by reversed n-gram: last word, then the one before…):
 * by (rank of the suffix entry, first word), as two stable counting sorts (LSD radix): by word, then by
 * suffix rank. Linear in the entries; no keys, no lookups. Also, per position in that order, the rank
 * of the entry's suffix (non-decreasing: the writer reads the suffix's words sequentially through it).
 */
export function suffixOrder(recs: readonly Uint32Array[], sizes: readonly number[], V: number, shared: boolean): SuffixOrder {
  const N = sizes.length - 1;
  const identity = u32(V, shared);
  for (let i = 0; i < V; i++) identity[i] = i;
  const order: Uint32Array[] = [new Uint32Array(0), identity];
  const suffixRank: Uint32Array[] = [new Uint32Array(0), new Uint32Array(0)];
  let lowerRank = identity;
  for (let k = 2; k <= N; k++) {
    const n = sizes[k];
    const rec = recs[k];
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
    const ord = u32(n, shared);
    const sr = u32(n, shared);
    for (let i = 0; i < n; i++) {
      const e = byWord[i];
      const r = sufRank[e];
      const to = rc[r]++;
      ord[to] = e;
      sr[to] = r;
    }
    order.push(ord);
    suffixRank.push(sr);
    if (k === N) break; // no order above needs the ranks
    const rk = new Uint32Array(n);
    for (let i = 0; i < n; i++) rk[ord[i]] = i;
    lowerRank = rk;
  }
  return { order, suffixRank };
}

/** Lines per gather batch in LineFormatter.format(). */
const ARPA_BATCH = 4096;
const NO_RECORDS = new Uint32Array(0);

/**
 * Prints n-gram lines of an ArpaSource as bytes: any range of lines of one order, given the words of
 * the order below in output order (so the main thread and the worker can each print any block of
 * lines). Fields are gathered per batch of lines in tight loops (many loads in flight), then printed.
 */
export class LineFormatter {
  /** The first line not printed by the last format() call. */
  next = 0;
  /** Bytes `out` must have beyond format()'s `limit` (one line past it). */
  readonly lineRoom: number;
  private readonly ids: Uint32Array;
  private readonly cache = new FloatTextCache();
  private readonly gEntry = new Uint32Array(ARPA_BATCH);
  private readonly gWord = new Uint32Array(ARPA_BATCH);
  private readonly gKeep = new Uint8Array(ARPA_BATCH);
  private readonly gProb = new Float32Array(ARPA_BATCH);
  private readonly gProbBits = new Uint32Array(this.gProb.buffer);
  private readonly gBackoff = new Float32Array(ARPA_BATCH);
  private readonly gBackoffBits = new Uint32Array(this.gBackoff.buffer);

  constructor(private readonly src: ArpaSource) {
    this.ids = new Uint32Array(src.order);
    // two numbers (≤ 24 bytes each as putFloat32 prints them), k − 1 spaces, 2 tabs, a newline, the words
    this.lineRoom = 64 + src.order * (src.maxWordBytes + 1);
  }

  /**
   * Print lines i … end − 1 of order k at out[pos …] while pos < limit (out must hold lineRoom bytes past
   * limit); returns the end position, and `next` is the first line not printed. `prevWords`: the word ids of
   * order k − 1 in output order (k − 1 per n-gram); `curWords` (k < N, else null) receives these lines'
   * words, pruned lines' too (the order above still needs them).
   */
  format(k: number, i: number, end: number, prevWords: Uint32Array, curWords: Uint32Array | null, out: Uint8Array, pos: number, limit: number): number {
    const src = this.src;
    const { wordStart, wordBytes } = src;
    const { ids, cache, gEntry, gWord, gKeep, gProb, gProbBits, gBackoff, gBackoffBits } = this;
    const hasBackoff = k < src.order;
    const ord = src.ords[k];
    const sufRank = src.suffixRanks[k];
    const keep = src.keep?.[k];
    const rec = k >= 2 ? src.recs[k] : NO_RECORDS;
    while (i < end) {
      const n = Math.min(ARPA_BATCH, end - i);
      for (let j = 0; j < n; j++) gEntry[j] = ord[i + j];
      if (keep) for (let j = 0; j < n; j++) gKeep[j] = keep[gEntry[j]];
      else gKeep.fill(1, 0, n);
      if (k === 1) {
        const lp = src.unigramLogProb;
        const lb = src.unigramLogBackoff;
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
        if (pos >= limit) break;
        if (k === 1) ids[0] = gEntry[j];
        else {
          ids[0] = gWord[j];
          const r = sufRank[i + j];
          if (k === 2) ids[1] = r;
          else for (let q = 1, p = r * (k - 1); q < k; q++, p++) ids[q] = prevWords[p];
          if (curWords) for (let q = 0, p = (i + j) * k; q < k; q++, p++) curWords[p] = ids[q];
        }
        if (gKeep[j] === 0) continue; // pruned: not written (its words are still needed above)
        pos = putFloat32(gProb[j], out, pos);
        out[pos++] = 9; // '\t'
        for (let q = 0; q < k; q++) {
          if (q > 0) out[pos++] = 32;
          const w = ids[q];
          const wEnd = wordStart[w + 1];
          for (let b = wordStart[w]; b < wEnd; b++) out[pos++] = wordBytes[b];
        }
        if (hasBackoff) {
          out[pos++] = 9;
          pos = cache.put(gBackoff[j], gBackoffBits[j], out, pos);
        }
        out[pos++] = 10; // '\n'
      }
      i += j;
      if (j < n) break;
    }
    this.next = i;
    return pos;
  }
}

/** Bytes per output chunk of the in-memory writer (and of the worker's blocks). */
const CHUNK_BYTES = 1 << 20;
/** Writes in flight at once (each on a buffer of its own). */
const WRITES_IN_FLIGHT = 4;

/** Write buf[0, n) at `at` (all of it). */
async function writeAt(fh: fs.FileHandle, buf: Uint8Array, n: number, at: number): Promise<void> {
  for (let off = 0; off < n; ) off += (await fh.write(buf, off, n - off, at + off)).bytesWritten;
}

/**
 * Appends buffers to a file by position, several writes in flight (the thread pool does them while
 * the caller prints the next chunk); a buffer is handed to `done` once written, to be reused.
 */
class PipelinedFileWriter {
  private offset = 0;
  private readonly inFlight: Promise<void>[] = [];
  constructor(private readonly fh: fs.FileHandle) {}
  async write(buf: Uint8Array, n: number, done: (buf: Uint8Array) => void): Promise<void> {
    if (n === 0) {
      done(buf);
      return;
    }
    const p = writeAt(this.fh, buf, n, this.offset).then(() => done(buf));
    p.catch(() => {}); // awaited below; this only keeps a failure from counting as unhandled meanwhile
    this.offset += n;
    this.inFlight.push(p);
    if (this.inFlight.length >= WRITES_IN_FLIGHT) await this.inFlight.shift();
  }
  async finish(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight.shift();
  }
}

/** The build's worker thread (build-worker.ts; absent when running from the TypeScript sources). */
const workerUrl = new URL('./build-worker.js', import.meta.url);

/** Options of writeArpa (defaults: ARPA_WRITER_DEFAULTS). */
export interface ArpaWriteOptions {
  /** A second thread prints blocks of lines (about half of them) of a model with at least this many n-grams. */
  parallelMinNgrams?: number;
  /** Lines per block handed to the second thread. */
  blockLines?: number;
  /** A worker already started with startBuildWorker() (it starts while the caller estimates); the caller terminates it. */
  worker?: Worker;
  /** The suffix order, sorted by that worker (sortInWorker) while the caller estimated. */
  sorted?: Promise<SuffixOrder>;
}

/**
 * Have `worker` sort the tables into suffix order (suffixOrder reads only the records' suffix and word
 * fields, which estimation does not change: the caller estimates meanwhile).
 */
export function sortInWorker(worker: Worker, tables: { recs: Uint32Array[]; sizes: number[] }): Promise<SuffixOrder> {
  return new Promise<SuffixOrder>((resolve, reject) => {
    worker.ref(); // awaited with nothing else pending, an unref'd worker's answer would not keep the process alive
    const done = (): void => {
      worker.unref();
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: ArpaWorkerReply): void => {
      if (m.type === 'sorted') {
        done();
        resolve(m.sorted);
      } else if (m.type === 'error') {
        done();
        reject(new Error(`ARPA writer thread: ${m.message}`));
      }
    };
    const onError = (e: Error): void => {
      done();
      reject(e);
    };
    const onExit = (code: number): void => {
      done();
      reject(new Error(`ARPA writer thread exited (code ${code})`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ type: 'sort', ...tables } satisfies ArpaWorkerRequest);
  });
}

export const ARPA_WRITER_DEFAULTS = { parallelMinNgrams: 500_000, blockLines: 1 << 15 } as const;

/**
 * Start the build's worker thread (build-worker.ts: it counts the higher orders, sorts and prints ARPA
 * lines), or undefined when its script is not there (running from the TypeScript sources). Its
 * start-up overlaps whatever the caller does next.
 */
export function startBuildWorker(): Worker | undefined {
  if (workerUrl.protocol !== 'file:' || !existsSync(fileURLToPath(workerUrl))) return undefined;
  const w = new Worker(workerUrl);
  w.unref();
  return w;
}

/** Messages of the two-thread writer. */
export type ArpaWorkerRequest =
  | { type: 'sort'; recs: Uint32Array[]; sizes: number[] }
  | { type: 'source'; source: ArpaSource }
  /** print blocks of order k, claiming each through `claim` (shared with the main thread), until none is left */
  | { type: 'order'; k: number; prevWords: Uint32Array; curWords: Uint32Array | null; claim: Int32Array; blocks: number; blockLines: number; lines: number }
  /** a buffer the worker sent, written: to be reused */
  | { type: 'recycle'; buffer: ArrayBuffer };
export type ArpaWorkerReply =
  | { type: 'sorted'; sorted: SuffixOrder }
  | { type: 'block'; block: number; buffers: ArrayBuffer[]; lengths: number[] }
  | { type: 'error'; message: string; stack?: string };

function ascii(str: string, out: Uint8Array, pos: number): number {
  for (let i = 0; i < str.length; i++) out[pos++] = str.charCodeAt(i);
  return pos;
}

/**
 * Write the model as an ARPA file (atomically: temp file in the same folder, then rename). Lines are
 * assembled as bytes (words UTF-8-encoded once, numbers by putFloat32, backoffs through a cache) in
 * chunks of 1 MiB, written while the next ones are printed.
 *
 * Threads: a model with at least `parallelMinNgrams` n-grams is printed by two threads (lmplz also runs
 * its stages on threads of their own): the suffix-order sort is done by the worker (build-worker.ts)
 * when the caller passes `sorted` (buildArpa: while it estimates), else here; then each order's blocks of
 * `blockLines` lines are claimed by either thread through a shared counter (printArpa), the worker
 * printing its blocks into buffers it transfers back, and this thread writes all of them in file order.
 * The tables are SharedArrayBuffers, read by both threads and never
 * written while they print; the words of each order in output order (which the next order's lines are
 * printed from) are filled by both, each for its own blocks, and an order starts once both finished the
 * one below. The bytes do not depend on who printed what.
 */
export async function writeArpa(m: EstimatedModel, file: string, options: ArpaWriteOptions = {}): Promise<void> {
  const parallelMin = options.parallelMinNgrams ?? ARPA_WRITER_DEFAULTS.parallelMinNgrams;
  const blockLines = Math.max(1, options.blockLines ?? ARPA_WRITER_DEFAULTS.blockLines);
  const ngrams = m.tables.reduce((s, t, k) => s + (k >= 2 ? t.size : 0), m.words.length);
  let worker = options.worker;
  let ownWorker = false;
  if (!worker && ngrams >= parallelMin) {
    worker = startBuildWorker();
    ownWorker = worker !== undefined;
  }
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempSibling(file);
  registerTemp(tmp);
  const fh = await fs.open(tmp, 'w');
  try {
    const sorted = worker && options.sorted ? await options.sorted : undefined;
    await printArpa(m, fh, worker, blockLines, sorted);
    await fh.close();
    await fs.rename(tmp, file);
    releaseTemp(tmp);
  } catch (e) {
    await fh.close().catch(() => {});
    removeTemp(tmp);
    throw e;
  } finally {
    if (ownWorker) await worker!.terminate();
  }
}

/** Blocks this thread may print ahead of the one to be written next (while the worker prints that one). */
const BLOCKS_AHEAD = 4;

/** A block's text: buffers and how many bytes of each are set. */
interface PrintedBlock {
  buffers: Uint8Array[];
  lengths: number[];
}

/**
 * The ARPA text of `m` into `fh`, by this thread alone or with `worker`. Each order's blocks of lines
 * are claimed through a shared counter (Atomics.add) by whichever thread is free, so a worker that gets
 * little CPU (a loaded machine) prints few of them instead of holding this thread up; this thread
 * writes the blocks in order, printing later ones while it waits for one the worker claimed.
 */
async function printArpa(m: EstimatedModel, fh: fs.FileHandle, worker: Worker | undefined, blockLines: number, sorted?: SuffixOrder): Promise<void> {
  const N = m.order;
  const src = arpaSource(m, worker !== undefined, sorted);
  const fmt = new LineFormatter(src);
  const out = new PipelinedFileWriter(fh);
  const pool: Uint8Array[] = [];
  const recycle = (b: Uint8Array): void => void pool.push(b);
  const bufferBytes = CHUNK_BYTES + fmt.lineRoom;
  const printBlock = (k: number, start: number, end: number, prev: Uint32Array, cur: Uint32Array | null): PrintedBlock => {
    const block: PrintedBlock = { buffers: [], lengths: [] };
    for (let i = start; i < end; ) {
      const buf = pool.pop() ?? new Uint8Array(bufferBytes);
      block.lengths.push(fmt.format(k, i, end, prev, cur, buf, 0, CHUNK_BYTES));
      block.buffers.push(buf);
      i = fmt.next;
    }
    return block;
  };
  const writeText = (text: string): Promise<void> => {
    const b = new Uint8Array(text.length);
    return out.write(b, ascii(text, b, 0), () => {});
  };

  const helper = worker ? new WorkerBlocks(worker) : undefined;
  try {
    if (helper) helper.post({ type: 'source', source: src });
    let header = '\\data\\\n';
    for (let k = 1; k <= N; k++) header += `ngram ${k}=${m.counts[k - 1]}\n`;
    await writeText(header);
    let prev: Uint32Array = new Uint32Array(0);
    for (let k = 1; k <= N; k++) {
      await writeText(`\n\\${k}-grams:\n`);
      const n = src.ords[k].length;
      const cur = k >= 2 && k < N ? u32(n * k, helper !== undefined) : null;
      const blocks = Math.ceil(n / blockLines);
      const claim = new Int32Array(helper ? new SharedArrayBuffer(4) : new ArrayBuffer(4));
      if (helper && blocks > 1) helper.post({ type: 'order', k, prevWords: prev, curWords: cur, claim, blocks, blockLines, lines: n });
      const held = new Map<number, PrintedBlock>();
      for (let w = 0; w < blocks; ) {
        let block = held.get(w);
        if (block) held.delete(w);
        else if (helper?.has(w)) {
          const r = helper.result(w);
          for (let c = 0; c < r.buffers.length; c++) {
            const done = (b: Uint8Array): void => helper.post({ type: 'recycle', buffer: b.buffer as ArrayBuffer }, [b.buffer as ArrayBuffer]);
            await out.write(new Uint8Array(r.buffers[c]), r.lengths[c], done);
          }
          w++;
          continue;
        } else if (held.size < BLOCKS_AHEAD) {
          const b = Atomics.add(claim, 0, 1);
          if (b < blocks) {
            held.set(b, printBlock(k, b * blockLines, Math.min(n, (b + 1) * blockLines), prev, cur));
            continue;
          }
          await helper!.wait(w); // every block is claimed: w is the worker's
          continue;
        } else {
          await helper!.wait(w);
          continue;
        }
        for (let c = 0; c < block.buffers.length; c++) await out.write(block.buffers[c], block.lengths[c], recycle);
        w++;
      }
      prev = cur ?? new Uint32Array(0);
      // printed orders' arrays are not needed any more
      src.ords[k] = new Uint32Array(0);
      src.suffixRanks[k] = new Uint32Array(0);
    }
    await writeText('\n\\end\\\n');
    await out.finish();
  } finally {
    helper?.close();
  }
}

/** The main thread's side of the worker: posts requests, keeps the blocks it printed by number. */
class WorkerBlocks {
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly done = new Map<number, Extract<ArpaWorkerReply, { type: 'block' }>>();
  private failure: Error | undefined;
  private readonly onMessage = (m: ArpaWorkerReply): void => {
    if (m.type === 'error') {
      const e = new Error(`ARPA writer thread: ${m.message}`);
      if (m.stack) e.stack = m.stack;
      this.fail(e);
      return;
    }
    if (m.type !== 'block') return;
    this.done.set(m.block, m);
    const w = this.waiting.get(m.block);
    if (w) {
      this.waiting.delete(m.block);
      w.resolve();
    }
  };
  private readonly onError = (e: Error): void => this.fail(e);
  private readonly onExit = (code: number): void => this.fail(new Error(`ARPA writer thread exited (code ${code})`));

  constructor(private readonly worker: Worker) {
    worker.on('message', this.onMessage);
    worker.on('error', this.onError);
    worker.on('exit', this.onExit);
    worker.ref(); // while blocks are awaited, the worker keeps the process alive
  }
  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
  post(m: ArpaWorkerRequest, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(m, transfer);
  }
  /** True when the worker's text of `block` has arrived. */
  has(block: number): boolean {
    return this.done.has(block);
  }
  /** Until the worker's text of `block` has arrived. */
  wait(block: number): Promise<void> {
    if (this.done.has(block)) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.set(block, { resolve, reject }));
  }
  /** The worker's text of `block` (arrived: has()). */
  result(block: number): Extract<ArpaWorkerReply, { type: 'block' }> {
    const r = this.done.get(block)!;
    this.done.delete(block);
    return r;
  }
  close(): void {
    this.worker.off('message', this.onMessage);
    this.worker.off('error', this.onError);
    this.worker.off('exit', this.onExit);
    this.worker.unref();
  }
}

/**
 * ARPA text written line by line from streamed n-grams (the bounded-memory estimator's output), with the
 * same bytes as writeArpa: words UTF-8-encoded once, numbers by putFloat32, backoffs through a cache.
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
