import type { LanguageModelScorer } from './types.js';
import { HASH_START, type Vocabulary } from './vocab.js';

/**
 * Backoff n-gram LM held in typed arrays, scored with KenLM's probing-model semantics
 * (lm/model.cc FullScore / ScoreExceptBackoff / ResumeScore).
 *
 * Storage: unigrams are indexed by word id (`<unk>` = 0). Each order k >= 2 is an open-addressing
 * hash table (linear probing) whose key is the pair (slot of the (k-1)-word suffix in the order k-1
 * table, first word id) — the n-gram w1..wk is reached from wk by prepending w(k-1), w(k-2), ... one
 * table per step, exactly the walk KenLM does with its combined word hashes, but with exact keys
 * (no 64-bit hash collisions are possible); the slot a key starts probing at is a hash of the words
 * alone (ngramHashExtend), so that the probes of one word's orders do not wait for each other. A slot
 * is interleaved in one Uint32Array so that a probe touches one cache line: [suffix slot, first word,
 * prob bits, backoff bits] (stride 4), the highest order without backoff (stride 3); prob/backoff are
 * float32 (as KenLM stores them), read through a Float32Array view of the same buffer.
 *
 * Backoff sign: −0.0 means "no longer n-gram has this one as context" (KenLM kNoExtensionBackoff), so a
 * state ending here may be shortened; +0.0 or non-zero means it can be extended. States are small
 * integer handles: 0 is the empty context; otherwise a handle names the table entry of the longest
 * extendable n-gram ending at the last word (its words and backoffs are recovered by walking the
 * suffix chain), so the number of distinct states is bounded by the model and never grows.
 *
 * A model over a lazily loaded compiled file (lazy-load.ts) scores through `scoreIdPending`, which makes the
 * chunk of every slot it reads resident first, until all tables are read; then `scoreId` runs without checks
 * (one null test per call), so resident scoring costs what it did before lazy loads existed.
 */
export interface LmTables {
  order: number;
  /** Words as UTF-8 bytes with their hash table (vocab.ts); id 0 is `<unk>`. */
  vocab: Vocabulary;
  uniProb: Float32Array;
  uniBackoff: Float32Array;
  /**
   * Per order k = 2..order at index k-2: slots of [suffixSlot, firstWord, prob, backoff] (stride 4; the
   * highest order has stride 3, no backoff); firstWord EMPTY = free slot.
   */
  entries: Uint32Array[];
  /** n-gram counts as declared by the ARPA header (index k-1). */
  counts: number[];
  /** Entries per table including hallucinated (SRI-pruned) suffixes, index k-1. */
  stored: number[];
}

/**
 * N-gram tables still being read into memory (a lazy load, lazy-load.ts): the region from the first table to
 * the end of the file is read in chunks, and a slot may be read only once its chunk is resident.
 */
export interface PendingTables {
  /** 1 where a chunk is resident. */
  readonly resident: Uint8Array;
  readonly chunkBytes: number;
  /** Byte offset of each order's table (index k-2) from the start of the chunked region. */
  readonly tableOffsets: readonly number[];
  /** Read a chunk now (synchronously), unless resident. */
  fillChunk(chunk: number): void;
  /** Read every chunk not yet resident now. */
  fillAll(): void;
  /** Settles once every chunk is resident (rejects with the error that stopped the background reads). */
  whenResident(): Promise<void>;
  /** Called once every chunk is resident. */
  onComplete: (() => void) | null;
}

export const EMPTY = 0xffffffff;
const NEG_ZERO_BITS = 0x80000000;

/*
 * Where an n-gram sits in its table depends only on its words (a hash chained from the newest word to the
 * oldest, as KenLM combines word hashes), not on the slot of its suffix: the probes for all orders of a
 * word can then be issued without waiting for each other's cache misses. The key stored in the slot is
 * still exact: (suffix slot, first word).
 */

/** Chain hash of a one-word suffix. */
export function ngramHashStart(word: number): number {
  let h = Math.imul(word + 0x7f4a7c15, 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca77);
}

