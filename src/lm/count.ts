import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { UserError } from '../util/errors.js';
import { BOS, EOS, UNK } from './constants.js';
import { HASH_START, finishHash, hashByte, hashBytes } from './vocab.js';

/** lmplz's word delimiters in the corpus and the --limit_vocab_file (corpus_count.cc): NUL, tab, CR, space; lines end at LF. */
export const CORPUS_DELIMITERS = /[\0\t\r\n ]+/;

/**
 * Call `fn` with each line of a byte stream as buf[start, end) (valid until `fn` returns), in order. Lines end
 * at '\n' only: as in lmplz, a '\r' is whitespace inside a line (readline would also end a line at a lone
 * '\r'); a last line without '\n' counts when it is not empty. String chunks (a
 * stream with an encoding set) are encoded back to UTF-8.
 */
export async function forEachLineBytes(stream: NodeJS.ReadableStream, fn: (buf: Uint8Array, start: number, end: number) => void): Promise<void> {
  let tail: Buffer = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<string | Buffer>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const text = tail.length > 0 ? Buffer.concat([tail, bytes]) : bytes;
    let start = 0;
    for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, start)) {
      fn(text, start, i);
      start = i + 1;
    }
    tail = Buffer.from(text.subarray(start));
  }
  if (tail.length > 0) fn(tail, 0, tail.length);
}

/** lmplz's word delimiters as bytes (CORPUS_DELIMITERS without the line end). */
const IS_DELIM = new Uint8Array(256);
for (const c of [0, 9, 13, 32, 10]) IS_DELIM[c] = 1;

// ignoreBOM: a U+FEFF at the start of a word stays part of it, as the stream decoder kept it
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * Corpus words by their bytes: an open-addressing table of [hash, key] over byte strings (keys), each key
 * naming a word id. A word's id is that of its UTF-8 text as the former string reader decoded it, so that
 * the output does not change: a word that is not valid UTF-8 is a second key (an alias) for the id of its
 * decoded text (invalid sequences as U+FFFD), exactly as when the corpus was decoded to a string first.
 */
class CorpusWordTable {
  private table: Uint32Array;
  private mask: number;
  private keyBytes = new Uint8Array(1 << 16);
  private keyUsed = 0;
  private keyStart = new Uint32Array(1 << 10);
  private keyId = new Uint32Array(1 << 10);
  private keys = 0;

  constructor() {
    this.table = new Uint32Array(2 << 10);
    this.mask = (1 << 10) - 1;
  }

  /** Word id of the key bytes[start, end) with this hash (hashBytes), or −1. */
  find(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const t = this.table;
    const mask = this.mask;
    const len = end - start;
    let s = hash & mask;
    for (;;) {
      const k = t[2 * s + 1];
      if (k === 0) return -1;
      if (t[2 * s] === hash) {
        const o = this.keyStart[k - 1];
        if (this.keyStart[k] - o === len) {
          const kb = this.keyBytes;
          let i = 0;
          while (i < len && kb[o + i] === bytes[start + i]) i++;
          if (i === len) return this.keyId[k - 1];
        }
      }
      s = (s + 1) & mask;
    }
  }

  /** Add the key bytes[start, end) (known absent) for word `id`. */
  add(bytes: Uint8Array, start: number, end: number, hash: number, id: number): void {
    const len = end - start;
    if (this.keyUsed + len > this.keyBytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.keyBytes.length, this.keyUsed + len));
      grown.set(this.keyBytes.subarray(0, this.keyUsed));
      this.keyBytes = grown;
    }
    this.keyBytes.set(bytes.subarray(start, end), this.keyUsed);
    this.keyUsed += len;
    if (this.keys + 2 > this.keyStart.length) {
      const ks = new Uint32Array(2 * this.keyStart.length);
      ks.set(this.keyStart);
      this.keyStart = ks;
      const ki = new Uint32Array(2 * this.keyId.length);
      ki.set(this.keyId);
      this.keyId = ki;
    }
    this.keyId[this.keys] = id;
    this.keys++;
    this.keyStart[this.keys] = this.keyUsed;
    // load ≤ 1/2
    if (2 * this.keys > this.mask + 1) this.grow();
    else this.place(hash, this.keys);
  }

  private place(hash: number, key: number): void {
    const t = this.table;
    let s = hash & this.mask;
    while (t[2 * s + 1] !== 0) s = (s + 1) & this.mask;
    t[2 * s] = hash;
    t[2 * s + 1] = key;
  }

  private grow(): void {
    const cap = 2 * (this.mask + 1);
    this.table = new Uint32Array(2 * cap);
    this.mask = cap - 1;
    for (let k = 1; k <= this.keys; k++) {
      const o = this.keyStart[k - 1];
      this.place(hashBytes(this.keyBytes, o, this.keyStart[k]), k);
    }
  }
}

