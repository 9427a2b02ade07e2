/**
 * The LM vocabulary as bytes, not as JS strings: the UTF-8 words concatenated in id order (`bytes`, word `id` is
 * bytes[offsets[id], offsets[id + 1])), and an open-addressing hash table (linear probing, load ≤ 2/3) of
 * [32-bit hash, id] pairs over the UTF-8 bytes. The ARPA reader interns words straight from the file's bytes,
 * the compiled format stores these three arrays as they are (so a loaded model uses them in place), and a word
 * given as a JS string is looked up by hashing its UTF-8 encoding on the fly (no encoder call, no allocation).
 *
 * Choice: a 32-bit hash plus a byte-by-byte comparison with the stored word, rather than KenLM's 64-bit hash
 * alone, so that lookups are exact (two words can never be confused) at the cost of one comparison per hit.
 * Words are byte strings as in KenLM: an ARPA file with invalid UTF-8 keeps its words distinct; such a word is
 * unreachable from a JS string (whose encoding never produces those bytes) and decodes with U+FFFD.
 */
export const NO_WORD = 0xffffffff;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a step over one byte (the words' hash is this over their UTF-8 bytes, then `finishHash`). */
export const hashByte = (h: number, b: number): number => Math.imul(h ^ b, FNV_PRIME);
export const HASH_START = FNV_OFFSET;

/** Final avalanche (murmur3 fmix32) so that the top bits used for the slot depend on every byte. */
export function finishHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of bytes[start, end). */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
  return finishHash(h);
}

/** Hash of the UTF-8 encoding of `s` (lone surrogates encode as U+FFFD, as TextEncoder does). */
export function hashString(s: string): number {
  let h = FNV_OFFSET;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (c & 63)), FNV_PRIME);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        h = Math.imul(h ^ (0xf0 | (c >> 18)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | ((c >> 12) & 63)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | ((c >> 6) & 63)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | (c & 63)), FNV_PRIME);
        continue;
      }
      c = 0xfffd;
    }
    h = Math.imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME);
    h = Math.imul(h ^ (0x80 | ((c >> 6) & 63)), FNV_PRIME);
    h = Math.imul(h ^ (0x80 | (c & 63)), FNV_PRIME);
  }
  return finishHash(h);
}

/** True when bytes[start, end) is the UTF-8 encoding of `s`. */
function bytesEqualString(bytes: Uint8Array, start: number, end: number, s: string): boolean {
  let p = start;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (p >= end || bytes[p++] !== c) return false;
      continue;
    }
    if (c < 0x800) {
      if (p + 2 > end || bytes[p] !== (0xc0 | (c >> 6)) || bytes[p + 1] !== (0x80 | (c & 63))) return false;
      p += 2;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        if (
          p + 4 > end ||
          bytes[p] !== (0xf0 | (c >> 18)) ||
          bytes[p + 1] !== (0x80 | ((c >> 12) & 63)) ||
          bytes[p + 2] !== (0x80 | ((c >> 6) & 63)) ||
          bytes[p + 3] !== (0x80 | (c & 63))
        )
          return false;
        p += 4;
        continue;
      }
      c = 0xfffd;
    }
    if (p + 3 > end || bytes[p] !== (0xe0 | (c >> 12)) || bytes[p + 1] !== (0x80 | ((c >> 6) & 63)) || bytes[p + 2] !== (0x80 | (c & 63))) return false;
    p += 3;
  }
  return p === end;
}

/** Hash-table capacity (in slots) for `count` words: load ≤ 2/3. */
export function vocabCapacityFor(count: number): number {
  return Math.max(4, Math.ceil(count * 1.5) + 1);
}

const slotFor = (hash: number, cap: number): number => Math.floor(hash * (cap / 4294967296));

/**
 * Id of the word bytes[start, end) (hash from hashBytes) in a table of (hash, id) slot pairs over the words
 * own[offsets[id], offsets[id + 1]), or −1: the probe both the loaded vocabulary and the builder use.
 */
function findWordBytes(
  table: Uint32Array,
  cap: number,
  own: Uint8Array,
  offsets: Uint32Array,
  bytes: Uint8Array,
  start: number,
  end: number,
  hash: number,
): number {
  const len = end - start;
  let s = slotFor(hash, cap);
  for (;;) {
    const id = table[2 * s + 1];
    if (id === NO_WORD) return -1;
    if (table[2 * s] === hash) {
      const o = offsets[id];
      if (offsets[id + 1] - o === len) {
        let i = 0;
        while (i < len && own[o + i] === bytes[start + i]) i++;
        if (i === len) return id;
      }
    }
    if (++s === cap) s = 0;
  }
}

