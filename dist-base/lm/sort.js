import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
/*
 * External sorting of fixed-width rows of Uint32 columns (lmplz's util/stream sort, simplified): rows
 * are ordered lexicographically by their first `keyWidth` columns; rows with equal keys can be combined
 * by summing one column (counts). A chunk that fills the budget is sorted in memory (sortRows: a
 * counting sort of whole rows on the first column, then each bucket in place) and written as a run;
 * runs are merged with a heap (several passes when there are more than MERGE_FANIN; one run is read
 * back without it). Readers hand out one reused row, never an allocation per row.
 * Floats travel as their float32 bits (floatBits/bitsFloat).
 */
const MERGE_FANIN = 64;
const SMALL_SORT = 1 << 9;
const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;
const MIN_IO_BYTES = 1 << 16;
const MAX_IO_BYTES = 1 << 20;
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
export function floatBits(x) {
    F32[0] = x;
    return U32[0];
}
export function bitsFloat(b) {
    U32[0] = b;
    return F32[0];
}
/** -1, 0, 1: rows a and b by their first `keyWidth` columns. */
export function compareKeys(a, b, keyWidth) {
    for (let c = 0; c < keyWidth; c++) {
        const x = a[c];
        const y = b[c];
        if (x !== y)
            return x < y ? -1 : 1;
    }
    return 0;
}
/** Appends rows to a file through a buffer. */
export class RowFileWriter {
    file;
    width;
    fd;
    buf;
    bytes;
    n = 0;
    rows = 0;
    constructor(file, width, bufferBytes = MAX_IO_BYTES) {
        this.file = file;
        this.width = width;
        this.fd = openSync(file, 'w');
        const cap = Math.max(width, Math.floor(bufferBytes / 4 / width) * width);
        this.buf = new Uint32Array(cap);
        this.bytes = new Uint8Array(this.buf.buffer);
    }
    /** Append `width` values from src[offset…]. */
    push(src, offset = 0) {
        if (this.n + this.width > this.buf.length)
            this.flush();
        const buf = this.buf;
        for (let c = 0; c < this.width; c++)
            buf[this.n + c] = src[offset + c];
        this.n += this.width;
        this.rows++;
    }
    flush() {
        const len = this.n * 4;
        for (let off = 0; off < len;)
            off += writeSync(this.fd, this.bytes, off, len - off);
        this.n = 0;
    }
    close() {
        this.flush();
        closeSync(this.fd);
    }
}
/** Reads the rows of a file written by RowFileWriter; `removeOnClose` deletes it when done. */
export class RowFileReader {
    file;
    width;
    removeOnClose;
    fd;
    buf;
    bytes;
    pos = 0;
    end = 0;
    eof = false;
    closed = false;
    row;
    constructor(file, width, bufferBytes = MAX_IO_BYTES, removeOnClose = false) {
        this.file = file;
        this.width = width;
        this.removeOnClose = removeOnClose;
        this.fd = openSync(file, 'r');
        this.row = new Uint32Array(width);
        const cap = Math.max(width, Math.floor(bufferBytes / 4 / width) * width);
        this.buf = new Uint32Array(cap);
        this.bytes = new Uint8Array(this.buf.buffer);
    }
    next() {
        if (this.pos >= this.end) {
            if (this.eof || this.closed)
                return null;
            let got = 0;
            const want = this.bytes.length;
            while (got < want) {
                const r = readSync(this.fd, this.bytes, got, want - got, null);
                if (r === 0) {
                    this.eof = true;
                    break;
                }
                got += r;
            }
            if (got % (4 * this.width) !== 0)
                throw new Error(`internal: ${this.file} ends inside a row`);
            this.pos = 0;
            this.end = got / 4;
            if (this.end === 0)
                return null;
        }
        // copied into one reused row: a subarray per row would be an allocation per row
        const row = this.row;
        const buf = this.buf;
        const p = this.pos;
        for (let c = 0; c < row.length; c++)
            row[c] = buf[p + c];
        this.pos = p + row.length;
        return row;
    }
    close() {
        if (this.closed)
            return;
        this.closed = true;
        closeSync(this.fd);
        if (this.removeOnClose)
            rmSync(this.file, { force: true });
    }
}
/** Rows of an in-memory buffer, in order. */
class ArrayRowReader {
    rows;
    width;
    p = 0;
    end;
    row;
    constructor(rows, n, width) {
        this.rows = rows;
        this.width = width;
        this.end = n * width;
        this.row = new Uint32Array(width);
    }
    next() {
        const p = this.p;
        if (p >= this.end)
            return null;
        const row = this.row;
        const rows = this.rows;
        for (let c = 0; c < row.length; c++)
            row[c] = rows[p + c];
        this.p = p + row.length;
        return row;
    }
    close() {
        this.p = this.end;
    }
}
/**
 * Row indices 0..n−1 of `rows` in key order: LSD radix sort, last key column first (stable passes).
 * Each column's values are gathered once into a key array that travels with the indices, so the
 * passes read sequentially; 11-bit digits (2,048 buckets: few enough for the scattered writes to stay
 * in cache), only as many as the column's largest value needs, and a digit that is the same in every
 * row costs no pass.
 */