/** Chain hash after prepending the older word `word` to the suffix hashed as `h`. */
export function ngramHashExtend(h: number, word: number): number {
  h = (Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ Math.imul(word + 0x165667b1, 0xc2b2ae3d)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Fast range reduction of a 32-bit hash onto [0, cap). */
export const slotOfHash = (h: number, cap: number): number => Math.floor(h * (cap / 4294967296));

export const strideOf = (k: number, order: number): number => (k < order ? 4 : 3);

/** Find (suffix, word), whose chain hash is `hash`, in an entry table of the given stride; −1 when absent. */
export function findSlot(entries: Uint32Array, stride: number, hash: number, suffix: number, word: number): number {
  const cap = entries.length / stride;
  let s = slotOfHash(hash, cap);
  for (;;) {
    const o = s * stride;
    const w = entries[o + 1];
    if (w === EMPTY) return -1;
    if (w === word && entries[o] === suffix) return s;
    if (++s === cap) s = 0;
  }
}

/** Table capacity for `count` entries (load ≤ 2/3, as KenLM's default probing multiplier 1.5). */
export function capacityFor(count: number): number {
  return Math.max(4, Math.ceil(count * 1.5) + 1);
}

export interface WordScore {
  log10: number;
  /** Length of the longest matched n-gram (KenLM FullScoreReturn.ngram_length). */
  ngramLength: number;
  oov: boolean;
}

export interface SentenceScore {
  total: number;
  words: WordScore[];
  oovs: number;
}

/** Running totals of `scoreTextLines` (KenLM query's summary: perplexity including and excluding OOVs). */
export interface TextScoreTotals {
  /** Sum of log10 over every scored token (words and `</s>`). */
  total: number;
  /** Sum of log10 over the OOV words alone. */
  oovTotal: number;
  /** Scored tokens (words and `</s>`). */
  tokens: number;
  oovs: number;
  lines: number;
}

export const emptyTextScoreTotals = (): TextScoreTotals => ({ total: 0, oovTotal: 0, tokens: 0, oovs: 0, lines: 0 });

/** Bytes that separate words in text to score: ASCII whitespace, as KenLM `query` (and `splitWords` before it). */
const IS_SPACE = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]) IS_SPACE[c] = 1;
const NEWLINE = 0x0a;
/** vocab.ts's FNV-1a prime, used inline in the per-byte loop (an imported function there is slower where modules are transformed, as under vite-node). */
const FNV_PRIME = 0x01000193;

export class ArpaModel implements LanguageModelScorer {
  readonly order: number;
  readonly counts: readonly number[];
  /** Messages about the model (e.g. `<unk>` missing), as KenLM prints on load. */
  readonly warnings: string[];
  readonly beginSentenceId: number;
  readonly endSentenceId: number;
  private readonly vocab: Vocabulary;
  private readonly uniProb: Float32Array;
  private readonly uniBackoff: Float32Array;
  private readonly uniBackoffBits: Uint32Array;
  private readonly entries: Uint32Array[];
  private readonly entryFloats: Float32Array[];
  /** First handle of each order's states: base[k] for k = 1..order-1; handle = base[k] + slot. */
  private readonly base: number[];
  private readonly beginState: number;
  private readonly tables: LmTables;
  /** Slots per table, index k (k = 2..order), and cap / 2^32 for slotOfHash's range reduction. */
  private readonly caps: number[];
  private readonly slotScale: Float64Array;
  // Scratch for decoding a state: words most-recent-first and their suffix backoffs.
  private readonly ctxWords: Int32Array;
  private readonly ctxBackoff: Float64Array;
  /** Scratch: first probe slot per order; `touched` keeps the prefetching loads from being optimized away. */
  private readonly probeStart: Int32Array;
  /** Scratch: word ids of one line of text (scoreTextLines), grown as needed. */
  private lineIds = new Int32Array(256);
  private touched = 0;
  /** Tables still being read (lazy load): lookups check their slots' chunks until this is null. */
  private pending: PendingTables | null;
  /** Set by `scoreId`: the state after the word and the matched n-gram length. */
  outState = 0;
  outNgramLength = 0;

  constructor(tables: LmTables, warnings: string[] = [], pending?: PendingTables) {
    this.tables = tables;
    this.pending = pending ?? null;
    if (pending) pending.onComplete = () => (this.pending = null);
    this.order = tables.order;
    this.counts = tables.counts;
    this.warnings = warnings;
    this.vocab = tables.vocab;
    this.uniProb = tables.uniProb;
    this.uniBackoff = tables.uniBackoff;
    this.uniBackoffBits = new Uint32Array(tables.uniBackoff.buffer, tables.uniBackoff.byteOffset, tables.uniBackoff.length);
    this.entries = tables.entries;
    this.entryFloats = tables.entries.map((e) => new Float32Array(e.buffer, e.byteOffset, e.length));
    this.base = [0, 1];
    let next = 1 + tables.vocab.size;
    for (let k = 2; k < this.order; k++) {
      this.base.push(next);
      next += tables.entries[k - 2].length / 4;
    }
    this.caps = [0, tables.vocab.size];
    for (let k = 2; k <= this.order; k++) this.caps.push(tables.entries[k - 2].length / strideOf(k, this.order));
    // the same expression as slotOfHash, so that both give the same slot
    this.slotScale = Float64Array.from(this.caps, (c) => c / 4294967296);
    this.beginSentenceId = this.wordId('<s>');
    this.endSentenceId = this.wordId('</s>');
    // KenLM BeginSentenceWrite: length 1 even when <s> cannot be extended.
    this.beginState = 1 + this.beginSentenceId;
    this.ctxWords = new Int32Array(this.order);
    this.ctxBackoff = new Float64Array(this.order);
    this.probeStart = new Int32Array(this.order);
  }

