import { UserError } from '../../src/util/errors.js';
import { parseFloatToken, POW10 } from '../../src/lm/arpa.js';

// The table layout of that reader (keyed by (suffix slot, word)); compare tables with ngramsOf().
const EMPTY = 0xffffffff;
const strideOf = (k: number, order: number): number => (k < order ? 4 : 3);
const capacityFor = (count: number): number => Math.max(4, Math.ceil(count * 1.5) + 1);
function slotOf(suffix: number, word: number, cap: number): number {
  let h = (Math.imul(suffix, 0x9e3779b1) ^ Math.imul(word + 0x7f4a7c15, 0x85ebca77)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.floor((h >>> 0) * (cap / 4294967296));
}
function findSlot(entries: Uint32Array, stride: number, suffix: number, word: number): number {
  const cap = entries.length / stride;
  let s = slotOf(suffix, word, cap);
  for (;;) {
    const o = s * stride;
    const w = entries[o + 1];
    if (w === EMPTY) return -1;
    if (w === word && entries[o] === suffix) return s;
    if (++s === cap) s = 0;
  }
}

/**
 * Every n-gram of tables in this layout (a slot's words are found by walking its suffix slots), as
 * "k:id id …" → [prob bits, backoff bits]: equal for two readers whatever their hash functions.
 */
export function ngramsOf(order: number, entries: Uint32Array[]): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (let k = 2; k <= order; k++) {
    const e = entries[k - 2];
    const stride = strideOf(k, order);
    for (let o = 0; o < e.length; o += stride) {
      if (e[o + 1] === EMPTY) continue;
      const ids = [e[o + 1]];
      let slot = e[o];
      for (let m = k - 1; m >= 2; m--) {
        const q = 4 * slot;
        ids.push(entries[m - 2][q + 1]);
        slot = entries[m - 2][q];
      }
      ids.push(slot);
      out.set(`${k}:${ids.join(' ')}`, [e[o + 2], stride === 4 ? e[o + 3] : 0]);
    }
  }
  return out;
}

const BINARY_MAGIC_TEXT = 'CTCENSLM';

/** The tables of the string-based reader: the word list as JS strings. */
export interface StringReaderTables {
  order: number;
  words: string[];
  uniProb: Float32Array;
  uniBackoff: Float32Array;
  entries: Uint32Array[];
  counts: number[];
  stored: number[];
  warnings: string[];
}

/**
 * The string-based ARPA reader this project used before the byte-scanning one (src/lm/arpa.ts), kept as the
 * reference the byte reader must reproduce table for table. It reads the whole file as one JS string.
 *
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
 */
const KENLM_MAX_ORDER = 6;
/** KenLM Config::unknown_missing_prob. */
const UNKNOWN_MISSING_LOG10 = -100;

interface ArpaReadOptions {
  /** Name used in error messages. */
  fileName?: string;
  /** Receives warnings (default: collected on the model's `warnings`; the CLI prints them to stderr). */
  onWarning?: (message: string) => void;
}

const C_TAB = 9;
const C_LF = 10;
const C_CR = 13;
const C_SPACE = 32;

function isSpaceCode(c: number): boolean {
  // C isspace: ' ', \t, \n, \v, \f, \r
  return c === C_SPACE || (c >= 9 && c <= 13);
}

function isDelim(c: number): boolean {
  return c === C_SPACE || c === C_TAB || c === C_LF || c === C_CR;
}

/**
 * Parse text[start, end) as a number without allocating; the common ARPA forms (-1.234, -1.5e-05) are
 * decoded from an integer mantissa and an exact power of ten (one correctly rounded operation, so the
 * result equals Number()); anything else goes through parseFloatToken.
 */
