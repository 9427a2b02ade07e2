import { promises as fs } from 'node:fs';
import os from 'node:os';
import { UserError } from '../util/errors.js';
import path from 'node:path';
import { registerTemp, releaseTemp, removeTemp, tempSibling } from '../util/temp-files.js';
import { ArpaModel, strideOf } from './model.js';
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
 */
export const BINARY_VERSION = 2;
const HEADER_FIXED = 40;
const align8 = (n) => (n + 7) & ~7;
export function isBinaryLm(head) {
    if (head.length < 8)
        return false;
    for (let i = 0; i < 8; i++)
        if (head[i] !== BINARY_MAGIC_TEXT.charCodeAt(i))
            return false;
    return true;
}
function checkEndianness() {
    if (os.endianness() !== 'LE')
        throw new UserError('compiled LM files are little endian; this machine is big endian');
}
const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
/** The file as a header and the model's own arrays (each section 8-byte aligned in the file). */
function layoutOf(model) {
    checkEndianness();
    const t = model.getTables();
    const N = t.order;
    const V = t.vocab.size;
    const warnBlob = new TextEncoder().encode(model.warnings.join('\n'));
    const headerLen = align8(HEADER_FIXED + 12 * N);
    const sections = [bytesOf(t.uniProb), bytesOf(t.uniBackoff), bytesOf(t.vocab.offsets), bytesOf(t.vocab.table), bytesOf(t.vocab.bytes), warnBlob];
    for (const e of t.entries)
        sections.push(bytesOf(e));
    let total = headerLen;
    for (const s of sections)
        total += align8(s.byteLength);
    const header = new Uint8Array(headerLen);
    const dv = new DataView(header.buffer);
    for (let i = 0; i < 8; i++)
        header[i] = BINARY_MAGIC_TEXT.charCodeAt(i);
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
export function serializeModel(model, allocate = (n) => new Uint8Array(n)) {
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
/** Build a model over the bytes of a compiled file (typed-array views, no copy when aligned). */
export function deserializeModel(bytes, fileName = '<binary lm>') {
    checkEndianness();
    const bad = (what) => {
        throw new UserError(`not a valid compiled LM: ${what}`, { source: fileName, code: 'E_LM_BINARY' });
    };
    if (!isBinaryLm(bytes))
        bad('missing the CTCENSLM magic');
    if (bytes.byteOffset % 8 !== 0)
        bytes = bytes.slice();
    if (bytes.byteLength < HEADER_FIXED)
        bad('truncated header');
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const version = dv.getUint32(8, true);
    if (version !== BINARY_VERSION) {
        bad(`format version ${version}, this program reads version ${BINARY_VERSION}: recompile it from the ARPA file with \`ensemble lm compile\``);
    }
    const N = dv.getUint32(12, true);
    const V = dv.getUint32(16, true);
    const vocabLen = dv.getUint32(20, true);
    const nWarn = dv.getUint32(24, true);
    const warnLen = dv.getUint32(28, true);
    const vocabSlots = dv.getUint32(32, true);
    if (N < 2 || N > 6)
        bad(`order ${N}`);
    const headerLen = align8(HEADER_FIXED + 12 * N);
    if (bytes.byteLength < headerLen)
        bad('truncated header');
    const counts = [];
    const stored = [];
    const caps = [];
    for (let k = 1; k <= N; k++) {
        const o = HEADER_FIXED + 12 * (k - 1);
        counts.push(dv.getUint32(o, true));
        stored.push(dv.getUint32(o + 4, true));
        caps.push(dv.getUint32(o + 8, true));
    }
    let off = headerLen;
    const take = (byteLength) => {
        const at = off;
        off += align8(byteLength);
        if (off > bytes.byteLength)
            bad('truncated file');
        return bytes.byteOffset + at;
    };
    const buf = bytes.buffer;
    const uniProb = new Float32Array(buf, take(4 * V), V);
    const uniBackoff = new Float32Array(buf, take(4 * V), V);
    const offsets = new Uint32Array(buf, take(4 * (V + 1)), V + 1);
    const table = new Uint32Array(buf, take(8 * vocabSlots), 2 * vocabSlots);
    const vocabBytes = new Uint8Array(buf, take(vocabLen), vocabLen);
    if (offsets[V] !== vocabLen || vocabSlots <= V)
        bad('inconsistent vocabulary sizes');
    const vocab = new Vocabulary(vocabBytes, offsets, table);
    const warnAt = take(warnLen);
    const warnings = nWarn === 0 ? [] : new TextDecoder().decode(new Uint8Array(buf, warnAt, warnLen)).split('\n');
    const entries = [];
    for (let k = 2; k <= N; k++) {
        const n = caps[k - 1] * strideOf(k, N);
        entries.push(new Uint32Array(buf, take(4 * n), n));
    }
    const tables = { order: N, vocab, uniProb, uniBackoff, entries, counts, stored };
    return new ArpaModel(tables, warnings);
}
/** Write the compiled file section by section (no second copy of the model in memory), atomically. */
export async function writeBinaryModel(model, file) {
    const { header, sections, total } = layoutOf(model);
    await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const tmp = tempSibling(file);
    registerTemp(tmp); // removed on SIGINT/SIGTERM too
    try {
        const fh = await fs.open(tmp, 'w');
        try {
            const pad = new Uint8Array(8);
            const writeAll = async (bytes) => {
                for (let off = 0; off < bytes.byteLength;)
                    off += (await fh.write(bytes, off, bytes.byteLength - off)).bytesWritten;
            };
            await writeAll(header);
            for (const s of sections) {
                await writeAll(s);
                if (align8(s.byteLength) !== s.byteLength)
                    await writeAll(pad.subarray(0, align8(s.byteLength) - s.byteLength));
            }
        }
        finally {
            await fh.close();
        }
        await fs.rename(tmp, file);
        releaseTemp(tmp);
    }
    catch (e) {
        removeTemp(tmp);
        throw e;
    }
    return total;
}
export async function readBinaryModel(file) {
    let bytes;
    try {
        bytes = await readWholeFile(file);
    }
    catch (e) {
        throw new UserError(`cannot read the compiled LM: ${e.message}`, { source: file, cause: e });
    }
    return deserializeModel(bytes, file);
}
/**
 * The file in one buffer, read with as few calls as the kernel allows into memory that is not zero-filled
 * first (fs.readFile reads in 512 KiB steps into a zeroed buffer): a compiled LM's load time is this read.
 */
export async function readWholeFile(file) {
    const fh = await fs.open(file, 'r');
    try {
        const size = (await fh.stat()).size;
        const bytes = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
        for (let off = 0; off < size;) {
            const { bytesRead } = await fh.read(bytes, off, size - off, off);
            if (bytesRead === 0)
                throw new Error(`file shrank while reading (${off} of ${size} bytes)`);
            off += bytesRead;
        }
        return bytes;
    }
    finally {
        await fh.close();
    }
}
//# sourceMappingURL=binary.js.map