  /** The raw tables (for the binary writer and diagnostics); a lazy load's tables are read in full first. */
  getTables(): LmTables {
    this.pending?.fillAll();
    return this.tables;
  }

  /** True while a lazy load is still reading the n-gram tables (lookups then read the chunks they touch first). */
  get loading(): boolean {
    return this.pending !== null;
  }

  /** Settles once a lazy load's tables are all read (at once when they are). */
  whenResident(): Promise<void> {
    return this.pending === null ? Promise.resolve() : this.pending.whenResident();
  }

  /** Read the rest of a lazily loaded model's tables now (no-op once resident). */
  makeResident(): void {
    this.pending?.fillAll();
  }

  /** Make the chunk(s) holding slot `s` of order k's table resident. */
  private ensureSlot(k: number, s: number): void {
    const p = this.pending;
    if (p === null) return;
    const bytes = k < this.order ? 16 : 12;
    const at = p.tableOffsets[k - 2] + s * bytes;
    const first = Math.floor(at / p.chunkBytes);
    const last = Math.floor((at + bytes - 1) / p.chunkBytes);
    if (p.resident[first] === 0) p.fillChunk(first);
    if (last !== first && p.resident[last] === 0) p.fillChunk(last);
  }

  get vocabularySize(): number {
    return this.vocab.size;
  }

  beginSentenceState(): number {
    return this.beginState;
  }

  nullContextState(): number {
    return 0;
  }

  /** Word id (0 = `<unk>` for unknown words): the word's UTF-8 bytes hashed on the fly, no string table. */
  wordId(word: string): number {
    const id = this.vocab.id(word);
    return id < 0 ? 0 : id;
  }

  /** The word with this id (decoded from the vocabulary bytes: a new string per call). */
  wordOf(id: number): string {
    return this.vocab.word(id);
  }

  hasWord(word: string): boolean {
    return this.vocab.id(word) > 0;
  }

  *words(): Iterable<string> {
    for (let i = 1; i < this.vocab.size; i++) yield this.vocab.word(i);
  }

  scoreWord(state: number, word: string): { log10: number; state: number; oov: boolean } {
    const id = this.wordId(word);
    const log10 = this.scoreId(state, id);
    return { log10, state: this.outState, oov: id === 0 };
  }

  scoreEndOfSentence(state: number): number {
    return this.scoreId(state, this.endSentenceId);
  }

  /** Words of a state, most recent first (for debugging and tests). */
  stateWords(state: number): string[] {
    const len = this.decodeState(state);
    const out: string[] = [];
    for (let j = 0; j < len; j++) out.push(this.vocab.word(this.ctxWords[j]));
    return out;
  }

  /** Fill ctxWords/ctxBackoff for a state; returns its length. */
  private decodeState(state: number): number {
    if (state === 0) return 0;
    const base = this.base;
    let k = this.order - 1;
    while (k > 1 && state < base[k]) k--;
    let slot = state - base[k];
    const len = k;
    for (; k >= 2; k--) {
      this.ensureSlot(k, slot);
      const e = this.entries[k - 2];
      const o = 4 * slot;
      this.ctxWords[k - 1] = e[o + 1];
      this.ctxBackoff[k - 1] = this.entryFloats[k - 2][o + 3];
      slot = e[o];
    }
    this.ctxWords[0] = slot;
    this.ctxBackoff[0] = this.uniBackoff[slot];
    return len;
  }