/*
 * Counting stage (lmplz corpus_count): every order 1..N is counted directly into hash tables of typed
 * arrays, one per order; an n-gram entry points at the entry of its suffix (w2..wn) in the order below.
 */

/** Fields of an n-gram record in NgramTable.rec (REC numbers per entry). */
export const SUF = 0;
export const WORD = 1;
/** Raw count while counting; the estimator replaces it with the float32 bits of log10 p. */
export const COUNT = 2;
/**
 * While counting: the prefix entry (w1 … w(n−1), the n-gram's context, in the order below; for bigrams
 * a word id), known for free when the n-gram is first seen; the estimator puts the float32 bits of the
 * log10 backoff there.
 */
export const AUX = 3;
export const REC = 4;

/**
 * A zeroed Uint32Array on a SharedArrayBuffer: the records are shared with the ARPA writer's worker
 * thread without a copy (element access costs the same as on an ArrayBuffer).
 */
export function sharedUint32(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}

function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

/** An NgramTable's arrays and size, as posted between threads. */
export interface NgramTableParts {
  rec: Uint32Array;
  index: Int32Array;
  size: number;
}

/**
 * Growable n-gram table: entry = record (suffix entry, first word, count, aux) in one interleaved
 * Uint32Array, reached through an open-addressing index. Interleaved because the counting loop and the
 * ARPA writer touch the entries in random order: one cache line per entry instead of one per column.
 */
export class NgramTable {
  size = 0;
  rec: Uint32Array;
  private index: Int32Array;
  private mask: number;
  constructor(initial = 1024) {
    this.rec = sharedUint32(initial * REC);
    this.index = sharedInt32(initial * 2);
    this.mask = initial * 2 - 1;
  }
  /** The parts of the table (SharedArrayBuffer-backed), to rebuild it in another thread with fromParts(). */
  parts(): NgramTableParts {
    return { rec: this.rec, index: this.index, size: this.size };
  }
  static fromParts(p: NgramTableParts): NgramTable {
    const t = new NgramTable(1);
    t.rec = p.rec;
    t.index = p.index;
    t.mask = p.index.length - 1;
    t.size = p.size;
    return t;
  }
  private static hash(s: number, w: number): number {
    let h = (Math.imul(s, 0x9e3779b1) ^ Math.imul(w + 0x7f4a7c15, 0x85ebca77)) | 0;
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h;
  }
  /** Entry of (s, w), created when new (with `prefix` in AUX); its raw count is incremented. */
  add(s: number, w: number, prefix: number): number {
    const idx = this.index;
    const rec = this.rec;
    const mask = this.mask;
    let slot = NgramTable.hash(s, w) & mask;
    for (;;) {
      const e = idx[slot];
      if (e === 0) break;
      const q = (e - 1) * REC;
      if (rec[q + WORD] === w && rec[q + SUF] === s) {
        rec[q + COUNT]++;
        return e - 1;
      }
      slot = (slot + 1) & mask;
    }
    if (this.size * REC === rec.length) {
      this.grow();
      return this.add(s, w, prefix);
    }
    const e = this.size++;
    const q = e * REC;
    rec[q + SUF] = s;
    rec[q + WORD] = w;
    rec[q + COUNT] = 1;
    rec[q + AUX] = prefix;
    idx[slot] = e + 1;
    return e;
  }
  private grow(): void {
    const cap = (this.rec.length / REC) * 2;
    const rec = sharedUint32(cap * REC);
    rec.set(this.rec);
    this.rec = rec;
    this.index = new Int32Array(0); // the old index is garbage before the new one is allocated
    const idx = (this.index = sharedInt32(cap * 2));
    const mask = (this.mask = cap * 2 - 1);
    for (let e = 0, q = 0; e < this.size; e++, q += REC) {
      let slot = NgramTable.hash(rec[q + SUF], rec[q + WORD]) & mask;
      while (idx[slot] !== 0) slot = (slot + 1) & mask;
      idx[slot] = e + 1;
    }
  }
  /** Remove every entry, keeping the capacity. */
  clear(): void {
    this.size = 0;
    this.index.fill(0);
  }
  /** Drop the hash index (find/add no longer work): the estimator's last stages do not need it. */
  dropIndex(): void {
    this.index = new Int32Array(0);
    this.mask = 0;
  }
  bytes(): number {
    return this.rec.byteLength + this.index.byteLength;
  }
  /** What the entries need at the densest the table gets: a record and two index slots each. */
  usedBytes(): number {
    return this.size * (REC * 4 + 8);
  }
}