function parseFloatAt(text: string, start: number, end: number): number | undefined {
  let i = start;
  let neg = false;
  let c = text.charCodeAt(i);
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let any = false;
  for (; i < end; i++) {
    c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    mant = mant * 10 + c;
    if (mant !== 0) digits++;
    any = true;
  }
  if (i < end && text.charCodeAt(i) === 46) {
    for (i++; i < end; i++) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      mant = mant * 10 + c;
      if (mant !== 0) digits++;
      frac++;
      any = true;
    }
  }
  let exp = 0;
  if (any && i < end && (text.charCodeAt(i) | 32) === 101) {
    i++;
    let eneg = false;
    c = text.charCodeAt(i);
    if (c === 45 || c === 43) {
      eneg = c === 45;
      i++;
    }
    const es = i;
    for (; i < end; i++) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      exp = exp * 10 + c;
      if (exp > 1000) break;
    }
    if (i === es) any = false;
    if (eneg) exp = -exp;
  }
  if (!any || i !== end || digits > 15) return parseFloatToken(text.slice(start, end));
  const e = exp - frac;
  let v: number;
  if (e === 0) v = mant;
  else if (e < 0 && e >= -22) v = mant / POW10[-e];
  else if (e > 0 && e <= 22) v = mant * POW10[e];
  else return parseFloatToken(text.slice(start, end));
  return neg ? -v : v;
}