  /**
   * log10 p(word id | state), KenLM FullScore. Sets `outState` and `outNgramLength`. No allocation: the
   * state is decoded into scratch arrays and the tables are probed inline (the scoring loop of decoding).
   */
  scoreId(state: number, id: number): number {
    if (this.pending !== null) return this.scoreIdPending(state, id);
    const order = this.order;
    const ctx = this.ctxWords;
    const bo = this.ctxBackoff;
    const entries = this.entries;
    const floats = this.entryFloats;
    // decode the state: its words most recent first, and the backoff of each suffix
    let len = 0;
    if (state !== 0) {
      const base = this.base;
      let k = order - 1;
      while (k > 1 && state < base[k]) k--;
      let slot = state - base[k];
      len = k;
      for (; k >= 2; k--) {
        const o = 4 * slot;
        ctx[k - 1] = entries[k - 2][o + 1];
        bo[k - 1] = floats[k - 2][o + 3];
        slot = entries[k - 2][o];
      }
      ctx[0] = slot;
      bo[0] = this.uniBackoff[slot];
    }
    let prob: number = this.uniProb[id];
    let ngramLength = 1;
    let nextUse = this.uniBackoffBits[id] !== NEG_ZERO_BITS ? 1 : 0;
    let nextSlot = id;
    let slot = id;
    const scale = this.slotScale;
    // First the start slot of every order (they depend only on the words), touching each: these loads
    // miss the cache for large models and are issued together instead of one after the other.
    const start = this.probeStart;
    let h = ngramHashStart(id);
    let touch = 0;
    for (let j = 0; j < len; j++) {
      const k = j + 2;
      h = ngramHashExtend(h, ctx[j]);
      const s = Math.floor(h * scale[k]);
      start[j] = s;
      touch |= entries[k - 2][s * (k < order ? 4 : 3) + 1];
    }
    this.touched = touch;
    for (let j = 0; j < len; j++) {
      const k = j + 2;
      const stride = k < order ? 4 : 3;
      const e = entries[k - 2];
      const word = ctx[j];
      const cap = this.caps[k];
      let s = start[j];
      let o = s * stride;
      let w = e[o + 1];
      while (w !== EMPTY && (w !== word || e[o] !== slot)) {
        if (++s === cap) s = 0;
        o = s * stride;
        w = e[o + 1];
      }
      if (w === EMPTY) break;
      prob = floats[k - 2][o + 2];
      ngramLength = k;
      if (k < order && e[o + 3] !== NEG_ZERO_BITS) {
        nextUse = k;
        nextSlot = s;
      }
      slot = s;
    }
    for (let j = ngramLength - 1; j < len; j++) prob = Math.fround(prob + bo[j]);
    this.outNgramLength = ngramLength;
    this.outState = nextUse === 0 ? 0 : this.base[nextUse] + nextSlot;
    return prob;
  }

  /**
   * scoreId while a lazy load is still reading the tables: the same lookups, each slot's chunk made resident
   * before it is read. Kept apart so that the resident path has no checks.
   */
  private scoreIdPending(state: number, id: number): number {
    const order = this.order;
    const ctx = this.ctxWords;
    const bo = this.ctxBackoff;
    const entries = this.entries;
    const floats = this.entryFloats;
    let len = 0;
    if (state !== 0) {
      const base = this.base;
      let k = order - 1;
      while (k > 1 && state < base[k]) k--;
      let slot = state - base[k];
      len = k;
      for (; k >= 2; k--) {
        this.ensureSlot(k, slot);
        const o = 4 * slot;
        ctx[k - 1] = entries[k - 2][o + 1];
        bo[k - 1] = floats[k - 2][o + 3];
        slot = entries[k - 2][o];
      }
      ctx[0] = slot;
      bo[0] = this.uniBackoff[slot];
    }
    let prob: number = this.uniProb[id];
    let ngramLength = 1;
    let nextUse = this.uniBackoffBits[id] !== NEG_ZERO_BITS ? 1 : 0;
    let nextSlot = id;
    let slot = id;
    const scale = this.slotScale;
    let h = ngramHashStart(id);
    for (let j = 0; j < len; j++) {
      const k = j + 2;
      const stride = k < order ? 4 : 3;
      h = ngramHashExtend(h, ctx[j]);
      const e = entries[k - 2];
      const word = ctx[j];
      const cap = this.caps[k];
      let s = Math.floor(h * scale[k]);
      this.ensureSlot(k, s);
      let o = s * stride;
      let w = e[o + 1];
      while (w !== EMPTY && (w !== word || e[o] !== slot)) {
        if (++s === cap) s = 0;
        this.ensureSlot(k, s);
        o = s * stride;
        w = e[o + 1];
      }
      if (w === EMPTY) break;
      prob = floats[k - 2][o + 2];
      ngramLength = k;
      if (k < order && e[o + 3] !== NEG_ZERO_BITS) {
        nextUse = k;
        nextSlot = s;
      }
      slot = s;
    }
    for (let j = ngramLength - 1; j < len; j++) prob = Math.fround(prob + bo[j]);
    this.outNgramLength = ngramLength;
    this.outState = nextUse === 0 ? 0 : this.base[nextUse] + nextSlot;
    return prob;
  }