/** Counts n-grams of every order 1..N from sentences (lmplz corpus_count, with its <s> padding). */
export class NgramCounter {
  readonly order: number;
  /** Word strings by id (decoded once per new word). */
  readonly words: string[] = ['<unk>', '<s>', '</s>'];
  /** tables[k] for order k = 2..N (index 0, 1 unused). */
  readonly tables: NgramTable[] = [];
  /** Word ids by their bytes (the corpus is read as bytes: no string per line or token). */
  private readonly wordTable = new CorpusWordTable();
  /** Ids of the non-ASCII words by their decoded text (to give an invalid byte sequence its decoded word's id). */
  private readonly nonAscii = new Map<string, number>();
  private ids = new Uint32Array(256);
  private ent = new Uint32Array(256);
  /** Orders above pipe.split are counted by a worker thread while it runs (startPipeline). */
  private pipe: CountPipe | undefined;
  tokens = 0;
  sentences = 0;
  constructor(order: number) {
    this.order = order;
    for (let k = 0; k <= order; k++) this.tables.push(new NgramTable(k < 2 ? 1 : 1 << 12));
    for (const [w, id] of [
      ['<unk>', UNK],
      ['<s>', BOS],
      ['</s>', EOS],
    ] as const) {
      const b = utf8Encoder.encode(w);
      this.wordTable.add(b, 0, b.length, hashBytes(b, 0, b.length), id);
    }
  }

  /** Word ids by word (as the counter's former `vocab` map; built from `words` on each call). */
  get vocab(): Map<string, number> {
    return new Map(this.words.map((w, id) => [w, id]));
  }

  /** Count one sentence given as a string (words split at lmplz's delimiters). */
  addSentence(line: string, where?: string): void {
    const b = utf8Encoder.encode(line);
    this.addLine(b, 0, b.length, where);
  }

  /**
   * Count one sentence given as the UTF-8 bytes buf[start, end) (a line without its '\n'): words split at
   * lmplz's delimiters (NUL, tab, CR, space), looked up by their bytes. `where` names the line in errors
   * (with `lineNo` appended when given, so that no string is built per line).
   */
  addLine(buf: Uint8Array, start: number, end: number, where?: string, lineNo?: number): void {
    let ids = this.ids;
    const words = this.wordTable;
    let n = 0;
    ids[n++] = BOS;
    let p = start;
    for (;;) {
      while (p < end && IS_DELIM[buf[p]] === 1) p++;
      if (p >= end) break;
      const w = p;
      let h = HASH_START;
      let c: number;
      let high = 0;
      while (p < end && IS_DELIM[(c = buf[p])] === 0) {
        h = hashByte(h, c);
        high |= c;
        p++;
      }
      const hash = finishHash(h);
      let id = words.find(buf, w, p, hash);
      if (id < 0) id = this.newWord(buf, w, p, hash, high >= 0x80);
      else if (id === BOS || id === EOS) {
        throw new UserError(
          `special word ${utf8.decode(buf.subarray(w, p))} is not allowed in the corpus (lmplz adds <s> and </s> around each line itself)`,
          { source: lineNo === undefined ? where : `${where}:${lineNo}`, code: 'E_LM_CORPUS' },
        );
      }
      if (n + 1 >= ids.length) {
        const grown = new Uint32Array(2 * ids.length);
        grown.set(ids);
        ids = this.ids = grown;
      }
      ids[n++] = id;
    }
    ids[n++] = EOS;
    this.countIds(n);
  }

