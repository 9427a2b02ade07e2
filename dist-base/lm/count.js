import { UserError } from '../util/errors.js';
import { StringDecoder } from 'node:string_decoder';
import { BOS, EOS, UNK } from './constants.js';
/** lmplz's word delimiters in the corpus and the --limit_vocab_file (corpus_count.cc): NUL, tab, CR, space; lines end at LF. */
export const CORPUS_DELIMITERS = /[\0\t\r\n ]+/;
/**
 * Call `fn` with each line of a text stream, in order. Lines end at '\n' only: as in lmplz, a '\r' is
 * whitespace inside a line (readline would also end a line at a lone '\r').
 */
export async function forEachLine(stream, fn) {
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for await (const chunk of stream) {
        const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
        let start = 0;
        for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
            fn(text.slice(start, i));
            start = i + 1;
        }
        rest = text.slice(start);
    }
    rest += decoder.end();
    if (rest !== '')
        fn(rest);
}
/*
 * Counting stage (lmplz corpus_count): every order 1..N is counted directly into hash tables of typed
 * arrays, one per order; an n-gram entry points at the entry of its suffix (w2..wn) in the order below.
 */
/** Fields of an n-gram record in NgramTable.rec (REC numbers per entry). */
export const SUF = 0;
export const WORD = 1;
/** Raw count while counting; the estimator replaces it with the float32 bits of log10 p. */
export const COUNT = 2;
/**
 * While counting: the prefix entry (w1 … w(n−1), the n-gram's context, in the order below; for bigrams
 * a word id), known for free when the n-gram is first seen; the estimator puts the float32 bits of the
 * log10 backoff there.
 */
export const AUX = 3;
export const REC = 4;
/**
 * Growable n-gram table: entry = record (suffix entry, first word, count, aux) in one interleaved
 * Uint32Array, reached through an open-addressing index. Interleaved because the counting loop and the
 * ARPA writer touch the entries in random order: one cache line per entry instead of one per column.
 */