  /**
   * Score a whole sentence as KenLM's `query`: optional `<s>` context, each word, optional `</s>`.
   * Per-word results are [log10 p, matched n-gram length, is OOV] like golden word_scores.
   */
  scoreSentence(words: readonly string[], options: { bos?: boolean; eos?: boolean } = {}): SentenceScore {
    const bos = options.bos ?? true;
    const eos = options.eos ?? true;
    let state = bos ? this.beginState : 0;
    let total = 0;
    let oovs = 0;
    const out: WordScore[] = [];
    for (const w of words) {
      const id = this.wordId(w);
      const p = this.scoreId(state, id);
      state = this.outState;
      total += p;
      if (id === 0) oovs++;
      out.push({ log10: p, ngramLength: this.outNgramLength, oov: id === 0 });
    }
    if (eos) {
      const p = this.scoreId(state, this.endSentenceId);
      total += p;
      out.push({ log10: p, ngramLength: this.outNgramLength, oov: false });
    }
    return { total, words: out, oovs };
  }

  /**
   * Score the lines of UTF-8 text bytes text[start, end) as KenLM `query` reads its input: lines end at `\n`,
   * words are split at ASCII whitespace and looked up by their bytes (hashed while scanning, no JS string
   * per word), `<s>` context and `</s>` as `bos` / `eos`. A last line without `\n` is scored too, so pass
   * whole lines (callers streaming a file keep the tail after the last `\n` for the next chunk). Adds to
   * `totals` and calls `onLine(lineStart, lineEnd, lineTotal)` per line (lineEnd excludes the `\n`). The
   * per-line sums are added in the same order as `scoreSentence`, so results are identical to it.
   */
  scoreTextLines(
    text: Uint8Array,
    start: number,
    end: number,
    totals: TextScoreTotals,
    options: { bos?: boolean; eos?: boolean } = {},
    onLine?: (lineStart: number, lineEnd: number, lineTotal: number) => void,
  ): void {
    const bos = options.bos ?? true;
    const eos = options.eos ?? true;
    const vocab = this.vocab;
    const endId = this.endSentenceId;
    let total = totals.total;
    let oovTotal = totals.oovTotal;
    let tokens = totals.tokens;
    let oovs = totals.oovs;
    let lines = totals.lines;
    let p = start;
    while (p < end) {
      const lineStart = p;
      // First every word id of the line (lookups independent of each other, so their cache misses overlap),
      // then the scores.
      let ids = this.lineIds;
      let n = 0;
      let c = 0;
      for (;;) {
        while (p < end && (c = text[p]) !== NEWLINE && IS_SPACE[c] === 1) p++;
        if (p >= end || c === NEWLINE) break;
        const w = p;
        let h = HASH_START;
        while (p < end && IS_SPACE[(c = text[p])] === 0) {
          h = Math.imul(h ^ c, FNV_PRIME);
          p++;
        }
        if (n === ids.length) {
          const grown = new Int32Array(2 * n);
          grown.set(ids);
          this.lineIds = ids = grown;
        }
        ids[n++] = vocab.idOfScannedBytes(text, w, p, h);
      }
      const lineEnd = p;
      if (p < end) p++; // the newline
      let state = bos ? this.beginState : 0;
      let lineTotal = 0;
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        const lp = this.scoreId(state, id < 0 ? 0 : id);
        state = this.outState;
        lineTotal += lp;
        if (id <= 0) {
          oovs++;
          oovTotal += lp;
        }
      }
      tokens += n;
      if (eos) {
        lineTotal += this.scoreId(state, endId);
        tokens++;
      }
      total += lineTotal;
      lines++;
      if (onLine) onLine(lineStart, lineEnd, lineTotal);
    }
    totals.total = total;
    totals.oovTotal = oovTotal;
    totals.tokens = tokens;
    totals.oovs = oovs;
    totals.lines = lines;
  }

  /** Total log10 of a sentence of word ids without per-word detail (fast path). */
  scoreTokens(ids: ArrayLike<number>, bos = true, eos = true): number {
    let state = bos ? this.beginState : 0;
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      total += this.scoreId(state, ids[i]);
      state = this.outState;
    }
    if (eos) total += this.scoreId(state, this.endSentenceId);
    return total;
  }

  /** Bytes held by the n-gram tables, unigram arrays and the vocabulary. */
  tableBytes(): number {
    let b = this.uniProb.byteLength + this.uniBackoff.byteLength + this.vocab.bytes.byteLength + this.vocab.offsets.byteLength + this.vocab.table.byteLength;
    for (const a of this.entries) b += a.byteLength;
    return b;
  }
}