  /** The id of a word not yet in the table: a new id, or for invalid UTF-8 the id of its decoded text. */
  private newWord(buf: Uint8Array, start: number, end: number, hash: number, nonAscii: boolean): number {
    const text = utf8.decode(buf.subarray(start, end));
    let id: number | undefined;
    if (nonAscii) {
      id = this.nonAscii.get(text);
      if (id === undefined) {
        id = this.words.length;
        this.words.push(text);
        this.nonAscii.set(text, id);
      }
    } else {
      id = this.words.length;
      this.words.push(text);
    }
    this.wordTable.add(buf, start, end, hash, id);
    return id;
  }

  private countIds(n: number): void {
    const ids = this.ids;
    this.tokens += n - 1;
    this.sentences++;
    const N = this.order;
    const tables = this.tables;
    // Order by order, not position by position: an n-gram's insert needs its suffix's entry, so a
    // position's inserts form a chain of dependent cache misses, while one order's inserts over the
    // sentence are independent and their misses overlap.
    let ent = this.ent;
    if (ent.length < n) ent = this.ent = new Uint32Array(ids.length);
    ent.set(ids.subarray(0, n));
    const pipe = this.pipe;
    const last = pipe ? pipe.split : N;
    for (let k = 2; k <= last; k++) {
      const t = tables[k];
      // ent[i]: entry of the (k − 1)-gram ending at i; becomes the k-gram's (positions i ≥ k − 1).
      // Downwards, so that ent[i − 1] is still the (k − 1)-gram ending at i − 1: the k-gram's prefix.
      for (let i = n - 1; i >= k - 1; i--) ent[i] = t.add(ent[i], ids[i - k + 1], ent[i - 1]);
    }
    if (pipe) pipe.push(ids, ent, n);
  }

  /**
   * Count the orders above `split` on `worker` (build-worker.ts) from here on: this thread reads the
   * corpus and counts orders 2 … split, the worker the rest, from each sentence's word ids and order-`split`
   * entries sent in batches of about `batchNumbers` numbers. joinPipeline() brings the worker's tables back.
   */
  startPipeline(worker: Worker, batchNumbers = PIPE_BATCH, split = Math.floor((this.order + 1) / 2)): void {
    if (this.pipe || split < 2 || split >= this.order) return;
    this.pipe = new CountPipe(worker, this.order, split, batchNumbers);
  }

  /** Wait for the worker to count what it was sent and take its tables back (the counter counts alone again). */
  joinPipeline(): void {
    const pipe = this.pipe;
    if (!pipe) return;
    this.pipe = undefined;
    const parts = pipe.join();
    for (let k = pipe.split + 1; k <= this.order; k++) this.tables[k] = NgramTable.fromParts(parts[k]);
  }

  /** Memory the tables hold. */
  bytes(): number {
    let b = 0;
    const last = this.pipe ? this.pipe.split : this.order;
    for (let k = 2; k <= last; k++) b += this.tables[k].bytes();
    return this.pipe ? b + this.pipe.workerUsedBytes() : b;
  }

  /**
   * Memory the tables' entries need; the tables hold up to twice that (capacity doubles), and keep
   * their capacity when emptied after a spill, so spilling when 2 × usedBytes() reaches a budget keeps
   * bytes() within it.
   */
  usedBytes(): number {
    let b = 0;
    const last = this.pipe ? this.pipe.split : this.order;
    for (let k = 2; k <= last; k++) b += this.tables[k].usedBytes();
    return this.pipe ? b + this.pipe.workerUsedBytes() : b;
  }

  /** Empty the n-gram tables, keeping the vocabulary (after they were spilled to disk). */
  clearTables(): void {
    // capacity kept: the tables would grow back to it through every doubling before the next spill
    for (let k = 2; k <= this.order; k++) this.tables[k].clear();
  }