export class NgramTable {
    size = 0;
    rec;
    index;
    mask;
    constructor(initial = 1024) {
        this.rec = new Uint32Array(initial * REC);
        this.index = new Int32Array(initial * 2);
        this.mask = initial * 2 - 1;
    }
    static hash(s, w) {
        let h = (Math.imul(s, 0x9e3779b1) ^ Math.imul(w + 0x7f4a7c15, 0x85ebca77)) | 0;
        h ^= h >>> 15;
        h = Math.imul(h, 0x2c1b3c6d);
        h ^= h >>> 12;
        return h;
    }
    /** Entry of (s, w), created when new (with `prefix` in AUX); its raw count is incremented. */
    add(s, w, prefix) {
        const idx = this.index;
        const rec = this.rec;
        const mask = this.mask;
        let slot = NgramTable.hash(s, w) & mask;
        for (;;) {
            const e = idx[slot];
            if (e === 0)
                break;
            const q = (e - 1) * REC;
            if (rec[q + WORD] === w && rec[q + SUF] === s) {
                rec[q + COUNT]++;
                return e - 1;
            }
            slot = (slot + 1) & mask;
        }
        if (this.size * REC === rec.length) {
            this.grow();
            return this.add(s, w, prefix);
        }
        const e = this.size++;
        const q = e * REC;
        rec[q + SUF] = s;
        rec[q + WORD] = w;
        rec[q + COUNT] = 1;
        rec[q + AUX] = prefix;
        idx[slot] = e + 1;
        return e;
    }
    grow() {
        const cap = (this.rec.length / REC) * 2;
        const rec = new Uint32Array(cap * REC);
        rec.set(this.rec);
        this.rec = rec;
        this.index = new Int32Array(0); // the old index is garbage before the new one is allocated
        const idx = (this.index = new Int32Array(cap * 2));
        const mask = (this.mask = cap * 2 - 1);
        for (let e = 0, q = 0; e < this.size; e++, q += REC) {
            let slot = NgramTable.hash(rec[q + SUF], rec[q + WORD]) & mask;
            while (idx[slot] !== 0)
                slot = (slot + 1) & mask;
            idx[slot] = e + 1;
        }
    }
    /** Remove every entry, keeping the capacity. */
    clear() {
        this.size = 0;
        this.index.fill(0);
    }
    /** Drop the hash index (find/add no longer work): the estimator's last stages do not need it. */
    dropIndex() {
        this.index = new Int32Array(0);
        this.mask = 0;
    }
    bytes() {
        return this.rec.byteLength + this.index.byteLength;
    }
    /** What the entries need at the densest the table gets: a record and two index slots each. */
    usedBytes() {
        return this.size * (REC * 4 + 8);
    }
}
/** Counts n-grams of every order 1..N from sentences (lmplz corpus_count, with its <s> padding). */
export class NgramCounter {
    order;
    vocab = new Map([
        ['<unk>', UNK],
        ['<s>', BOS],
        ['</s>', EOS],
    ]);
    words = ['<unk>', '<s>', '</s>'];
    /** tables[k] for order k = 2..N (index 0, 1 unused). */
    tables = [];
    ids = new Uint32Array(256);
    ent = new Uint32Array(256);
    tokens = 0;
    sentences = 0;
    constructor(order) {
        this.order = order;
        for (let k = 0; k <= order; k++)
            this.tables.push(new NgramTable(k < 2 ? 1 : 1 << 12));
    }
    addSentence(line, where) {
        const toks = line.split(CORPUS_DELIMITERS);
        let n = 0;
        let ids = this.ids;
        if (ids.length < toks.length + 2)
            ids = this.ids = new Uint32Array(2 * (toks.length + 2));
        ids[n++] = BOS;
        for (const t of toks) {
            if (t === '')
                continue;
            let id = this.vocab.get(t);
            if (id === undefined) {
                id = this.words.length;
                this.vocab.set(t, id);
                this.words.push(t);
            }
            else if (id === BOS || id === EOS) {
                throw new UserError(`special word ${t} is not allowed in the corpus (lmplz adds <s> and </s> around each line itself)`, { source: where, code: 'E_LM_CORPUS' });
            }
            ids[n++] = id;
        }
        ids[n++] = EOS;
        this.tokens += n - 1;
        this.sentences++;
        const N = this.order;
        const tables = this.tables;
        // Order by order, not position by position: an n-gram's insert needs its suffix's entry, so a
        // position's inserts form a chain of dependent cache misses, while one order's inserts over the
        // sentence are independent and their misses overlap.
        let ent = this.ent;
        if (ent.length < n)
            ent = this.ent = new Uint32Array(ids.length);
        ent.set(ids.subarray(0, n));
        for (let k = 2; k <= N; k++) {
            const t = tables[k];
            // ent[i]: entry of the (k − 1)-gram ending at i; becomes the k-gram's (positions i ≥ k − 1).
            // Downwards, so that ent[i − 1] is still the (k − 1)-gram ending at i − 1: the k-gram's prefix.
            for (let i = n - 1; i >= k - 1; i--)
                ent[i] = t.add(ent[i], ids[i - k + 1], ent[i - 1]);
        }
    }
    /** Memory the tables hold. */
    bytes() {
        let b = 0;
        for (let k = 2; k <= this.order; k++)
            b += this.tables[k].bytes();
        return b;
    }
    /**
     * Memory the tables' entries need; the tables hold up to twice that (capacity doubles), and keep
     * their capacity when emptied after a spill, so spilling when 2 × usedBytes() reaches a budget keeps
     * bytes() within it.
     */
    usedBytes() {
        let b = 0;
        for (let k = 2; k <= this.order; k++)
            b += this.tables[k].usedBytes();
        return b;
    }
    /** Empty the n-gram tables, keeping the vocabulary (after they were spilled to disk). */
    clearTables() {
        // capacity kept: the tables would grow back to it through every doubling before the next spill
        for (let k = 2; k <= this.order; k++)
            this.tables[k].clear();
    }
    /**
     * Word ids of entry `e` of order k, last word first (rev[0] = last … rev[k − 1] = first word: the
     * suffix order the ARPA file is sorted in), written to out[offset …].
     */
    reversedIds(k, e, out, offset) {
        let s = e;
        for (let j = k; j >= 2; j--) {
            const rec = this.tables[j].rec;
            out[offset + j - 1] = rec[s * REC + WORD];
            s = rec[s * REC + SUF];
        }
        out[offset] = s;
    }
}
//# sourceMappingURL=count.js.map