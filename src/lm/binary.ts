import { closeSync, fstatSync, openSync, promises as fs } from 'node:fs';
import os from 'node:os';
import { UserError } from '../util/errors.js';
import path from 'node:path';
import { registerTemp, releaseTemp, removeTemp, tempSibling } from '../util/temp-files.js';
import { ArpaModel, strideOf, type LmTables, type PendingTables } from './model.js';
import { LazyTableFill, readFully, type LazyChunkSizes } from './lazy-load.js';
import { DEFAULT_LM_LOAD, type LmLoadMethod } from './constants.js';
import { BINARY_MAGIC_TEXT } from './arpa.js';
import { Vocabulary } from './vocab.js';

/**
 * Compiled LM file (`ensemble lm compile`): the typed arrays of an ArpaModel laid out so that loading is
 * one read plus typed-array views (no parsing, no rehashing, no JS string per word: the vocabulary is its
 * UTF-8 bytes and their hash table, used in place). Little endian, every section 8-byte aligned.
 *
 *   0  magic "CTCENSLM" (8 bytes)
 *   8  u32 format version (2)
 *  12  u32 order N
 *  16  u32 vocabulary size V (incl. <unk>)
 *  20  u32 byte length of the vocabulary bytes (UTF-8 words concatenated, id order)
 *  24  u32 number of warnings, u32 byte length of the warnings blob (UTF-8 joined by '\n')
 *  32  u32 slots of the vocabulary hash table, u32 0
 *  40  per order k = 1..N: u32 declared count, u32 stored entries, u32 capacity (V for k = 1)
 *  then sections: uniProb f32[V], uniBackoff f32[V], vocabulary offsets u32[V+1], vocabulary hash table
 *  u32[2·slots] ([hash, id] pairs, vocab.ts), vocabulary bytes, warnings blob,
 *  per k = 2..N: entries u32[stride·cap] ([suffix slot, first word, prob f32, backoff f32], stride 4;
 *  stride 3 without backoff for k = N) — exactly the in-memory tables of model.ts
 *
 * Version 1 (a '\n'-joined word list instead of the vocabulary table, n-gram slots hashed from the suffix
 * slot) is refused with a hint to run `ensemble lm compile` again: its tables cannot be used in place.
 *
 * The n-gram tables come last, so that everything a lookup needs besides them (header, unigrams, vocabulary) is
 * one prefix of the file: a lazy load (lazy-load.ts, the default) reads that prefix, returns, and reads the
 * tables after it; a `read` load reads the whole file first.
 */
export const BINARY_VERSION = 2;
const HEADER_FIXED = 40;

const align8 = (n: number) => (n + 7) & ~7;

export function isBinaryLm(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  for (let i = 0; i < 8; i++) if (head[i] !== BINARY_MAGIC_TEXT.charCodeAt(i)) return false;
  return true;
}