  /**
   * Word ids of entry `e` of order k, last word first (rev[0] = last … rev[k − 1] = first word: the
   * suffix order the ARPA file is sorted in), written to out[offset …].
   */
  reversedIds(k: number, e: number, out: Uint32Array, offset: number): void {
    let s = e;
    for (let j = k; j >= 2; j--) {
      const rec = this.tables[j].rec;
      out[offset + j - 1] = rec[s * REC + WORD];
      s = rec[s * REC + SUF];
    }
    out[offset] = s;
  }
}

/** Numbers per batch of sentences sent to the counting worker (4 MiB). */
const PIPE_BATCH = 1 << 20;
/** Batches sent and not yet counted at most (then the reading thread waits: memory stays bounded). */
const PIPE_IN_FLIGHT = 4;
/** Longest wait for the counting worker (it is stuck or gone). */
const PIPE_TIMEOUT_MS = 120_000;
/** Slots of CountPipe's shared state. */
const S_IN_FLIGHT = 0;
const S_JOINED = 1;
const S_FAILED = 2;

/** Messages of the counting pipeline (to build-worker.ts). */
export type CountWorkerRequest =
  | { type: 'count-start'; order: number; split: number; state: Int32Array; used: Float64Array; port: MessagePort }
  | { type: 'count'; batch: ArrayBuffer; length: number }
  | { type: 'count-end' };

/**
 * The reading thread's side of the counting pipeline: batches of [n, n word ids, n entries of order
 * `split`] per sentence, posted to the worker; a shared Int32Array holds the batches in flight (the
 * reader blocks in Atomics.wait at PIPE_IN_FLIGHT) and the join and failure flags, a shared Float64Array
 * the bytes the worker's tables use (for the spill decision). The reader is synchronous, so the
 * worker's tables come back through receiveMessageOnPort.
 */
class CountPipe {
  private batch: Uint32Array;
  private used = 0;
  private readonly state = new Int32Array(new SharedArrayBuffer(12));
  private readonly workerBytes = new Float64Array(new SharedArrayBuffer(8));
  private readonly port: MessagePort;
  constructor(
    private readonly worker: Worker,
    order: number,
    readonly split: number,
    private readonly batchNumbers: number,
  ) {
    this.batch = new Uint32Array(batchNumbers);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const m: CountWorkerRequest = { type: 'count-start', order, split, state: this.state, used: this.workerBytes, port: port2 };
    worker.postMessage(m, [port2]);
  }

  workerUsedBytes(): number {
    return this.workerBytes[0];
  }

  push(ids: Uint32Array, ent: Uint32Array, n: number): void {
    if (this.used + 1 + 2 * n > this.batch.length) {
      this.send();
      if (1 + 2 * n > this.batch.length) this.batch = new Uint32Array(1 + 2 * n);
    }
    const b = this.batch;
    let u = this.used;
    b[u++] = n;
    for (let i = 0; i < n; i++) b[u + i] = ids[i];
    u += n;
    for (let i = 0; i < n; i++) b[u + i] = ent[i];
    this.used = u + n;
  }

  private send(): void {
    if (this.used === 0) return;
    const st = this.state;
    for (;;) {
      const inFlight = Atomics.load(st, S_IN_FLIGHT);
      if (inFlight < PIPE_IN_FLIGHT) break;
      this.wait(S_IN_FLIGHT, inFlight);
    }
    Atomics.add(st, S_IN_FLIGHT, 1);
    const m: CountWorkerRequest = { type: 'count', batch: this.batch.buffer as ArrayBuffer, length: this.used };
    this.worker.postMessage(m, [this.batch.buffer as ArrayBuffer]);
    // a batch the worker has counted comes back to be reused (a new one per batch would be garbage in the worker)
    const back = receiveMessageOnPort(this.port)?.message as { batch?: ArrayBuffer } | undefined;
    this.batch = back?.batch && back.batch.byteLength >= this.batchNumbers * 4 ? new Uint32Array(back.batch) : new Uint32Array(this.batchNumbers);
    this.used = 0;
  }

