import { closeSync, openSync, readSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import { ArpaModel, EMPTY, capacityFor, findSlot, ngramHashExtend, ngramHashStart, slotOfHash, strideOf, type LmTables } from './model.js';
import { HASH_START, VocabularyBuilder, finishHash, hashBytes } from './vocab.js';

/**
 * ARPA reader following KenLM's rules (lm/read_arpa.cc, search_hashed.cc, model.cc, vocab.cc):
 * - before `\data\` only blank lines or lines starting with `#`; then `ngram N=count` lines (N consecutive
 *   from 1) up to a blank line; then `\N-grams:` sections (blank lines allowed around them); `\end\`; only
 *   blank lines after it. Order 2..6.
 * - line = prob TAB w1 ' ' w2 ... [TAB backoff]; word delimiters are only '\t' '\n' '\r' ' '; `\r\n` accepted.
 *   prob accepts `inf`/`-inf`/`nan`; backoff must be finite; positive prob is an error (IRSTLM bug).
 * - missing or zero backoff is stored as −0.0 (no extension) and turned into +0.0 when the n-gram is the
 *   context of a longer one; the highest order may not carry a non-zero backoff.
 * - every word of a higher-order n-gram must be a unigram; the context (first n−1 words) of every n-gram
 *   must itself be an (n−1)-gram; a missing suffix (SRI-style pruning) is hallucinated with the
 *   probability the model would give it through backoff, as KenLM does.
 * - `<s>` and `</s>` required; `<unk>` absent → warning and log10 p = −100, backoff 0.
 *
 * Like KenLM it works on bytes: the file is read in chunks and scanned in place; numbers are parsed from their
 * bytes and words are hashed and interned from their bytes (vocab.ts), so no JS string is made per line or per
 * token (only for error messages and for the rare number forms of the slow path).
 *
 * Speed (the n-gram sections are the load time): an n-gram line in the common form is parsed in one scan up to its
 * newline; its words are looked up in a load-time index by 64-bit hash, as KenLM looks words up (LoadWordIndex:
 * no byte comparison; the unigrams themselves are checked byte by byte), dropped after the load; and lines are
 * placed in batches whose cache misses overlap (NgramTableBuilder). The tables are bit-identical to placing each
 * line as it is read, and errors name the first bad line as before.
 */
export const KENLM_MAX_ORDER = 6;
/** KenLM Config::unknown_missing_prob. */
export const UNKNOWN_MISSING_LOG10 = -100;

export interface ArpaReadOptions {
  /** Name used in error messages. */
  fileName?: string;
  /** Receives warnings (default: collected on the model's `warnings`; the CLI prints them to stderr). */
  onWarning?: (message: string) => void;
}

const C_TAB = 9;
const C_LF = 10;
const C_CR = 13;
const C_SPACE = 32;
const C_BACKSLASH = 92;

/** Where the reader's touching loads go (a module variable, so that the compiler keeps them). */
let probeSink = 0;

/** Bytes read per chunk from an ARPA file. */
const READ_CHUNK = 1 << 22;

function isSpaceCode(c: number): boolean {
  // C isspace: ' ', \t, \n, \v, \f, \r
  return c === C_SPACE || (c >= 9 && c <= 13);
}

function isDelim(c: number): boolean {
  return c === C_SPACE || c === C_TAB || c === C_LF || c === C_CR;
}

/** 1 for the word delimiters ('\t' '\n' '\r' ' '), indexed by byte. */
const DELIM = new Uint8Array(256);
for (const c of [C_SPACE, C_TAB, C_LF, C_CR]) DELIM[c] = 1;

const FLOAT_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
export const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** KenLM ReadFloat (double-conversion): decimal numbers plus inf / -inf / nan tokens. */
export function parseFloatToken(tok: string): number | undefined {
  if (FLOAT_RE.test(tok)) return Number(tok);
  const t = tok.toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan' || t === '-nan' || t === '+nan') return NaN;
  return undefined;
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** Where parseNumberAt puts its result (a double returned from a call would be boxed on the heap). */
const NUMBER = new Float64Array(1);

/**
 * Parse bytes[start, end) as a number into NUMBER[0] without allocating; false when it is not one. The common
 * ARPA forms (-1.234, -1.5e-05) are decoded from an integer mantissa and an exact power of ten (one correctly
 * rounded operation, so the result equals Number() of the text); anything else goes through parseFloatToken.
 */
function parseNumberAt(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  let neg = false;
  let c = b[i];
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let any = false;
  for (; i < end; i++) {
    c = b[i] - 48;
    if (c < 0 || c > 9) break;
    mant = mant * 10 + c;
    if (mant !== 0) digits++;
    any = true;
  }
  if (i < end && b[i] === 46) {
    for (i++; i < end; i++) {
      c = b[i] - 48;
      if (c < 0 || c > 9) break;
      mant = mant * 10 + c;
      if (mant !== 0) digits++;
      frac++;
      any = true;
    }
  }
  let exp = 0;
  if (any && i < end && (b[i] | 32) === 101) {
    i++;
    let eneg = false;
    c = b[i];
    if (i < end && (c === 45 || c === 43)) {
      eneg = c === 45;
      i++;
    }
    const es = i;
    for (; i < end; i++) {
      c = b[i] - 48;
      if (c < 0 || c > 9) break;
      exp = exp * 10 + c;
      if (exp > 1000) break;
    }
    if (i === es) any = false;
    if (eneg) exp = -exp;
  }
  if (!any || i !== end || digits > 15) return slowNumber(b, start, end);
  const e = exp - frac;
  let v: number;
  if (e === 0) v = mant;
  else if (e < 0 && e >= -22) v = mant / POW10[-e];
  else if (e > 0 && e <= 22) v = mant * POW10[e];
  else return slowNumber(b, start, end);
  NUMBER[0] = neg ? -v : v;
  return true;
}

/**
 * The common ARPA number form, [-]digits[.digits] with at most 15 digits, decoded from b[q..] into NUMBER[0] the same way
 * as parseNumberAt (one correctly rounded division); returns the position after it when a delimiter or `end` follows,
 * else −1 (then parseNumberAt decides). Small, so that the compiler inlines it into the line scanner.
 */
function plainDecimalAt(b: Uint8Array, q: number, end: number): number {
  let neg = false;
  if (q < end && b[q] === 45) {
    neg = true;
    q++;
  }
  let mant = 0;
  let digits = 0;
  let frac = -1;
  for (; q < end; q++) {
    const d = b[q] - 48;
    if (d >= 0 && d <= 9) {
      mant = mant * 10 + d;
      digits++;
      if (frac >= 0) frac++;
    } else if (d === -2 && frac < 0) frac = 0;
    else break;
  }
  if (digits === 0 || digits > 15 || (q < end && DELIM[b[q]] === 0)) return -1;
  const v = frac > 0 ? mant / POW10[frac] : mant;
  NUMBER[0] = neg ? -v : v;
  return q;
}

function slowNumber(b: Uint8Array, start: number, end: number): boolean {
  const v = parseFloatToken(latin1.decode(b.subarray(start, end)));
  if (v === undefined) return false;
  NUMBER[0] = v;
  return true;
}

function parseFloatAt(b: Uint8Array, start: number, end: number): number | undefined {
  return parseNumberAt(b, start, end) ? NUMBER[0] : undefined;
}

/** Lines of a byte source: one buffer, or a file read in chunks (the current line always lies in `buf`). */
class ByteLineReader {
  buf: Uint8Array;
  /** Bytes of `buf` in use, and where the next line starts. */
  len: number;
  pos = 0;
  private eof: boolean;
  lineNo = 0;
  start = 0;
  end = 0;
  /** Incremented whenever bytes move in `buf` (positions of earlier lines are then stale). */
  generation = 0;
  /** Called before bytes move in `buf` (the n-gram reader places the lines it still refers to). */
  beforeMove: (() => void) | null = null;
  constructor(
    initial: Uint8Array,
    private readonly fd: number | null,
  ) {
    this.buf = initial;
    this.len = fd === null ? initial.length : 0;
    this.eof = fd === null;
  }
  /** Read more bytes after the unconsumed tail (moved to the front); false at end of file. */
  private refill(): boolean {
    if (this.eof) return false;
    this.beforeMove?.();
    this.generation++;
    const tail = this.len - this.pos;
    if (this.pos > 0) this.buf.copyWithin(0, this.pos, this.len);
    this.pos = 0;
    this.len = tail;
    if (this.len === this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    const n = readSync(this.fd as number, this.buf, this.len, this.buf.length - this.len, null);
    if (n === 0) this.eof = true;
    this.len += n;
    return n > 0;
  }
  /** Advance to the next line; false at end of input. `\r` before `\n` is stripped. */
  next(): boolean {
    // a plain loop: lines are short, and TypedArray indexOf costs more per call than it saves
    let b = this.buf;
    let len = this.len;
    let nl = this.pos;
    while (nl < len && b[nl] !== C_LF) nl++;
    while (nl >= len) {
      const scanned = len - this.pos;
      if (!this.refill()) {
        nl = this.len;
        break;
      }
      b = this.buf;
      len = this.len;
      nl = this.pos + scanned;
      while (nl < len && b[nl] !== C_LF) nl++;
    }
    if (this.pos >= this.len) return false;
    this.start = this.pos;
    this.pos = nl + 1;
    this.end = nl > this.start && b[nl - 1] === C_CR ? nl - 1 : nl;
    this.lineNo++;
    return true;
  }
  /** Make buf[start, end) the current line, the next one starting at `next` (a line its caller found itself). */
  take(start: number, end: number, next: number): void {
    this.start = start;
    this.end = end;
    this.pos = next;
    this.lineNo++;
  }
  line(): string {
    return utf8.decode(this.buf.subarray(this.start, this.end));
  }
  text(from: number, to: number): string {
    return utf8.decode(this.buf.subarray(from, to));
  }
  isBlank(): boolean {
    const b = this.buf;
    for (let i = this.start; i < this.end; i++) if (!isSpaceCode(b[i])) return false;
    return true;
  }
  is(literal: string): boolean {
    if (this.end - this.start !== literal.length) return false;
    for (let i = 0; i < literal.length; i++) if (this.buf[this.start + i] !== literal.charCodeAt(i)) return false;
    return true;
  }
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

const UNK_BYTES = new TextEncoder().encode('<unk>');
const BOS_BYTES = new TextEncoder().encode('<s>');
const EOS_BYTES = new TextEncoder().encode('</s>');

/** Seed and multiplier of the second word hash (an FNV-1a-style pass with other constants), used only while loading. */
const HASH2_START = 0x9747b28c;
const HASH2_PRIME = 0x9e3779b1;

/** Final mix of the second word hash (murmur3 fmix32 with other constants, so that it is not a function of the first). */
function finishHash2(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * A load-time index from a word's 64-bit hash (the vocabulary's 32-bit hash plus a second, independent one) to
 * its id: slots of [hash1, hash2, id, 0]. The n-gram sections name each word many times; looking it up here costs
 * one slot read, where the vocabulary's exact lookup also reads the word's offsets and bytes (two more dependent
 * cache misses). Words are compared by their 64-bit hash only, as KenLM does for every word: the unigrams are
 * checked byte by byte when they are added (two distinct unigrams with the same 64-bit hash switch the index off,
 * and the exact lookup is used instead), so the only inexactness left is KenLM's own: a word of a higher-order
 * n-gram that is not a unigram but shares a unigram's 64-bit hash would be taken for it. Dropped after the load.
 */
class LoadWordIndex {
  private readonly slots: Uint32Array;
  private readonly cap: number;
  /** False once two distinct unigrams share a 64-bit hash. */
  usable = true;
  constructor(words: number) {
    this.cap = Math.max(4, Math.ceil(words * 1.5) + 1);
    this.slots = new Uint32Array(4 * this.cap);
    for (let o = 2; o < this.slots.length; o += 4) this.slots[o] = NO_ID;
  }
  add(h1: number, h2: number, id: number): void {
    const t = this.slots;
    const cap = this.cap;
    let s = slotOfHash(h1, cap);
    while (t[4 * s + 2] !== NO_ID) {
      if (t[4 * s] === h1 && t[4 * s + 1] === h2) this.usable = false;
      if (++s === cap) s = 0;
    }
    t[4 * s] = h1;
    t[4 * s + 1] = h2;
    t[4 * s + 2] = id;
  }
  /** The id stored in the first slot for h1 (read ahead of `find` so that its cache miss overlaps others). */
  touch(h1: number): number {
    return this.slots[4 * slotOfHash(h1, this.cap) + 2];
  }
  /** Id of the word with this 64-bit hash, or −1. */
  find(h1: number, h2: number): number {
    const t = this.slots;
    const cap = this.cap;
    let s = slotOfHash(h1, cap);
    for (;;) {
      const o = 4 * s;
      const id = t[o + 2];
      if (id === NO_ID) return -1;
      if (t[o] === h1 && t[o + 1] === h2) return id;
      if (++s === cap) s = 0;
    }
  }
}
const NO_ID = 0xffffffff;

/** Second hash of bytes[start, end). */
function hash2Bytes(bytes: Uint8Array, start: number, end: number): number {
  let h = HASH2_START;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], HASH2_PRIME);
  return finishHash2(h, end - start);
}

/** Parse an ARPA model from its text or its bytes (UTF-8). */
export function parseArpa(text: string | Uint8Array, options: ArpaReadOptions = {}): ArpaModel {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return parseLines(new ByteLineReader(bytes, null), options);
}

function parseLines(r: ByteLineReader, options: ArpaReadOptions): ArpaModel {
  const file = options.fileName ?? '<arpa>';
  const fail = (msg: string, line = r.lineNo): never => {
    throw new UserError(msg, { source: `${file}:${line}`, code: 'E_ARPA' });
  };
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    options.onWarning?.(m);
  };

  // ---- header
  let have = r.next();
  while (have && (r.isBlank() || r.buf[r.start] === 35) /* # */) have = r.next();
  if (!have) fail('expected "\\data\\" but the file has no content');
  if (!r.is('\\data\\')) {
    if (r.buf[r.start] === 0x1f && r.buf[r.start + 1] === 0x8b) fail('looks like a gzip file; decompress it first');
    const l = r.line();
    if (l.startsWith(BINARY_MAGIC_TEXT)) fail('this is a compiled binary LM, not an ARPA file');
    fail(`expected "\\data\\" as the first non-blank, non-# line but got ${quote(l)}`);
  }
  const counts: number[] = [];
  for (;;) {
    if (!r.next()) fail('unexpected end of file in the \\data\\ counts (expected "ngram N=count" lines, then a blank line)');
    if (r.isBlank()) break;
    const m = /^ngram\s*(\d+)\s*=\s*(\d+)\s*$/.exec(r.line());
    if (!m) fail(`expected a count line "ngram N=count" but got ${quote(r.line())}`);
    const n = Number(m![1]);
    if (n !== counts.length + 1) fail(`n-gram count lines must be consecutive starting with 1: expected "ngram ${counts.length + 1}=…" but got ${quote(r.line())}`);
    counts.push(Number(m![2]));
  }
  const order = counts.length;
  if (order < 2) fail(`this implementation (like KenLM) needs at least a bigram model, but the header declares order ${order}`);
  if (order > KENLM_MAX_ORDER) fail(`order ${order} is above the maximum ${KENLM_MAX_ORDER} (KenLM's KENLM_MAX_ORDER)`);

  const readSectionHeader = (n: number) => {
    do {
      if (!r.next()) fail(`unexpected end of file: expected the n-gram header \\${n}-grams:`);
    } while (r.isBlank());
    if (!r.is(`\\${n}-grams:`)) fail(`expected the n-gram header \\${n}-grams: but got ${quote(r.line())}`);
  };
  /** The n-gram lines not yet placed are placed before an error after them is reported (file order). */
  let pending: NgramTableBuilder | null = null;
  const failAfterPending = (msg: string): never => {
    pending?.flush();
    return fail(msg);
  };
  /** Next non-blank line of a section (KenLM's ReadFloat skips whitespace); fails at EOF or a header. */
  const nextEntryLine = (n: number, i: number) => {
    do {
      if (!r.next()) failAfterPending(`unexpected end of file: the header declares ${counts[n - 1]} ${n}-grams but only ${i} were read`);
    } while (r.isBlank());
    if (r.buf[r.start] === C_BACKSLASH) {
      failAfterPending(`the header declares ${counts[n - 1]} ${n}-grams but the \\${n}-grams: section has only ${i} (got ${quote(r.line())})`);
    }
  };

  // Position-based tokenizer over the current line (r.buf may be replaced by r.next(), so it is read per line).
  let b = r.buf;
  let p = 0;
  let tokStart = 0;
  let tokHash = 0;
  let tokHash2 = 0;
  const skipDelims = () => {
    while (p < r.end && isDelim(b[p])) p++;
  };
  /** Scan a word at p: sets tokStart and tokHash, leaves p after it. */
  const wordToken = () => {
    tokStart = p;
    let h = HASH_START;
    let h2 = HASH2_START;
    const end = r.end;
    let c: number;
    while (p < end && !isDelim((c = b[p]))) {
      h = Math.imul(h ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, HASH2_PRIME);
      p++;
    }
    tokHash = finishHash(h);
    tokHash2 = finishHash2(h2, p - tokStart);
  };
  const numberToken = (): number | undefined => {
    const s = p;
    while (p < r.end && !isDelim(b[p])) p++;
    return p === s ? undefined : parseFloatAt(b, s, p);
  };
  const readProb = (n: number): number => {
    b = r.buf;
    p = r.start;
    while (p < r.end && (b[p] === C_SPACE || b[p] === C_TAB)) p++;
    const s = p;
    const v = numberToken();
    if (v === undefined) fail(`expected a log10 probability at the start of the ${n}-gram line but got ${quote(r.text(s, p))}`);
    if (v! > 0) fail(`positive log10 probability ${r.text(s, p)} in a ${n}-gram (an IRSTLM bug; KenLM rejects it)`);
    return v!;
  };
  /** After the words: none (end of line), or TAB backoff. Returns undefined when absent. */
  const readBackoff = (n: number): number | undefined => {
    if (p >= r.end) return undefined;
    if (b[p] !== C_TAB) fail(`expected a tab and a backoff, or the end of the line, after the ${n} word(s) of the ${n}-gram but got ${quote(r.text(p, r.end))}`);
    p++;
    while (p < r.end && (b[p] === C_SPACE || b[p] === C_TAB)) p++;
    const s = p;
    const v = numberToken();
    if (p < r.end) fail(`expected the end of the line after the backoff but got ${quote(r.text(p, r.end))}`);
    if (v === undefined) fail(`expected a backoff weight after the tab but got ${quote(r.text(s, p))}`);
    if (!Number.isFinite(v!)) fail(`bad backoff ${r.text(s, p)}: backoffs must be finite`);
    return v!;
  };

  // ---- unigrams
  readSectionHeader(1);
  const nUni = counts[0];
  // <unk> is id 0 whether or not the file has it (KenLM's convention); other words get ids in file order.
  const vocab = new VocabularyBuilder(nUni + 1);
  vocab.add(UNK_BYTES, 0, UNK_BYTES.length, hashBytes(UNK_BYTES, 0, UNK_BYTES.length));
  const wordIndex = new LoadWordIndex(nUni + 1);
  wordIndex.add(hashBytes(UNK_BYTES, 0, UNK_BYTES.length), hash2Bytes(UNK_BYTES, 0, UNK_BYTES.length), 0);
  const uniProbTmp = new Float32Array(nUni + 1);
  const uniBoTmp = new Float32Array(nUni + 1);
  let sawUnk = false;
  for (let i = 0; i < nUni; i++) {
    nextEntryLine(1, i);
    const prob = readProb(1);
    if (p >= r.end || b[p] !== C_TAB) fail('expected a tab after the probability of the 1-gram');
    skipDelims();
    wordToken();
    if (p === tokStart) fail('expected a word after the probability of the 1-gram');
    const ws = tokStart;
    const we = p;
    const wh = tokHash;
    const wh2 = tokHash2;
    const bo = readBackoff(1);
    let id = vocab.idOfBytes(b, ws, we, wh);
    if (id === 0 && !sawUnk) {
      sawUnk = true;
    } else if (id >= 0) {
      fail(`duplicate unigram ${quote(r.text(ws, we))}`);
    } else {
      id = vocab.add(b, ws, we, wh);
      wordIndex.add(wh, wh2, id);
    }
    uniProbTmp[id] = prob;
    uniBoTmp[id] = bo === undefined || bo === 0 ? -0 : bo;
  }
  const V = vocab.size;
  const uniProb = uniProbTmp.slice(0, V);
  const uniBackoff = uniBoTmp.slice(0, V);
  if (vocab.idOfBytes(BOS_BYTES, 0, BOS_BYTES.length, hashBytes(BOS_BYTES, 0, BOS_BYTES.length)) < 0) {
    fail('the language model has no <s> in its unigrams (required, as in KenLM)');
  }
  if (vocab.idOfBytes(EOS_BYTES, 0, EOS_BYTES.length, hashBytes(EOS_BYTES, 0, EOS_BYTES.length)) < 0) {
    fail('the language model has no </s> in its unigrams (required, as in KenLM)');
  }
  if (!sawUnk) {
    warn(`${file}: the language model is missing <unk>; substituting log10 probability ${UNKNOWN_MISSING_LOG10} (as KenLM does)`);
    uniProb[0] = UNKNOWN_MISSING_LOG10;
    uniBackoff[0] = 0; // KenLM sets +0.0 here
  } else if (Math.abs(uniBackoff[0]) > 0.0000001) {
    fail(`the backoff of <unk> should be zero but is ${uniBackoff[0]}`);
  }

  // ---- higher orders
  const tables = new NgramTableBuilder(order, counts, uniProb, uniBackoff, vocab, wordIndex.usable ? wordIndex : null, r, fail);
  pending = tables;
  r.beforeMove = () => tables.flush();
  for (let n = 2; n <= order; n++) {
    readSectionHeader(n);
    tables.startSection(n);
    const count = counts[n - 1];
    for (let i = 0; i < count; i++) {
      if (tables.scanLine(true)) continue;
      nextEntryLine(n, i);
      tables.scanLine(false);
    }
    tables.flush();
  }
  r.beforeMove = null;
  pending = null;

  // ---- end
  do {
    if (!r.next()) fail('unexpected end of file: expected \\end\\');
  } while (r.isBlank());
  if (!r.is('\\end\\')) fail(`expected \\end\\ after the ${order}-grams but got ${quote(r.line())}`);
  while (r.next()) if (!r.isBlank()) fail(`only blank lines may follow \\end\\, but got ${quote(r.line())}`);

  const lmTables: LmTables = { order, vocab: vocab.finish(), uniProb, uniBackoff, entries: tables.entries, counts, stored: tables.stored };
  return new ArpaModel(lmTables, warnings);
}

/** Lines of an n-gram section parsed before their tables work is done (see NgramTableBuilder). */
const BATCH_LINES = 32;

/**
 * The n-gram tables of orders 2..N being filled from ARPA lines, in batches of BATCH_LINES lines: `scanLine` parses a
 * line (numbers, word hashes) into the batch; `placeBatch` then reads the word-index slots of all its words in one
 * loop, resolves the ids and chain hashes, reads the first table slot of every lookup and insert of all its lines in
 * another loop, and only then walks the chains and inserts line by line. Each of those loops issues dozens of
 * independent loads whose cache and TLB misses overlap; a line at a time, the misses of one line wait for each other
 * and for the parsing around them. The tables and errors are the same as line by line: lines are placed in file order,
 * a batch is placed before the reader moves bytes in its buffer (so errors can quote their line), and an error found
 * while scanning a line is reported after the lines before it are placed.
 */
class NgramTableBuilder {
  readonly entries: Uint32Array[] = [];
  readonly floats: Float32Array[] = [];
  readonly strides: number[] = [0, 0];
  readonly stored: number[];
  private readonly uniBits: Uint32Array;
  /** ctx[c] = slot of the context of length c (w[n-1-c..n-2]); suf[L] = slot of the suffix of length L (w[n-L..n-1]). */
  private readonly ctx: Int32Array;
  private readonly suf: Int32Array;
  /** Word ids of the last line placed (its chains are reused as far as the next line's words match). */
  private readonly placed: Int32Array;
  /** Word ids of the last line resolved (the target of WORD_AS_BEFORE). */
  private readonly prev: Int32Array;
  /** Where the last scanned line's words are in r.buf (valid while r.generation is unchanged). */
  private readonly prevStart: Int32Array;
  private readonly prevEnd: Int32Array;
  private prevGeneration = -1;
  /** The section's order, and the batch: line count, then per line (index i, words at i * order + j). */
  private n = 0;
  private count = 0;
  private readonly lineNo = new Int32Array(BATCH_LINES);
  private readonly lineStart = new Int32Array(BATCH_LINES);
  private readonly lineEnd = new Int32Array(BATCH_LINES);
  private readonly prob = new Float64Array(BATCH_LINES);
  private readonly bo = new Float64Array(BATCH_LINES);
  private readonly topHash = new Uint32Array(BATCH_LINES);
  private readonly ids: Int32Array;
  private readonly wordStart: Int32Array;
  private readonly wordEnd: Int32Array;
  private readonly wordHash: Uint32Array;
  private readonly wordHash2: Uint32Array;
  /** Chain hashes (ngramHashExtend) of each line's contexts and suffixes, by length. */
  private readonly ctxHash: Uint32Array;
  private readonly sufHash: Uint32Array;
  /** Line being placed (for errors). */
  private placing = 0;

  constructor(
    readonly order: number,
    counts: readonly number[],
    private readonly uniProb: Float32Array,
    private readonly uniBackoff: Float32Array,
    private readonly vocab: VocabularyBuilder,
    /** The 64-bit-hash word index, or null when it cannot be used (then words are looked up exactly). */
    private readonly wordIndex: LoadWordIndex | null,
    private readonly r: ByteLineReader,
    private readonly fail: (msg: string, line?: number) => never,
  ) {
    this.stored = [uniProb.length];
    for (let k = 2; k <= order; k++) {
      const stride = strideOf(k, order);
      const e = new Uint32Array(stride * capacityFor(counts[k - 1]));
      // mark every slot free: one slot by hand, then doubling copies (memory-speed, unlike a strided loop)
      e[1] = EMPTY;
      for (let filled = stride; filled < e.length; filled *= 2) e.copyWithin(filled, 0, Math.min(filled, e.length - filled));
      this.entries.push(e);
      this.floats.push(new Float32Array(e.buffer));
      this.strides.push(stride);
      this.stored.push(0);
    }
    this.uniBits = new Uint32Array(uniBackoff.buffer, uniBackoff.byteOffset, uniBackoff.length);
    this.ctx = new Int32Array(order);
    this.suf = new Int32Array(order);
    this.placed = new Int32Array(order);
    this.prev = new Int32Array(order);
    this.prevStart = new Int32Array(order);
    this.prevEnd = new Int32Array(order);
    const words = BATCH_LINES * order;
    this.ids = new Int32Array(words);
    this.wordStart = new Int32Array(words);
    this.wordEnd = new Int32Array(words);
    this.wordHash = new Uint32Array(words);
    this.wordHash2 = new Uint32Array(words);
    this.ctxHash = new Uint32Array(words);
    this.sufHash = new Uint32Array(words);
  }

  startSection(n: number): void {
    this.n = n;
    this.count = 0;
    this.placed.fill(-1);
    this.prev.fill(-1);
    this.prevGeneration = -1;
  }

  /** Place the lines parsed so far (at the end of a section, and before the reader moves its buffer). */
  flush(): void {
    if (this.count > 0) this.placeBatch();
  }

  /** Report an error found while scanning the current line, after placing the lines before it (file order). */
  private scanFail(msg: string): never {
    this.flush();
    return this.fail(msg);
  }

  private lineText(i: number): string {
    return this.r.text(this.lineStart[i], this.lineEnd[i]);
  }

  private insert(k: number, hash: number, suffix: number, word: number, prob: number, bo: number): number {
    const e = this.entries[k - 2];
    const stride = this.strides[k];
    const cap = e.length / stride;
    if (this.stored[k - 1] + 1 >= cap) {
      this.fail(`too many ${k}-grams: more than the header's count plus the hallucinated suffixes of SRI-pruned n-grams fit (${cap - 1})`, this.placing);
    }
    let s = slotOfHash(hash, cap);
    while (e[s * stride + 1] !== EMPTY) {
      if (e[s * stride + 1] === word && e[s * stride] === suffix) return -1 - s;
      if (++s === cap) s = 0;
    }
    const o = s * stride;
    e[o] = suffix;
    e[o + 1] = word;
    this.floats[k - 2][o + 2] = prob;
    if (k < this.order) this.floats[k - 2][o + 3] = bo;
    this.stored[k - 1]++;
    return s;
  }

  private setExtension(k: number, slot: number): void {
    if (k === 1) {
      if (this.uniBits[slot] === 0x80000000) this.uniBits[slot] = 0; // −0.0 → +0.0
    } else if (this.entries[k - 2][4 * slot + 3] === 0x80000000) this.entries[k - 2][4 * slot + 3] = 0;
  }

  private boOf(k: number, slot: number): number {
    return k === 1 ? this.uniBackoff[slot] : this.floats[k - 2][4 * slot + 3];
  }

  private probOf(k: number, slot: number): number {
    return k === 1 ? this.uniProb[slot] : this.floats[k - 2][this.strides[k] * slot + 2];
  }

  /**
   * Parse a line as an n-gram into the batch (no allocation; this is the load time). `fast`: the line is the reader's
   * next one, not yet delimited: it is parsed straight from the buffer up to its newline, the one scan of its bytes,
   * and taken from the reader; a line in any but the common form (number TAB words [TAB number] newline, all in the
   * buffer) returns false, and its caller reads it the ordinary way (which finds its errors). Else the reader's current
   * line, and errors are thrown.
   */
  scanLine(fast: boolean): boolean {
    const r = this.r;
    const n = this.n;
    const i = this.count;
    const w0 = i * this.order;
    const { ids, prevStart, prevEnd, wordStart, wordEnd, wordHash, wordHash2 } = this;
    const b = r.buf;
    const end = fast ? r.len : r.end;
    const lineStart = fast ? r.pos : r.start;
    let q = lineStart;
    if (!fast) while (q < end && (b[q] === C_SPACE || b[q] === C_TAB)) q++;
    let t = q;
    const afterProb = plainDecimalAt(b, q, end);
    if (afterProb >= 0) q = afterProb;
    else {
      if (fast) return false;
      while (q < end && DELIM[b[q]] === 0) q++;
      if (q === t || !parseNumberAt(b, t, q)) this.scanFail(`expected a log10 probability at the start of the ${n}-gram line but got ${quote(r.text(t, q))}`);
    }
    const prob = NUMBER[0];
    if (prob > 0 && fast) return false;
    if (prob > 0) this.scanFail(`positive log10 probability ${r.text(t, q)} in a ${n}-gram (an IRSTLM bug; KenLM rejects it)`);
    const sameBuffer = r.generation === this.prevGeneration;
    // a word in the same place as on the previous line (common in sorted files) takes its id; the others are hashed
    for (let j = 0; j < n; j++) {
      if (fast) {
        while (q < end && (b[q] === C_SPACE || b[q] === C_TAB)) q++;
        if (q >= end || b[q] === C_LF || b[q] === C_CR) return this.fallBack();
      } else {
        while (q < end && DELIM[b[q]] !== 0) q++;
        if (q >= end) this.scanFail(`expected ${n} words in the ${n}-gram but found ${j}`);
      }
      t = q;
      const w = w0 + j;
      wordStart[w] = t;
      if (sameBuffer) {
        const ps = prevStart[j];
        const len = prevEnd[j] - ps;
        let k = 0;
        while (k < len && t + k < end && b[t + k] === b[ps + k]) k++;
        if (k === len && (t + k === end || DELIM[b[t + k]] !== 0)) {
          q = t + len;
          wordEnd[w] = q;
          prevStart[j] = t;
          prevEnd[j] = q;
          ids[w] = WORD_AS_BEFORE;
          continue;
        }
      }
      let h = HASH_START;
      let h2 = HASH2_START;
      let c: number;
      while (q < end && DELIM[(c = b[q])] === 0) {
        h = Math.imul(h ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, HASH2_PRIME);
        q++;
      }
      wordEnd[w] = q;
      prevStart[j] = t;
      prevEnd[j] = q;
      ids[w] = WORD_TO_FIND;
      wordHash[w] = finishHash(h);
      wordHash2[w] = finishHash2(h2, q - t);
    }
    let bo = 0;
    if (fast) {
      if (q < end && b[q] === C_TAB) {
        q++;
        while (q < end && (b[q] === C_SPACE || b[q] === C_TAB)) q++;
        q = plainDecimalAt(b, q, end);
        if (q < 0) return this.fallBack();
        bo = NUMBER[0];
        if (n === this.order && bo !== 0) return this.fallBack();
      }
      // the newline (or CR LF) must follow
      if (q < end && b[q] === C_LF) r.take(lineStart, q, q + 1);
      else if (q + 1 < end && b[q] === C_CR && b[q + 1] === C_LF) r.take(lineStart, q, q + 2);
      else return this.fallBack();
    } else if (q < end) {
      if (b[q] !== C_TAB) this.scanFail(`expected a tab and a backoff, or the end of the line, after the ${n} word(s) of the ${n}-gram but got ${quote(r.text(q, end))}`);
      q++;
      while (q < end && (b[q] === C_SPACE || b[q] === C_TAB)) q++;
      t = q;
      const afterBo = plainDecimalAt(b, q, end);
      let hasBo = afterBo >= 0;
      if (hasBo) q = afterBo;
      else {
        while (q < end && DELIM[b[q]] === 0) q++;
        hasBo = q !== t && parseNumberAt(b, t, q);
      }
      if (q < end) this.scanFail(`expected the end of the line after the backoff but got ${quote(r.text(q, end))}`);
      if (!hasBo) this.scanFail(`expected a backoff weight after the tab but got ${quote(r.text(t, q))}`);
      bo = NUMBER[0];
      if (!Number.isFinite(bo)) this.scanFail(`bad backoff ${r.text(t, q)}: backoffs must be finite`);
      if (n === this.order && bo !== 0) this.scanFail(`non-zero backoff ${bo} on a ${n}-gram of the highest order, which has no backoff`);
    }
    this.prevGeneration = r.generation;
    this.lineNo[i] = r.lineNo;
    this.lineStart[i] = r.start;
    this.lineEnd[i] = r.end;
    this.prob[i] = prob;
    this.bo[i] = bo === 0 ? -0 : bo;
    if (++this.count === BATCH_LINES) this.placeBatch();
    return true;
  }

  /** A fast scan gave up: the words it compared with the previous line's may have replaced their positions. */
  private fallBack(): false {
    this.prevGeneration = -1;
    return false;
  }

  private placeBatch(): void {
    const { ids, wordHash, wordHash2, ctxHash, sufHash, topHash, entries, strides, prev } = this;
    const n = this.n;
    const O = this.order;
    const count = this.count;
    const vocab = this.vocab;
    const wordIndex = this.wordIndex;
    const b = this.r.buf;
    // 1. read the first word-index slot of every word to find, in one loop (their misses overlap)
    let touch = 0;
    for (let i = 0; i < count; i++) {
      for (let w = i * O; w < i * O + n; w++) {
        if (ids[w] === WORD_TO_FIND) touch |= wordIndex !== null ? wordIndex.touch(wordHash[w]) : vocab.touch(wordHash[w]);
      }
    }
    // 2. resolve the ids and the chain hashes, line by line
    let ready = count;
    for (let i = 0; i < count && ready === count; i++) {
      const w0 = i * O;
      for (let j = 0; j < n; j++) {
        const w = w0 + j;
        let id = ids[w];
        if (id === WORD_AS_BEFORE) id = prev[j];
        else if (id === WORD_TO_FIND) {
          id = wordIndex !== null ? wordIndex.find(wordHash[w], wordHash2[w]) : vocab.idOfBytes(b, this.wordStart[w], this.wordEnd[w], wordHash[w]);
          if (id < 0) {
            ready = i;
            break;
          }
        }
        ids[w] = id;
        prev[j] = id;
      }
      if (ready !== count) break;
      ctxHash[w0 + 1] = ngramHashStart(ids[w0 + n - 2]);
      for (let c = 2; c <= n - 1; c++) ctxHash[w0 + c] = ngramHashExtend(ctxHash[w0 + c - 1], ids[w0 + n - 1 - c]);
      sufHash[w0 + 1] = ngramHashStart(ids[w0 + n - 1]);
      for (let m = 2; m <= n - 1; m++) sufHash[w0 + m] = ngramHashExtend(sufHash[w0 + m - 1], ids[w0 + n - m]);
      topHash[i] = ngramHashExtend(sufHash[w0 + n - 1], ids[w0]);
    }
    // 3. read the first table slot of every lookup and insert of those lines, in one loop
    for (let k = 2; k <= n; k++) {
      const e = entries[k - 2];
      const stride = strides[k];
      const cap = e.length / stride;
      for (let i = 0; i < ready; i++) {
        if (k < n) touch |= e[slotOfHash(ctxHash[i * O + k], cap) * stride + 1] | e[slotOfHash(sufHash[i * O + k], cap) * stride + 1];
        else touch |= e[slotOfHash(topHash[i], cap) * stride + 1];
      }
    }
    probeSink ^= touch;
    // 4. walk the chains and insert, line by line
    for (let i = 0; i < ready; i++) this.placeLine(i);
    this.count = 0;
    if (ready !== count) {
      const w0 = ready * O;
      let j = 0;
      while (ids[w0 + j] >= 0) j++;
      const w = w0 + j;
      this.fail(`the word ${quote(this.r.text(this.wordStart[w], this.wordEnd[w]))} of this ${n}-gram is not among the unigrams`, this.lineNo[ready]);
    }
  }

  private placeLine(i: number): void {
    const { ids, ctx, suf, ctxHash, sufHash, placed, entries, strides } = this;
    const n = this.n;
    const w0 = i * this.order;
    this.placing = this.lineNo[i];
    // Chains of the previous line are reused as far as its words match: files sorted in suffix order
    // (lmplz's) share most of both chains between neighbours, which saves most random table probes.
    let sameSuf = 0;
    while (sameSuf < n && ids[w0 + n - 1 - sameSuf] === placed[n - 1 - sameSuf]) sameSuf++;
    let sameCtx = 0;
    while (sameCtx < n - 1 && ids[w0 + n - 2 - sameCtx] === placed[n - 2 - sameCtx]) sameCtx++;
    const cFrom = Math.max(2, sameCtx + 1);
    const lFrom = Math.max(2, Math.min(sameSuf, n - 1) + 1);
    // Context chain w[n-2], w[n-3..n-2], ...: the full context must exist (KenLM ActivateLowerMiddle).
    ctx[1] = ids[w0 + n - 2];
    for (let c = cFrom; c <= n - 1; c++) {
      ctx[c] = ctx[c - 1] < 0 ? -1 : findSlot(entries[c - 2], strides[c], ctxHash[w0 + c], ctx[c - 1], ids[w0 + n - 1 - c]);
    }
    if (ctx[n - 1] < 0) this.fail(`the context of every ${n}-gram must appear as a ${n - 1}-gram, but ${quote(this.lineText(i))} has none`, this.placing);
    // Suffix chain; hallucinate missing suffixes as KenLM's FindLower/AdjustLower.
    suf[1] = ids[w0 + n - 1];
    let L = lFrom;
    for (; L <= n - 1; L++) {
      const s = findSlot(entries[L - 2], strides[L], sufHash[w0 + L], suf[L - 1], ids[w0 + n - L]);
      if (s < 0) break;
      suf[L] = s;
    }
    if (L <= n - 1) {
      const basis = L - 1;
      let bp = -Math.abs(this.probOf(basis, suf[basis]));
      for (let m = basis + 1; m <= n - 1; m++) {
        // the m-gram suffix backs off through its context of length m-1 (ctx[m-1])
        this.setExtension(m - 1, ctx[m - 1]);
        bp = Math.fround(bp + this.boOf(m - 1, ctx[m - 1]));
        const s = this.insert(m, sufHash[w0 + m], suf[m - 1], ids[w0 + n - m], bp, -0);
        suf[m] = s < 0 ? -1 - s : s;
      }
    }
    const s = this.insert(n, this.topHash[i], suf[n - 1], ids[w0], this.prob[i], this.bo[i]);
    if (s < 0) this.fail(`duplicate ${n}-gram ${quote(this.lineText(i))}`, this.placing);
    this.setExtension(n - 1, ctx[n - 1]);
    for (let j = 0; j < n; j++) placed[j] = ids[w0 + j];
  }
}
/** Batch word-id markers: the same bytes as the word in this position on the previous line; to be looked up. */
const WORD_AS_BEFORE = -2;
const WORD_TO_FIND = -1;

/** First bytes of a compiled binary LM (see binary.ts). */
export const BINARY_MAGIC_TEXT = 'CTCENSLM';

/** Read and parse an ARPA file in chunks (the file is never held whole in memory, nor as a string). */
export async function readArpaFile(path: string, options: Omit<ArpaReadOptions, 'fileName'> & { chunkBytes?: number } = {}): Promise<ArpaModel> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UserError(`cannot read the ARPA file: ${(e as Error).message}`, { source: path, cause: e });
  }
  try {
    return parseLines(new ByteLineReader(new Uint8Array(Math.max(1, options.chunkBytes ?? READ_CHUNK)), fd), { ...options, fileName: path });
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read the ARPA file: ${(e as Error).message}`, { source: path, cause: e });
  } finally {
    closeSync(fd);
  }
}