export function sortedOrder(rows, n, width, keyWidth, firstCol = 0) {
    let idx = new Uint32Array(n);
    for (let i = 0; i < n; i++)
        idx[i] = i;
    if (n < SMALL_SORT) {
        // few rows: a comparison sort beats the radix passes' fixed costs
        return idx.sort((a, b) => {
            const pa = a * width;
            const pb = b * width;
            for (let c = firstCol; c < keyWidth; c++) {
                const x = rows[pa + c];
                const y = rows[pb + c];
                if (x !== y)
                    return x < y ? -1 : 1;
            }
            return a - b;
        });
    }
    let tmp = new Uint32Array(n);
    let key = new Uint32Array(n);
    let tmpKey = new Uint32Array(n);
    const counts = new Uint32Array(RADIX + 1);
    for (let c = keyWidth - 1; c >= firstCol; c--) {
        let max = 0;
        for (let i = 0; i < n; i++) {
            const v = rows[idx[i] * width + c];
            key[i] = v;
            if (v > max)
                max = v;
        }
        for (let shift = 0; shift < 32 && max >>> shift !== 0; shift += RADIX_BITS) {
            counts.fill(0);
            for (let i = 0; i < n; i++)
                counts[((key[i] >>> shift) & RADIX_MASK) + 1]++;
            let constant = false;
            for (let d = 1; d <= RADIX; d++) {
                if (counts[d] === n)
                    constant = true;
                counts[d] += counts[d - 1];
            }
            if (constant)
                continue;
            for (let i = 0; i < n; i++) {
                const v = key[i];
                const to = counts[(v >>> shift) & RADIX_MASK]++;
                tmp[to] = idx[i];
                tmpKey[to] = v;
            }
            let t = idx;
            idx = tmp;
            tmp = t;
            t = key;
            key = tmpKey;
            tmpKey = t;
        }
    }
    return idx;
}
/** Bucket sizes up to this are sorted by insertion (the rows are contiguous and in cache by then). */
const INSERTION_SORT = 32;
/**
 * Rows 0..n−1 of `rows` sorted by their first `keyWidth` columns (stable), in `into` (n·width numbers)
 * which is returned; `rows` is clobbered. A counting sort on the first column moves whole rows into
 * their buckets (one sequential read, one write per row); each bucket, contiguous and mostly small,
 * is then sorted by the other columns where it lies: insertion sort, or for large buckets radix
 * passes over its index (sortedOrder). The word ids that lead the keys make the first column's
 * buckets many and small, so almost all work happens in cache.
 */
