import { close, read, readSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import { LAZY_LOAD_CHUNK_BYTES, LAZY_LOAD_READ_BYTES } from './constants.js';
import type { PendingTables } from './model.js';

/*
 * Lazy load of a compiled LM: a user-space stand-in for KenLM's LAZY load method (mmap, pages read on first
 * touch), which Node cannot do (no mmap). The loader reads the header, unigrams and vocabulary and returns;
 * the n-gram tables, most of the file, are read afterwards into the same buffer, tracked in chunks of
 * LAZY_LOAD_CHUNK_BYTES (4 KiB, a page):
 *  - in the background, in file order, by asynchronous reads of LAZY_LOAD_READ_BYTES (4 MiB) on libuv's
 *    thread pool, one at a time (one pool thread busy at most, so decoding keeps the other cores);
 *  - and synchronously, the first time a lookup touches a chunk not yet read (ArpaModel checks each slot
 *    it reads while tables are pending), as a page fault would: small chunks keep the
 *    first lookups cheap, the large background reads keep the time to full residency near a plain read's.
 * A chunk is marked resident only once its bytes are all in the buffer, and never changes after; a chunk
 * being read in the background when a lookup needs it is read again synchronously (the same bytes). Once
 * every chunk is resident the model drops its checks (`onComplete`) and scores on its check-free path, and
 * the file is closed. A background read waits for the event loop to turn before its chunk counts as
 * resident, so a long synchronous scoring loop reads the chunks it touches itself.
 * A read error in the background is kept and the chain stops; the chunk is then read synchronously when a
 * lookup needs it, which throws the error (naming the file) to the caller. Like a mapped file, the file must
 * not change while it is being read.
 */

/** Read bytes[at, at + length) from file offset `at` (the buffer mirrors the file). Returns the bytes read. */
export function readFully(fd: number, bytes: Uint8Array, at: number, length: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, bytes, at + done, length - done, at + done);
    if (n === 0) throw new Error(`the file ended at byte ${at + done}, expected ${at + length} bytes`);
    done += n;
  }
  return done;
}

/** Chunk and background-read sizes (constants.ts; tests use small ones to have many chunks). */
export interface LazyChunkSizes {
  chunkBytes: number;
  readBytes: number;
}

export class LazyTableFill {
  /** 1 where a chunk of the table region is in the buffer. */
  private readonly resident: Uint8Array;
  private readonly chunks: number;
  private readonly chunkBytes: number;
  /** Chunks per background read. */
  private readonly readChunks: number;
  private remaining: number;
  /** Next chunk the background reader looks at. */
  private next = 0;
  private inFlight = false;
  private closed = false;
  private error: Error | null = null;
  private pending: PendingTables | null = null;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(
    private readonly fd: number,
    private readonly file: string,
    /** The whole file's buffer; the table region is bytes[regionStart, end). */
    private readonly bytes: Uint8Array,
    private readonly regionStart: number,
    private readonly end: number,
    sizes: LazyChunkSizes = { chunkBytes: LAZY_LOAD_CHUNK_BYTES, readBytes: LAZY_LOAD_READ_BYTES },
  ) {
    this.chunkBytes = sizes.chunkBytes;
    this.readChunks = Math.max(1, Math.floor(sizes.readBytes / sizes.chunkBytes));
    this.chunks = Math.ceil((end - regionStart) / this.chunkBytes);
    this.remaining = this.chunks;
    this.resident = new Uint8Array(this.chunks);
  }

  /** What the model checks while the tables fill; `tableOffsets` are each table's offset from the region's start. */
  pendingTables(tableOffsets: number[]): PendingTables {
    const fill = this;
    this.pending = {
      resident: this.resident,
      chunkBytes: this.chunkBytes,
      tableOffsets,
      fillChunk: (c) => fill.fillChunk(c),
      fillAll: () => fill.fillAll(),
      whenResident: () => fill.whenResident(),
      onComplete: null,
    };
    return this.pending;
  }

  get complete(): boolean {
    return this.remaining === 0;
  }

  /** Start the background reads. */
  start(): void {
    if (this.remaining === 0) this.finish();
    else this.pump();
  }

  /** Read chunk `c` now (synchronously) unless it is resident. */
  fillChunk(c: number): void {
    if (this.resident[c] === 1) return;
    const at = this.regionStart + c * this.chunkBytes;
    try {
      readFully(this.fd, this.bytes, at, Math.min(this.chunkBytes, this.end - at));
    } catch (e) {
      throw this.readError(e as Error);
    }
    this.markResident(c);
  }

  /** Settles once every chunk is resident, or with the error that stopped the background reads. */
  whenResident(): Promise<void> {
    if (this.remaining === 0) return Promise.resolve();
    if (this.error !== null) return Promise.reject(this.readError(this.error));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private readError(e: Error): UserError {
    return new UserError(`cannot read the compiled LM: ${e.message}`, { source: this.file, cause: e });
  }

  /** Read every chunk not yet resident, now: each run of them in reads of up to readChunks chunks. */
  fillAll(): void {
    for (let c = 0; c < this.chunks; ) {
      if (this.resident[c] === 1) {
        c++;
        continue;
      }
      let last = c + 1;
      while (last < this.chunks && last - c < this.readChunks && this.resident[last] === 0) last++;
      const at = this.regionStart + c * this.chunkBytes;
      try {
        readFully(this.fd, this.bytes, at, Math.min(this.regionStart + last * this.chunkBytes, this.end) - at);
      } catch (e) {
        throw this.readError(e as Error);
      }
      for (; c < last; c++) this.markResident(c);
    }
  }

  private markResident(c: number): void {
    if (this.resident[c] === 1) return;
    this.resident[c] = 1;
    if (--this.remaining === 0) this.finish();
  }

  private finish(): void {
    const p = this.pending;
    if (p !== null && p.onComplete !== null) p.onComplete();
    this.pending = null;
    for (const w of this.waiters.splice(0)) w.resolve();
    if (!this.inFlight) this.closeFile();
  }

  private closeFile(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.fd, () => {});
  }

  /** Issue the background read of the chunks from the next one not yet resident (some after it may be: read again). */
  private pump(): void {
    while (this.next < this.chunks && this.resident[this.next] === 1) this.next++;
    if (this.next >= this.chunks || this.error !== null) {
      if (this.remaining === 0) this.closeFile();
      return;
    }
    const first = this.next;
    const last = Math.min(this.chunks, first + this.readChunks);
    const at = this.regionStart + first * this.chunkBytes;
    this.readFrom(first, last, at, Math.min(this.regionStart + last * this.chunkBytes, this.end) - at);
  }

  /** Read [at, at + length) in the background; then chunks [first, last) are resident. */
  private readFrom(first: number, last: number, at: number, length: number): void {
    this.inFlight = true;
    read(this.fd, this.bytes, at, length, at, (err, n) => {
      this.inFlight = false;
      if (this.remaining === 0) {
        this.closeFile();
        return;
      }
      if (err || n === 0) {
        // left for the lookup that needs this chunk, whose synchronous read reports it
        this.error = err ?? new Error(`the file ended at byte ${at}`);
        for (const w of this.waiters.splice(0)) w.reject(this.readError(this.error));
        return;
      }
      if (n < length) {
        this.readFrom(first, last, at + n, length - n);
        return;
      }
      for (let c = first; c < last && this.remaining > 0; c++) this.markResident(c);
      this.next = last;
      this.pump();
    });
  }
}