function checkEndianness(): void {
  if (os.endianness() !== 'LE') throw new UserError('compiled LM files are little endian; this machine is big endian');
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The file as a header and the model's own arrays (each section 8-byte aligned in the file). */
function layoutOf(model: ArpaModel): { header: Uint8Array; sections: Uint8Array[]; total: number } {
  checkEndianness();
  const t = model.getTables();
  const N = t.order;
  const V = t.vocab.size;
  const warnBlob = new TextEncoder().encode(model.warnings.join('\n'));
  const headerLen = align8(HEADER_FIXED + 12 * N);
  const sections: Uint8Array[] = [bytesOf(t.uniProb), bytesOf(t.uniBackoff), bytesOf(t.vocab.offsets), bytesOf(t.vocab.table), bytesOf(t.vocab.bytes), warnBlob];
  for (const e of t.entries) sections.push(bytesOf(e));
  let total = headerLen;
  for (const s of sections) total += align8(s.byteLength);
  const header = new Uint8Array(headerLen);
  const dv = new DataView(header.buffer);
  for (let i = 0; i < 8; i++) header[i] = BINARY_MAGIC_TEXT.charCodeAt(i);
  dv.setUint32(8, BINARY_VERSION, true);
  dv.setUint32(12, N, true);
  dv.setUint32(16, V, true);
  dv.setUint32(20, t.vocab.bytes.byteLength, true);
  dv.setUint32(24, model.warnings.length, true);
  dv.setUint32(28, warnBlob.byteLength, true);
  dv.setUint32(32, t.vocab.table.length / 2, true);
  for (let k = 1; k <= N; k++) {
    const o = HEADER_FIXED + 12 * (k - 1);
    dv.setUint32(o, t.counts[k - 1], true);
    dv.setUint32(o + 4, t.stored[k - 1], true);
    dv.setUint32(o + 8, k === 1 ? V : t.entries[k - 2].length / strideOf(k, N), true);
  }
  return { header, sections, total };
}

/** The compiled file's bytes, in a new buffer or in one `allocate` returns (e.g. over a SharedArrayBuffer). */
export function serializeModel(model: ArpaModel, allocate: (byteLength: number) => Uint8Array = (n) => new Uint8Array(n)): Uint8Array {
  const { header, sections, total } = layoutOf(model);
  const out = allocate(total);
  out.set(header, 0);
  let off = header.byteLength;
  for (const s of sections) {
    out.set(s, off);
    off += align8(s.byteLength);
  }
  return out;
}

/** Where each section of a compiled file lies (byte offsets from the start of the file), from its header. */
interface Layout {
  order: number;
  vocabSize: number;
  vocabLen: number;
  vocabSlots: number;
  nWarn: number;
  warnLen: number;
  counts: number[];
  stored: number[];
  uniProb: number;
  uniBackoff: number;
  offsets: number;
  table: number;
  vocabBytes: number;
  warnings: number;
  /** Per order k = 2..N at k-2: offset and length in u32 of its entry table. */
  entries: { at: number; length: number }[];
  /** End of the last section (the file's size when well formed). */
  end: number;
}

/** Bytes a header can take: the fixed part and 12 bytes per order up to 6, aligned. */
const MAX_HEADER = align8(HEADER_FIXED + 12 * 6);

/** The sections' places from the header in `head` (at least the header's bytes), checked against the file's size. */
function layoutFromHeader(head: Uint8Array, fileSize: number, bad: (what: string) => never): Layout {
  checkEndianness();
  if (!isBinaryLm(head)) bad('missing the CTCENSLM magic');
  if (head.byteLength < HEADER_FIXED) bad('truncated header');
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== BINARY_VERSION) {
    bad(`format version ${version}, this program reads version ${BINARY_VERSION}: recompile it from the ARPA file with \`ensemble lm compile\``);
  }
  const N = dv.getUint32(12, true);
  const V = dv.getUint32(16, true);
  if (N < 2 || N > 6) bad(`order ${N}`);
  const headerLen = align8(HEADER_FIXED + 12 * N);
  if (head.byteLength < headerLen || fileSize < headerLen) bad('truncated header');
  const L: Layout = {
    order: N,
    vocabSize: V,
    vocabLen: dv.getUint32(20, true),
    nWarn: dv.getUint32(24, true),
    warnLen: dv.getUint32(28, true),
    vocabSlots: dv.getUint32(32, true),
    counts: [],
    stored: [],
    uniProb: 0,
    uniBackoff: 0,
    offsets: 0,
    table: 0,
    vocabBytes: 0,
    warnings: 0,
    entries: [],
    end: 0,
  };
  const caps: number[] = [];
  for (let k = 1; k <= N; k++) {
    const o = HEADER_FIXED + 12 * (k - 1);
    L.counts.push(dv.getUint32(o, true));
    L.stored.push(dv.getUint32(o + 4, true));
    caps.push(dv.getUint32(o + 8, true));
  }
  let off = headerLen;
  const take = (byteLength: number): number => {
    const at = off;
    off += align8(byteLength);
    if (off > fileSize) bad('truncated file');
    return at;
  };
  L.uniProb = take(4 * V);
  L.uniBackoff = take(4 * V);
  L.offsets = take(4 * (V + 1));
  L.table = take(8 * L.vocabSlots);
  L.vocabBytes = take(L.vocabLen);
  L.warnings = take(L.warnLen);
  for (let k = 2; k <= N; k++) {
    const length = caps[k - 1] * strideOf(k, N);
    L.entries.push({ at: take(4 * length), length });
  }
  L.end = off;
  return L;
}

const badFile =
  (fileName: string) =>
  (what: string): never => {
    throw new UserError(`not a valid compiled LM: ${what}`, { source: fileName, code: 'E_LM_BINARY' });
  };

/**
 * The model over `bytes` (the whole file, 8-byte aligned; typed-array views, no copy). Only the header,
 * unigrams, vocabulary and warnings are read here: with `pending`, the n-gram tables may still be filling.
 */
function modelOverLayout(bytes: Uint8Array, L: Layout, fileName: string, pending?: PendingTables): ArpaModel {
  const buf = bytes.buffer;
  const b = bytes.byteOffset;
  const V = L.vocabSize;
  const uniProb = new Float32Array(buf, b + L.uniProb, V);
  const uniBackoff = new Float32Array(buf, b + L.uniBackoff, V);
  const offsets = new Uint32Array(buf, b + L.offsets, V + 1);
  const table = new Uint32Array(buf, b + L.table, 2 * L.vocabSlots);
  const vocabBytes = new Uint8Array(buf, b + L.vocabBytes, L.vocabLen);
  if (offsets[V] !== L.vocabLen || L.vocabSlots <= V) badFile(fileName)('inconsistent vocabulary sizes');
  const vocab = new Vocabulary(vocabBytes, offsets, table);
  const warnings = L.nWarn === 0 ? [] : new TextDecoder().decode(new Uint8Array(buf, b + L.warnings, L.warnLen)).split('\n');
  const entries = L.entries.map((e) => new Uint32Array(buf, b + e.at, e.length));
  const tables: LmTables = { order: L.order, vocab, uniProb, uniBackoff, entries, counts: L.counts, stored: L.stored };
  return new ArpaModel(tables, warnings, pending);
}