const utf8 = new TextDecoder('utf-8');

export class Vocabulary {
  /** Number of words (ids 0 .. size-1). */
  readonly size: number;
  private readonly cap: number;

  constructor(
    /** UTF-8 words concatenated in id order. */
    readonly bytes: Uint8Array,
    /** size + 1 offsets into `bytes`. */
    readonly offsets: Uint32Array,
    /** Slots of [hash, id]; id NO_WORD = free. */
    readonly table: Uint32Array,
  ) {
    this.size = offsets.length - 1;
    this.cap = table.length >>> 1;
  }

  /** Id of `word`, or −1 when it is not in the vocabulary. */
  id(word: string): number {
    // ASCII words (most) are hashed and compared in one tight loop each; others take the UTF-8 encoding path
    const n = word.length;
    let h = FNV_OFFSET;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const c = word.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    h = ascii ? finishHash(h) : hashString(word);
    const t = this.table;
    const cap = this.cap;
    const offsets = this.offsets;
    const bytes = this.bytes;
    let s = slotFor(h, cap);
    for (;;) {
      const id = t[2 * s + 1];
      if (id === NO_WORD) return -1;
      if (t[2 * s] === h) {
        const o = offsets[id];
        if (ascii) {
          if (offsets[id + 1] - o === n) {
            let i = 0;
            while (i < n && bytes[o + i] === word.charCodeAt(i)) i++;
            if (i === n) return id;
          }
        } else if (bytesEqualString(bytes, o, offsets[id + 1], word)) return id;
      }
      if (++s === cap) s = 0;
    }
  }

  /** Id of the word bytes[start, end) whose hash is `hash` (from hashBytes), or −1. */
  idOfBytes(bytes: Uint8Array, start: number, end: number, hash: number): number {
    return findWordBytes(this.table, this.cap, this.bytes, this.offsets, bytes, start, end, hash);
  }

  /**
   * Id of the word bytes[start, end) from the FNV-1a state `fnv` of its bytes before `finishHash` (callers that hash
   * while scanning, as scoreTextLines; the finishing step is then this module's own, not an imported call), or −1.
   */
  idOfScannedBytes(bytes: Uint8Array, start: number, end: number, fnv: number): number {
    return findWordBytes(this.table, this.cap, this.bytes, this.offsets, bytes, start, end, finishHash(fnv));
  }

  /** The word with this id, decoded from UTF-8 (a new string per call). */
  word(id: number): string {
    return utf8.decode(this.bytes.subarray(this.offsets[id], this.offsets[id + 1]));
  }
}

/** Interns words from byte ranges (ids in order of `add`) into a table sized for `expected` words. */
export class VocabularyBuilder {
  private bytes: Uint8Array;
  private used = 0;
  private offsets: Uint32Array;
  private n = 0;
  private readonly table: Uint32Array;
  private readonly cap: number;

  constructor(readonly expected: number) {
    this.cap = vocabCapacityFor(expected);
    this.table = new Uint32Array(2 * this.cap).fill(NO_WORD);
    this.offsets = new Uint32Array(expected + 1);
    this.bytes = new Uint8Array(Math.max(64, expected * 8));
  }

  get size(): number {
    return this.n;
  }

  idOfBytes(bytes: Uint8Array, start: number, end: number, hash: number): number {
    return findWordBytes(this.table, this.cap, this.bytes, this.offsets, bytes, start, end, hash);
  }

  /** The table word at the first slot for `hash` (read ahead of idOfBytes so that its cache miss overlaps others). */
  touch(hash: number): number {
    return this.table[2 * slotFor(hash, this.cap) + 1];
  }

  /** Add a word known to be absent; returns its id, or −1 when the table is full (more words than expected). */
  add(bytes: Uint8Array, start: number, end: number, hash: number): number {
    if (this.n >= this.expected) return -1;
    const len = end - start;
    if (this.used + len > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + len));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(bytes.subarray(start, end), this.used);
    this.used += len;
    const id = this.n++;
    this.offsets[id + 1] = this.used;
    const t = this.table;
    let s = slotFor(hash, this.cap);
    while (t[2 * s + 1] !== NO_WORD) if (++s === this.cap) s = 0;
    t[2 * s] = hash;
    t[2 * s + 1] = id;
    return id;
  }

  finish(): Vocabulary {
    return new Vocabulary(this.bytes.slice(0, this.used), this.offsets.slice(0, this.n + 1), this.table);
  }
}
