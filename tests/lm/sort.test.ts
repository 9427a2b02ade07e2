import { describe, expect, it } from 'vitest';
import { sortRows, sortedOrder } from '../../src/lm/sort.js';
import { rng } from '../helpers/random.js';

/** Rows of `width` columns, random keys (skewed: a few large first-column buckets), the last column = the row's index. */
function randomRows(n: number, width: number, maxKey: number, seed: number): Uint32Array {
  const next = rng(seed);
  const rows = new Uint32Array(n * width);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < width - 1; c++) rows[i * width + c] = Math.floor(next() ** 3 * maxKey);
    rows[i * width + width - 1] = i;
  }
  return rows;
}

/** The rows sorted by a plain comparison of their first keyWidth columns, ties by index (stable). */
function reference(rows: Uint32Array, n: number, width: number, keyWidth: number): Uint32Array {
  const list = Array.from({ length: n }, (_, i) => rows.subarray(i * width, (i + 1) * width));
  list.sort((a, b) => {
    for (let c = 0; c < keyWidth; c++) if (a[c] !== b[c]) return a[c] - b[c];
    return a[width - 1] - b[width - 1];
  });
  const out = new Uint32Array(n * width);
  list.forEach((r, i) => out.set(r, i * width));
  return out;
}

describe('in-memory row sorts of the spilled estimator', () => {
  it.each([
    [0, 3, 2, 10],
    [1, 3, 2, 10],
    [7, 3, 2, 3],
    [500, 4, 3, 5], // few buckets, each large: radix passes inside buckets
    [20_000, 6, 5, 2000], // many small buckets: insertion sorts
    [50_000, 7, 5, 30],
    [30_000, 2, 1, 100], // key = the first column only
    [40_000, 5, 4, 1 << 20],
    [10_000, 3, 2, 2 ** 32 - 1], // first column too sparse for buckets: radix passes over an index
  ])('sortRows: %i rows of width %i by %i columns (keys < %i) in order and stable', (n, width, keyWidth, maxKey) => {
    const rows = randomRows(n, width, maxKey, n + width);
    const expected = reference(rows, n, width, keyWidth);
    const sorted = sortRows(rows.slice(), n, width, keyWidth, new Uint32Array(n * width));
    expect(Buffer.from(sorted.buffer, 0, n * width * 4).equals(Buffer.from(expected.buffer))).toBe(true);
    const order = sortedOrder(rows, n, width, keyWidth);
    const gathered = new Uint32Array(n * width);
    order.forEach((r, i) => gathered.set(rows.subarray(r * width, (r + 1) * width), i * width));
    expect(Buffer.from(gathered.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });
});