/** Build a model over the bytes of a compiled file (typed-array views, no copy when aligned). */
export function deserializeModel(bytes: Uint8Array, fileName = '<binary lm>'): ArpaModel {
  const bad = badFile(fileName);
  if (!isBinaryLm(bytes)) bad('missing the CTCENSLM magic');
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  const L = layoutFromHeader(bytes, bytes.byteLength, bad);
  return modelOverLayout(bytes, L, fileName);
}

/** Write the compiled file section by section (no second copy of the model in memory), atomically. */
export async function writeBinaryModel(model: ArpaModel, file: string): Promise<number> {
  const { header, sections, total } = layoutOf(model);
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempSibling(file);
  registerTemp(tmp); // removed on SIGINT/SIGTERM too
  try {
    const fh = await fs.open(tmp, 'w');
    try {
      const pad = new Uint8Array(8);
      const writeAll = async (bytes: Uint8Array) => {
        for (let off = 0; off < bytes.byteLength; ) off += (await fh.write(bytes, off, bytes.byteLength - off)).bytesWritten;
      };
      await writeAll(header);
      for (const s of sections) {
        await writeAll(s);
        if (align8(s.byteLength) !== s.byteLength) await writeAll(pad.subarray(0, align8(s.byteLength) - s.byteLength));
      }
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
    releaseTemp(tmp);
  } catch (e) {
    removeTemp(tmp);
    throw e;
  }
  return total;
}

/**
 * Load a compiled LM. `read` (KenLM's READ): the whole file is read before this returns. `lazy` (the default,
 * a user-space stand-in for KenLM's LAZY mmap, which Node lacks): the header, unigrams and vocabulary are read
 * before this returns, and the n-gram tables are read after it in chunks, in the background (lazy-load.ts).
 */
export async function readBinaryModel(file: string, load: LmLoadMethod = DEFAULT_LM_LOAD, lazyChunks?: LazyChunkSizes): Promise<ArpaModel> {
  if (load === 'lazy') return readBinaryModelLazily(file, lazyChunks);
  let bytes: Uint8Array;
  try {
    bytes = await readWholeFile(file);
  } catch (e) {
    throw new UserError(`cannot read the compiled LM: ${(e as Error).message}`, { source: file, cause: e });
  }
  return deserializeModel(bytes, file);
}

function readBinaryModelLazily(file: string, lazyChunks?: LazyChunkSizes): ArpaModel {
  const bad = badFile(file);
  let fd = -1;
  let fill: LazyTableFill | null = null;
  try {
    let bytes: Uint8Array;
    let L: Layout;
    try {
      fd = openSync(file, 'r');
      const size = fstatSync(fd).size;
      const head = new Uint8Array(MAX_HEADER);
      const headLen = readFully(fd, head, 0, Math.min(MAX_HEADER, size));
      L = layoutFromHeader(head.subarray(0, headLen), size, bad);
      // a SharedArrayBuffer: its pages are mapped on first touch with no set-up cost (Buffer.allocUnsafeSlow of a
      // few hundred MB takes milliseconds here), and only the pages read so far count in the RSS
      bytes = new Uint8Array(new SharedArrayBuffer(size));
      // everything up to the n-gram tables now; the tables (from their start to the end of the file) later
      const tablesAt = L.entries[0].at;
      readFully(fd, bytes, 0, tablesAt);
      fill = new LazyTableFill(fd, file, bytes, tablesAt, size, lazyChunks);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot read the compiled LM: ${(e as Error).message}`, { source: file, cause: e });
    }
    const base = L.entries[0].at;
    const model = modelOverLayout(bytes, L, file, fill.pendingTables(L.entries.map((e) => e.at - base)));
    fill.start();
    return model;
  } catch (e) {
    if (fill === null && fd >= 0) closeSync(fd);
    throw e;
  }
}

/**
 * The file in one buffer, read with as few calls as the kernel allows into memory that is not zero-filled
 * first (fs.readFile reads in 512 KiB steps into a zeroed buffer): a compiled LM's load time is this read.
 */
export async function readWholeFile(file: string): Promise<Uint8Array> {
  const fh = await fs.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const bytes = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
    for (let off = 0; off < size; ) {
      const { bytesRead } = await fh.read(bytes, off, size - off, off);
      if (bytesRead === 0) throw new Error(`file shrank while reading (${off} of ${size} bytes)`);
      off += bytesRead;
    }
    return bytes;
  } finally {
    await fh.close();
  }
}