class LineReader {
  pos = 0;
  lineNo = 0;
  start = 0;
  end = 0;
  constructor(readonly text: string) {}
  /** Advance to the next line; false at end of input. `\r` before `\n` is stripped. */
  next(): boolean {
    const text = this.text;
    if (this.pos >= text.length) return false;
    this.start = this.pos;
    let nl = text.indexOf('\n', this.pos);
    if (nl < 0) nl = text.length;
    this.pos = nl + 1;
    this.end = nl > this.start && text.charCodeAt(nl - 1) === C_CR ? nl - 1 : nl;
    this.lineNo++;
    return true;
  }
  line(): string {
    return this.text.slice(this.start, this.end);
  }
  isBlank(): boolean {
    for (let i = this.start; i < this.end; i++) if (!isSpaceCode(this.text.charCodeAt(i))) return false;
    return true;
  }
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

export function parseArpaWithStrings(text: string, options: ArpaReadOptions = {}): StringReaderTables {
  const file = options.fileName ?? '<arpa>';
  const r = new LineReader(text);
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
  while (have && (r.isBlank() || text.startsWith('#', r.start))) have = r.next();
  if (!have) fail('expected "\\data\\" but the file has no content');
  if (r.line() !== '\\data\\') {
    const l = r.line();
    if (l.charCodeAt(0) === 0x1f && l.charCodeAt(1) === 0xfffd) fail('looks like a gzip file; decompress it first');
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
    if (n !== counts.length + 1)
      fail(`n-gram count lines must be consecutive starting with 1: expected "ngram ${counts.length + 1}=…" but got ${quote(r.line())}`);
    counts.push(Number(m![2]));
  }
  const order = counts.length;
  if (order < 2) fail(`this implementation (like KenLM) needs at least a bigram model, but the header declares order ${order}`);
  if (order > KENLM_MAX_ORDER) fail(`order ${order} is above the maximum ${KENLM_MAX_ORDER} (KenLM's KENLM_MAX_ORDER)`);

  const readSectionHeader = (n: number) => {
    do {
      if (!r.next()) fail(`unexpected end of file: expected the n-gram header \\${n}-grams:`);
    } while (r.isBlank());
    if (r.line() !== `\\${n}-grams:`) fail(`expected the n-gram header \\${n}-grams: but got ${quote(r.line())}`);
  };
  /** Next non-blank line of a section (KenLM's ReadFloat skips whitespace); fails at EOF or a header. */
  const nextEntryLine = (n: number, i: number) => {
    do {
      if (!r.next()) fail(`unexpected end of file: the header declares ${counts[n - 1]} ${n}-grams but only ${i} were read`);
    } while (r.isBlank());
    if (text.charCodeAt(r.start) === 92 /* \ */) {
      fail(`the header declares ${counts[n - 1]} ${n}-grams but the \\${n}-grams: section has only ${i} (got ${quote(r.line())})`);
    }
  };

  // Position-based tokenizer over the current line.
  let p = 0;
  const skipDelims = () => {
    while (p < r.end && isDelim(text.charCodeAt(p))) p++;
  };
  const token = (): string => {
    const s = p;
    while (p < r.end && !isDelim(text.charCodeAt(p))) p++;
    return text.slice(s, p);
  };
  const numberToken = (): number | undefined => {
    const s = p;
    while (p < r.end && !isDelim(text.charCodeAt(p))) p++;
    return p === s ? undefined : parseFloatAt(text, s, p);
  };
  const readProb = (n: number): number => {
    p = r.start;
    while (p < r.end && (text.charCodeAt(p) === C_SPACE || text.charCodeAt(p) === C_TAB)) p++;
    const s = p;
    const v = numberToken();
    if (v === undefined) fail(`expected a log10 probability at the start of the ${n}-gram line but got ${quote(text.slice(s, p))}`);
    if (v! > 0) fail(`positive log10 probability ${text.slice(s, p)} in a ${n}-gram (an IRSTLM bug; KenLM rejects it)`);
    return v!;
  };
  /** After the words: none (end of line), or TAB backoff. Returns undefined when absent. */
  const readBackoff = (n: number): number | undefined => {
    if (p >= r.end) return undefined;
    if (text.charCodeAt(p) !== C_TAB)
      fail(`expected a tab and a backoff, or the end of the line, after the ${n} word(s) of the ${n}-gram but got ${quote(text.slice(p, r.end))}`);
    p++;
    while (p < r.end && (text.charCodeAt(p) === C_SPACE || text.charCodeAt(p) === C_TAB)) p++;
    const s = p;
    const v = numberToken();
    if (p < r.end) fail(`expected the end of the line after the backoff but got ${quote(text.slice(p, r.end))}`);
    if (v === undefined) fail(`expected a backoff weight after the tab but got ${quote(text.slice(s, p))}`);
    if (!Number.isFinite(v!)) fail(`bad backoff ${text.slice(s, p)}: backoffs must be finite`);
    return v!;
  };

  // ---- unigrams
  readSectionHeader(1);
  const vocab = new Map<string, number>();
  const words: string[] = ['<unk>'];
  const nUni = counts[0];
  const uniProbTmp = new Float32Array(nUni + 1);
  const uniBoTmp = new Float32Array(nUni + 1);
  let sawUnk = false;
  for (let i = 0; i < nUni; i++) {
    nextEntryLine(1, i);
    const prob = readProb(1);
    if (p >= r.end || text.charCodeAt(p) !== C_TAB) fail('expected a tab after the probability of the 1-gram');
    skipDelims();
    const w = token();
    if (w === '') fail('expected a word after the probability of the 1-gram');
    const bo = readBackoff(1);
    let id: number;
    if (w === '<unk>') {
      if (sawUnk) fail('duplicate unigram "<unk>"');
      sawUnk = true;
      id = 0;
    } else {
      if (vocab.has(w)) fail(`duplicate unigram ${quote(w)}`);
      id = words.length;
      words.push(w);
    }
    vocab.set(w, id);
    uniProbTmp[id] = prob;
    uniBoTmp[id] = bo === undefined || bo === 0 ? -0 : bo;
  }
  const V = words.length;
  const uniProb = uniProbTmp.slice(0, V);
  const uniBackoff = uniBoTmp.slice(0, V);
  if (!vocab.has('<s>')) fail('the language model has no <s> in its unigrams (required, as in KenLM)');
  if (!vocab.has('</s>')) fail('the language model has no </s> in its unigrams (required, as in KenLM)');
  if (!sawUnk) {
    warn(`${file}: the language model is missing <unk>; substituting log10 probability ${UNKNOWN_MISSING_LOG10} (as KenLM does)`);
    vocab.set('<unk>', 0);
    uniProb[0] = UNKNOWN_MISSING_LOG10;
    uniBackoff[0] = 0; // KenLM sets +0.0 here
  } else if (Math.abs(uniBackoff[0]) > 0.0000001) {
    fail(`the backoff of <unk> should be zero but is ${uniBackoff[0]}`);
  }
  const uniBits = new Uint32Array(uniBackoff.buffer);

  // ---- higher orders
  const entries: Uint32Array[] = [];
  const floats: Float32Array[] = [];
  const strides: number[] = [0, 0];
  const stored: number[] = [V];
  for (let k = 2; k <= order; k++) {
    const stride = strideOf(k, order);
    const e = new Uint32Array(stride * capacityFor(counts[k - 1]));
    for (let o = 1; o < e.length; o += stride) e[o] = EMPTY;
    entries.push(e);
    floats.push(new Float32Array(e.buffer));
    strides.push(stride);
    stored.push(0);
  }
  const insert = (k: number, suffix: number, word: number, prob: number, bo: number): number => {
    const e = entries[k - 2];
    const stride = strides[k];
    const cap = e.length / stride;
    if (stored[k - 1] + 1 >= cap) {
      fail(`too many ${k}-grams: more than the header's count plus the hallucinated suffixes of SRI-pruned n-grams fit (${cap - 1})`);
    }
    let s = slotOf(suffix, word, cap);
    while (e[s * stride + 1] !== EMPTY) {
      if (e[s * stride + 1] === word && e[s * stride] === suffix) return -1 - s;
      if (++s === cap) s = 0;
    }
    const o = s * stride;
    e[o] = suffix;
    e[o + 1] = word;
    floats[k - 2][o + 2] = prob;
    if (k < order) floats[k - 2][o + 3] = bo;
    stored[k - 1]++;
    return s;
  };
  const setExtension = (k: number, slot: number) => {
    if (k === 1) {
      if (uniBits[slot] === 0x80000000) uniBits[slot] = 0; // −0.0 → +0.0
    } else if (entries[k - 2][4 * slot + 3] === 0x80000000) entries[k - 2][4 * slot + 3] = 0;
  };
  const boOf = (k: number, slot: number) => (k === 1 ? uniBackoff[slot] : floats[k - 2][4 * slot + 3]);
  const probOf = (k: number, slot: number) => (k === 1 ? uniProb[slot] : floats[k - 2][strides[k] * slot + 2]);

  const ids = new Int32Array(order);
  const ctx = new Int32Array(order); // ctx[c] = slot of the context of length c (w[n-1-c..n-2])
  const suf = new Int32Array(order); // suf[L] = slot of the suffix of length L (w[n-L..n-1])
  for (let n = 2; n <= order; n++) {
    readSectionHeader(n);
    const count = counts[n - 1];
    for (let i = 0; i < count; i++) {
      nextEntryLine(n, i);
      const prob = readProb(n);
      for (let j = 0; j < n; j++) {
        skipDelims();
        if (p >= r.end) fail(`expected ${n} words in the ${n}-gram but found ${j}`);
        const w = token();
        const id = vocab.get(w);
        if (id === undefined) fail(`the word ${quote(w)} of this ${n}-gram is not among the unigrams`);
        ids[j] = id!;
      }
      const bo = readBackoff(n);
      if (n === order && bo !== undefined && bo !== 0) fail(`non-zero backoff ${bo} on a ${n}-gram of the highest order, which has no backoff`);
      // Context chain w[n-2], w[n-3..n-2], ...: the full context must exist (KenLM ActivateLowerMiddle).
      ctx[1] = ids[n - 2];
      for (let c = 2; c <= n - 1; c++) {
        ctx[c] = ctx[c - 1] < 0 ? -1 : findSlot(entries[c - 2], strides[c], ctx[c - 1], ids[n - 1 - c]);
      }
      if (ctx[n - 1] < 0) fail(`the context of every ${n}-gram must appear as a ${n - 1}-gram, but ${quote(r.line())} has none`);
      // Suffix chain; hallucinate missing suffixes as KenLM's FindLower/AdjustLower.
      suf[1] = ids[n - 1];
      let L = 2;
      for (; L <= n - 1; L++) {
        const s = findSlot(entries[L - 2], strides[L], suf[L - 1], ids[n - L]);
        if (s < 0) break;
        suf[L] = s;
      }
      if (L <= n - 1) {
        const basis = L - 1;
        let bp = -Math.abs(probOf(basis, suf[basis]));
        for (let m = basis + 1; m <= n - 1; m++) {
          // the m-gram suffix backs off through its context of length m-1 (ctx[m-1])
          setExtension(m - 1, ctx[m - 1]);
          bp = Math.fround(bp + boOf(m - 1, ctx[m - 1]));
          const s = insert(m, suf[m - 1], ids[n - m], bp, -0);
          suf[m] = s < 0 ? -1 - s : s;
        }
      }
      const s = insert(n, suf[n - 1], ids[0], prob, bo === undefined || bo === 0 ? -0 : bo);
      if (s < 0) fail(`duplicate ${n}-gram ${quote(r.line())}`);
      setExtension(n - 1, ctx[n - 1]);
    }
  }

  // ---- end
  do {
    if (!r.next()) fail('unexpected end of file: expected \\end\\');
  } while (r.isBlank());
  if (r.line() !== '\\end\\') fail(`expected \\end\\ after the ${order}-grams but got ${quote(r.line())}`);
  while (r.next()) if (!r.isBlank()) fail(`only blank lines may follow \\end\\, but got ${quote(r.line())}`);

  return { order, words, uniProb, uniBackoff, entries, counts, stored, warnings };
}