  /** Block until state[slot] is no longer `value` (or the worker failed). */
  private wait(slot: number, value: number): void {
    // in slices: a failure flagged just before this wait began is seen within one
    for (let waited = 0; ; waited += 1000) {
      this.checkFailed();
      if (Atomics.wait(this.state, slot, value, 1000) !== 'timed-out') break;
      if (waited >= PIPE_TIMEOUT_MS) throw new Error('internal: the counting thread did not answer');
    }
    this.checkFailed();
  }

  private checkFailed(): void {
    if (Atomics.load(this.state, S_FAILED) === 0) return;
    let error = 'failed';
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const e = (m.message as { error?: string }).error;
      if (e) error = e;
    }
    throw new Error(`counting thread: ${error}`);
  }

  /** Send the rest, wait until all is counted, and return the worker's tables (index k). */
  join(): NgramTableParts[] {
    this.send();
    this.worker.postMessage({ type: 'count-end' } satisfies CountWorkerRequest);
    while (Atomics.load(this.state, S_JOINED) === 0) this.wait(S_JOINED, 0);
    this.checkFailed();
    for (;;) {
      const m = receiveMessageOnPort(this.port)?.message as { tables?: NgramTableParts[] } | undefined;
      if (!m) throw new Error('internal: the counting thread sent no tables');
      if (m.tables) {
        this.port.close();
        return m.tables;
      }
    }
  }
}

/**
 * The worker's side of the counting pipeline (build-worker.ts): counts orders split + 1 … N of the
 * sentences in each batch into tables of its own.
 */
export class PipelinedOrders {
  private readonly tables: NgramTable[] = [];
  private ent = new Uint32Array(256);
  private capacity = 0;
  /**
   * @param onGrow called after a batch that grew a table (the worker collects the old arrays then:
   *   SharedArrayBuffers put no pressure on its garbage collector, and its heap is small)
   */
  constructor(
    private readonly m: Extract<CountWorkerRequest, { type: 'count-start' }>,
    private readonly onGrow?: () => void,
  ) {
    for (let k = 0; k <= m.order; k++) this.tables.push(new NgramTable(k <= m.split ? 1 : 1 << 12));
  }

  /** Count the sentences in batch[0, length) and send the batch back (to be reused). */
  count(batch: Uint32Array, length: number): void {
    const { order: N, split } = this.m;
    const tables = this.tables;
    for (let p = 0; p < length; ) {
      const n = batch[p];
      const ids = batch.subarray(p + 1, p + 1 + n);
      if (this.ent.length < n) this.ent = new Uint32Array(2 * n);
      const ent = this.ent;
      for (let i = 0; i < n; i++) ent[i] = batch[p + 1 + n + i];
      for (let k = split + 1; k <= N; k++) {
        const t = tables[k];
        for (let i = n - 1; i >= k - 1; i--) ent[i] = t.add(ent[i], ids[i - k + 1], ent[i - 1]);
      }
      p += 1 + 2 * n;
    }
    let used = 0;
    let capacity = 0;
    for (let k = split + 1; k <= N; k++) {
      used += tables[k].usedBytes();
      capacity += tables[k].rec.length;
    }
    this.m.used[0] = used;
    if (capacity !== this.capacity) {
      this.capacity = capacity;
      this.onGrow?.();
    }
    this.m.port.postMessage({ batch: batch.buffer }, [batch.buffer as ArrayBuffer]);
    Atomics.sub(this.m.state, S_IN_FLIGHT, 1);
    Atomics.notify(this.m.state, S_IN_FLIGHT);
  }

  end(): void {
    this.m.port.postMessage({ tables: this.tables.map((t) => t.parts()) });
    this.m.port.close();
    Atomics.store(this.m.state, S_JOINED, 1);
    Atomics.notify(this.m.state, S_JOINED);
  }

  /** Report a failure to the reading thread (which may be blocked waiting). */
  static fail(m: { state: Int32Array; port: MessagePort }, e: unknown): void {
    m.port.postMessage({ error: (e as Error).message });
    Atomics.store(m.state, S_FAILED, 1);
    Atomics.notify(m.state, S_IN_FLIGHT);
    Atomics.notify(m.state, S_JOINED);
  }
}
