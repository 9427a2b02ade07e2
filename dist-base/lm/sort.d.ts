export declare function floatBits(x: number): number;
export declare function bitsFloat(b: number): number;
export interface RowReader {
    readonly width: number;
    /** The next row (a view, valid until the following call) or null at the end. */
    next(): Uint32Array | null;
    close(): void;
}
/** -1, 0, 1: rows a and b by their first `keyWidth` columns. */
export declare function compareKeys(a: Uint32Array, b: Uint32Array, keyWidth: number): number;
/** Appends rows to a file through a buffer. */
export declare class RowFileWriter {
    readonly file: string;
    readonly width: number;
    private readonly fd;
    private readonly buf;
    private readonly bytes;
    private n;
    rows: number;
    constructor(file: string, width: number, bufferBytes?: number);
    /** Append `width` values from src[offset…]. */
    push(src: ArrayLike<number>, offset?: number): void;
    private flush;
    close(): void;
}
/** Reads the rows of a file written by RowFileWriter; `removeOnClose` deletes it when done. */
export declare class RowFileReader implements RowReader {
    readonly file: string;
    readonly width: number;
    private readonly removeOnClose;
    private readonly fd;
    private readonly buf;
    private readonly bytes;
    private pos;
    private end;
    private eof;
    private closed;
    private readonly row;
    constructor(file: string, width: number, bufferBytes?: number, removeOnClose?: boolean);
    next(): Uint32Array | null;
    close(): void;
}
/**
 * Row indices 0..n−1 of `rows` in key order: LSD radix sort, last key column first (stable passes).
 * Each column's values are gathered once into a key array that travels with the indices, so the
 * passes read sequentially; 11-bit digits (2,048 buckets: few enough for the scattered writes to stay
 * in cache), only as many as the column's largest value needs, and a digit that is the same in every
 * row costs no pass.
 */
export declare function sortedOrder(rows: Uint32Array, n: number, width: number, keyWidth: number, firstCol?: number): Uint32Array;
/**
 * Rows 0..n−1 of `rows` sorted by their first `keyWidth` columns (stable), in `into` (n·width numbers)
 * which is returned; `rows` is clobbered. A counting sort on the first column moves whole rows into
 * their buckets (one sequential read, one write per row); each bucket, contiguous and mostly small,
 * is then sorted by the other columns where it lies: insertion sort, or for large buckets radix
 * passes over its index (sortedOrder). The word ids that lead the keys make the first column's
 * buckets many and small, so almost all work happens in cache.
 */
export declare function sortRows(rows: Uint32Array, n: number, width: number, keyWidth: number, into: Uint32Array): Uint32Array;
export interface RowSorterOptions {
    width: number;
    keyWidth: number;
    /** Column summed when keys are equal; -1 (default): rows are kept as they are. */
    sumColumn?: number;
    /** Bytes for the in-memory chunk (and later the merge buffers). */
    memoryBytes: number;
    /** Folder for the runs. */
    dir: string;
    /** Run file names start with it. */
    name: string;
}
/** Collects rows, spilling sorted runs to disk when the chunk is full; finish() reads them back merged. */
export declare class RowSorter {
    private readonly o;
    readonly width: number;
    readonly keyWidth: number;
    private readonly sumColumn;
    private readonly memoryBytes;
    private rows;
    private n;
    private runs;
    private runCounter;
    /** sortRows' output buffer, kept between runs. */
    private scratch;
    constructor(o: RowSorterOptions);
    private readonly maxRows;
    get spilled(): boolean;
    push(src: ArrayLike<number>, offset?: number): void;
    /** Sort `rows[0 .. n·width)` (not retained) and write it as a run. */
    addRun(rows: Uint32Array, n: number): void;
    private spill;
    /** Write what is buffered as a run and free the chunk: the sorter holds no memory until finish(). */
    park(): void;
    private maxRowsParked;
    /** All rows in key order (combined). The sorter is empty afterwards; run files are removed as they are read. */
    finish(): RowReader;
    private mergeOf;
}