export function sortRows(rows, n, width, keyWidth, into) {
    if (n === 0 || keyWidth === 0) {
        into.set(rows.subarray(0, n * width));
        return into;
    }
    let max = 0;
    for (let i = 0, p = 0; i < n; i++, p += width)
        if (rows[p] > max)
            max = rows[p];
    if (max > 4 * n + (1 << 16)) {
        // not a word id: too many buckets; radix passes over an index, then the rows in that order
        const order = sortedOrder(rows, n, width, keyWidth);
        for (let i = 0, q = 0; i < n; i++, q += width) {
            const p = order[i] * width;
            for (let c = 0; c < width; c++)
                into[q + c] = rows[p + c];
        }
        return into;
    }
    const starts = new Uint32Array(max + 2);
    for (let i = 0, p = 0; i < n; i++, p += width)
        starts[rows[p] + 1]++;
    for (let d = 1; d <= max + 1; d++)
        starts[d] += starts[d - 1];
    {
        const next = starts.slice(0, max + 1);
        for (let i = 0, p = 0; i < n; i++, p += width) {
            const q = next[rows[p]]++ * width;
            for (let c = 0; c < width; c++)
                into[q + c] = rows[p + c];
        }
    }
    if (keyWidth === 1)
        return into;
    const held = new Uint32Array(width);
    for (let d = 0; d <= max; d++) {
        const b0 = starts[d];
        const m = starts[d + 1] - b0;
        if (m <= 1)
            continue;
        if (m <= INSERTION_SORT)
            insertionSortRows(into, b0, m, width, keyWidth, held);
        else {
            // radix passes over the bucket's index (columns 1 … keyWidth − 1), then the rows in that order
            const base = b0 * width;
            const bucket = into.subarray(base, base + m * width);
            const order = sortedOrder(bucket, m, width, keyWidth, 1);
            const tmp = rows.subarray(base, base + m * width); // `rows` is free space now
            for (let i = 0, q = 0; i < m; i++, q += width) {
                const p = order[i] * width;
                for (let c = 0; c < width; c++)
                    tmp[q + c] = bucket[p + c];
            }
            bucket.set(tmp);
        }
    }
    return into;
}
/** Stable insertion sort of rows b0 … b0 + m − 1 by columns 1 … keyWidth − 1 (column 0 is equal in the bucket). */
function insertionSortRows(a, b0, m, width, keyWidth, held) {
    for (let i = b0 + 1; i < b0 + m; i++) {
        const pi = i * width;
        let j = i - 1;
        // find where row i goes: after the last row ≤ it
        for (; j >= b0; j--) {
            const pj = j * width;
            let cmp = 0;
            for (let c = 1; c < keyWidth; c++) {
                const x = a[pj + c];
                const y = a[pi + c];
                if (x !== y) {
                    cmp = x < y ? -1 : 1;
                    break;
                }
            }
            if (cmp <= 0)
                break;
        }
        if (j === i - 1)
            continue;
        for (let c = 0; c < width; c++)
            held[c] = a[pi + c];
        a.copyWithin((j + 2) * width, (j + 1) * width, pi);
        for (let c = 0; c < width; c++)
            a[(j + 1) * width + c] = held[c];
    }
}
/** Merges sorted readers by key; equal keys are combined by summing `sumColumn` when it is ≥ 0. */
class MergeReader {
    readers;
    width;
    keyWidth;
    sumColumn;
    cur;
    heap = [];
    out;
    constructor(readers, width, keyWidth, sumColumn) {
        this.readers = readers;
        this.width = width;
        this.keyWidth = keyWidth;
        this.sumColumn = sumColumn;
        this.out = new Uint32Array(width);
        this.cur = readers.map((r) => r.next());
        for (let i = 0; i < readers.length; i++)
            if (this.cur[i])
                this.heap.push(i);
        for (let i = (this.heap.length >> 1) - 1; i >= 0; i--)
            this.down(i);
    }
    less(a, b) {
        const c = compareKeys(this.cur[a], this.cur[b], this.keyWidth);
        return c < 0 || (c === 0 && a < b);
    }
    down(i) {
        const h = this.heap;
        for (;;) {
            const l = 2 * i + 1;
            if (l >= h.length)
                return;
            let m = l;
            if (l + 1 < h.length && this.less(h[l + 1], h[l]))
                m = l + 1;
            if (!this.less(h[m], h[i]))
                return;
            const t = h[m];
            h[m] = h[i];
            h[i] = t;
            i = m;
        }
    }
    advanceTop() {
        const top = this.heap[0];
        const row = this.readers[top].next();
        this.cur[top] = row;
        if (!row) {
            const last = this.heap.pop();
            if (this.heap.length === 0)
                return;
            this.heap[0] = last;
        }
        this.down(0);
    }
    next() {
        if (this.heap.length === 0)
            return null;
        this.out.set(this.cur[this.heap[0]]);
        this.advanceTop();
        if (this.sumColumn >= 0) {
            while (this.heap.length > 0 && compareKeys(this.cur[this.heap[0]], this.out, this.keyWidth) === 0) {
                this.out[this.sumColumn] += this.cur[this.heap[0]][this.sumColumn];
                this.advanceTop();
            }
        }
        return this.out;
    }
    close() {
        for (const r of this.readers)
            r.close();
        this.heap.length = 0;
    }
}
/** One sorted reader with adjacent equal keys combined by summing `sumColumn` (a merge of one run, without the heap). */
class CombiningReader {
    src;
    keyWidth;
    sumColumn;
    width;
    out;
    next_;
    constructor(src, keyWidth, sumColumn) {
        this.src = src;
        this.keyWidth = keyWidth;
        this.sumColumn = sumColumn;
        this.width = src.width;
        this.out = new Uint32Array(src.width);
        this.next_ = src.next();
    }
    next() {
        const first = this.next_;
        if (!first)
            return null;
        const out = this.out;
        out.set(first);
        let r = this.src.next();
        while (r && compareKeys(r, out, this.keyWidth) === 0) {
            out[this.sumColumn] += r[this.sumColumn];
            r = this.src.next();
        }
        this.next_ = r;
        return out;
    }
    close() {
        this.src.close();
        this.next_ = null;
    }
}
/** Collects rows, spilling sorted runs to disk when the chunk is full; finish() reads them back merged. */
export class RowSorter {
    o;
    width;
    keyWidth;
    sumColumn;
    memoryBytes;
    rows;
    n = 0;
    runs = [];
    runCounter = 0;
    /** sortRows' output buffer, kept between runs. */
    scratch = new Uint32Array(0);
    constructor(o) {
        this.o = o;
        this.width = o.width;
        this.keyWidth = o.keyWidth;
        this.sumColumn = o.sumColumn ?? -1;
        this.memoryBytes = o.memoryBytes;
        // the chunk plus sortRows' output: 8·width bytes per row (and its bucket counts, a few MB)
        const cap = Math.max(1024, Math.floor(o.memoryBytes / (8 * o.width)));
        this.rows = new Uint32Array(Math.min(cap, 1 << 16) * o.width);
        this.maxRows = cap;
    }
    maxRows;
    get spilled() {
        return this.runs.length > 0;
    }
    push(src, offset = 0) {
        if (this.maxRowsParked)
            throw new Error('internal: push after park()');
        const w = this.width;
        if ((this.n + 1) * w > this.rows.length) {
            if (this.n >= this.maxRows)
                this.spill();
            else {
                const bigger = new Uint32Array(Math.min(this.maxRows, 2 * (this.rows.length / w)) * w);
                bigger.set(this.rows.subarray(0, this.n * w));
                this.rows = bigger;
            }
        }
        const p = this.n * w;
        for (let c = 0; c < w; c++)
            this.rows[p + c] = src[offset + c];
        this.n++;
    }
    /** Sort `rows[0 .. n·width)` (not retained) and write it as a run. */
    addRun(rows, n) {
        if (n === 0)
            return;
        if (this.scratch.length < n * this.width)
            this.scratch = new Uint32Array(rows.length);
        const sorted = sortRows(rows, n, this.width, this.keyWidth, this.scratch);
        const file = path.join(this.o.dir, `${this.o.name}.${this.runCounter++}.run`);
        const out = new RowFileWriter(file, this.width, Math.min(MAX_IO_BYTES, n * this.width * 4));
        writeCombined(new ArrayRowReader(sorted, n, this.width), out, this.keyWidth, this.sumColumn);
        out.close();
        this.runs.push(file);
        // kept only for this sorter's own chunk: a caller's rows (CountSpiller) come rarely, and held
        // between calls their buffer would add to the counting tables' memory
        if (rows !== this.rows)
            this.scratch = new Uint32Array(0);
    }
    spill() {
        this.addRun(this.rows, this.n);
        this.n = 0;
    }
    /** Write what is buffered as a run and free the chunk: the sorter holds no memory until finish(). */
    park() {
        if (this.n > 0)
            this.spill();
        this.rows = new Uint32Array(0);
        this.scratch = new Uint32Array(0);
        this.maxRowsParked = true;
    }
    maxRowsParked = false;
    /** All rows in key order (combined). The sorter is empty afterwards; run files are removed as they are read. */
    finish() {
        if (this.runs.length === 0 && !this.maxRowsParked) {
            const n = this.n;
            const rows = sortRows(this.rows, n, this.width, this.keyWidth, new Uint32Array(n * this.width));
            this.rows = new Uint32Array(0);
            this.scratch = new Uint32Array(0);
            this.n = 0;
            const sorted = new ArrayRowReader(rows, n, this.width);
            return this.sumColumn >= 0 ? new CombiningReader(sorted, this.keyWidth, this.sumColumn) : sorted;
        }
        if (this.n > 0)
            this.spill();
        this.rows = new Uint32Array(0);
        this.scratch = new Uint32Array(0);
        let runs = this.runs;
        this.runs = [];
        while (runs.length > MERGE_FANIN) {
            const next = [];
            for (let i = 0; i < runs.length; i += MERGE_FANIN) {
                const group = runs.slice(i, i + MERGE_FANIN);
                if (group.length === 1) {
                    next.push(group[0]);
                    continue;
                }
                const file = path.join(this.o.dir, `${this.o.name}.${this.runCounter++}.run`);
                const out = new RowFileWriter(file, this.width);
                const merged = this.mergeOf(group);
                writeCombined(merged, out, this.keyWidth, -1);
                merged.close();
                out.close();
                next.push(file);
            }
            runs = next;
        }
        return this.mergeOf(runs);
    }
    mergeOf(runs) {
        const io = Math.max(MIN_IO_BYTES, Math.min(MAX_IO_BYTES, Math.floor(this.memoryBytes / (runs.length + 1))));
        const readers = runs.map((f) => new RowFileReader(f, this.width, io, true));
        if (readers.length === 1)
            return this.sumColumn >= 0 ? new CombiningReader(readers[0], this.keyWidth, this.sumColumn) : readers[0];
        return new MergeReader(readers, this.width, this.keyWidth, this.sumColumn);
    }
}
/** Copy a reader into a writer, combining adjacent equal keys when sumColumn ≥ 0. */
function writeCombined(src, out, keyWidth, sumColumn) {
    if (sumColumn < 0) {
        for (let r = src.next(); r; r = src.next())
            out.push(r);
        return;
    }
    const held = new Uint32Array(src.width);
    let have = false;
    for (let r = src.next(); r; r = src.next()) {
        if (have && compareKeys(r, held, keyWidth) === 0)
            held[sumColumn] += r[sumColumn];
        else {
            if (have)
                out.push(held);
            held.set(r);
            have = true;
        }
    }
    if (have)
        out.push(held);
}
//# sourceMappingURL=sort.js.map