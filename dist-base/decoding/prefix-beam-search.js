/**
 * CTC prefix beam search fused with a word n-gram LM (shallow fusion), for character and BPE vocabularies.
 *
 * Algorithm (classic CTC prefix search, Graves 2006 / Hannun et al. 2014): every beam is a distinct CTC-collapsed
 * token prefix carrying two acoustic log probabilities, p_b (all alignments of the prefix ending in blank) and
 * p_nb (ending in its last token). Per frame t and per beam:
 *   - blank (and silent tokens, see alphabet.ts):   p_b'(l)   ⊕= (p_b ⊕ p_nb) + lp_t(blank)
 *   - repeat of the last token c (collapse):        p_nb'(l)  ⊕= p_nb + lp_t(c)
 *   - extension by token c:                         p_nb'(lc) ⊕= (c == last ? p_b : p_b ⊕ p_nb) + lp_t(c)
 * (⊕ = log-add). Prefixes reached by several beams merge by log-adding. Beams are ranked by
 *   acoustic (p_b ⊕ p_nb) + LM score of the completed words + partial-word score,
 * where the LM score of the prefix is a function of the prefix alone (so merging stays exact):
 *   - each completed word w: alpha · ln(10) · (log10 P(w | history) + [w not in LM unigrams] · unkScoreOffset) + beta;
 *   - at the end of the utterance the last partial word is completed, and alpha · ln(10) · log10 P(</s> | history)
 *     is added (scoreBoundary; the history starts at <s>);
 *   - a non-empty partial word that is not a prefix of any LM unigram scores partialOovPenalty (−10, natural log,
 *     not alpha-scaled), × len/6 when longer than 6 characters; a prefix of a hotword instead scores
 *     hotwordWeight · len / (length of the shortest hotword with that prefix), and a completed hotword adds
 *     hotwordWeight (natural log). These are pyctcdecode's rules (decoder.py, language_model.py).
 * Pruning per frame: tokens with lp < tokenMinLogp are not extended (the argmax always is; blank and the repeat
 * collapse are always applied); beams scoring below best + beamPruneLogp are dropped; the best beamWidth remain;
 * with pruneHistory (default when topN is 1) only the best of the remaining beams that share the LM state, the
 * partial word's LM-trie node (not for partial words outside the LM vocabulary), the hotword node and the last token
 * is kept: they differ only in words the LM no longer sees, so no later frame can reorder them.
 *
 * BPE vocabularies (SentencePiece `▁`, as pyctcdecode): a piece starting with `▁` completes the previous word and
 * scores it at that frame; a whole-word piece (`▁the`) is scored once, when the next word starts or at the end; a
 * partial word is checked against the LM vocabulary trie after every piece. Measured on BPE posteriors
 * (bench/pyctcdecode-compare, README "Beam search"), and not adopted:
 *   - merging prefixes with the same text and last token during the search (`▁th`+`e` and `▁t`+`he`; exact) gave
 *     no WER change once pruneHistory was on and cost 40 % speed on noisy posteriors; same-text beams are still
 *     merged at the end;
 *   - charging a partial word that has left the LM vocabulary the full cost of completing it as an OOV word (a
 *     look-ahead instead of the flat −10) raised the WER (en model dev set, beam 100: 20.2 → 20.5 %).
 *
 * Differences from pyctcdecode (v0.6.0) — deliberate:
 *   - pyctcdecode keeps ONE score per beam keyed by (text, partial word, last char), so "ends in blank" and "ends in
 *     char" are different beams competing for beam slots; here one beam holds both (p_b, p_nb), which is the exact
 *     CTC prefix probability and uses the beam width better.
 *   - Beams are token prefixes: two BPE tokenisations of the same text are separate beams until the end, where beams
 *     with the same final text are merged (log-add of the acoustic scores). Character vocabularies: a delimiter that
 *     directly follows a word boundary (or the start) does not create a new prefix (it is folded into the beam), so
 *     "a  b" and "a b" are one beam.
 *   - pruneHistory is pyctcdecode's `prune_history` (on in its decode(), off in decode_beams(); here on when topN
 *     is 1, as the ensemble decodes) keyed by the LM state (the context the n-gram actually uses) instead of the last
 *     n−1 words as text. Measured: it fixes most search errors at small beams (BPE en model dev set, beam 16:
 *     23.7 → 23.0 % WER; char bench noisy posteriors, beam 16: 4.9 → 4.4 %); the one WER it raised was one word on
 *     noisy synthetic BPE posteriors at beam 16 (4.2 → 4.5 %, pyctcdecode 9.0 %).
 *   - An empty final partial word is not scored (pyctcdecode scores "" as an OOV word when a beam ends with a
 *     delimiter, about −17 nat); </s> alone is added.
 *   - Multi-word hotwords are split into words, each a hotword (pyctcdecode matches phrases).
 *   - beamWidth 1 without LM and hotwords is exactly greedy (best path), as in pyctcdecode; its acousticScore is
 *     then the best path's log probability, not the prefix probability.
 * LM scores are cached per LM object by (LM state handle, trie node of the word), across calls.
 */
import { DECODING_DEFAULTS as D } from '../defaults.js';
import { TokenRole, buildAlphabet, greedyTranscript, tokensToText } from './alphabet.js';
import { hotwordTrie, lmVocabularyTrie } from './lm-trie.js';
export const LN10 = Math.LN10;
/** pyctcdecode MIN_TOKEN_CLIP_P: log-probabilities are clipped at ln(1e-15). */
export const MIN_LOGP = Math.log(1e-15);
function resolve(o) {
    const num = (v, d, name) => {
        if (v === undefined)
            return d;
        if (typeof v !== 'number' || Number.isNaN(v))
            throw new RangeError(`beam search: ${name} must be a number`);
        return v;
    };
    const beamWidth = num(o.beamWidth, D.beamWidth, 'beamWidth');
    if (!Number.isInteger(beamWidth) || beamWidth < 1)
        throw new RangeError('beam search: beamWidth must be an integer ≥ 1');
    const topN = num(o.topN, D.topN, 'topN');
    if (!Number.isInteger(topN) || topN < 1)
        throw new RangeError('beam search: topN must be an integer ≥ 1');
    return {
        alpha: num(o.alpha, D.alpha, 'alpha'),
        beta: num(o.beta, D.beta, 'beta'),
        beamWidth,
        beamPruneLogp: num(o.beamPruneLogp, D.beamPruneLogp, 'beamPruneLogp'),
        tokenMinLogp: num(o.tokenMinLogp, D.tokenMinLogp, 'tokenMinLogp'),
        unkScoreOffset: num(o.unkScoreOffset, D.unkScoreOffset, 'unkScoreOffset'),
        partialOovPenalty: num(o.partialOovPenalty, D.partialOovPenalty, 'partialOovPenalty'),
        scoreBoundary: o.scoreBoundary ?? true,
        hotwordWeight: num(o.hotwordWeight, D.hotwordWeight, 'hotwordWeight'),
        topN,
        pruneHistory: o.pruneHistory ?? topN === 1,
    };
}
/** Word-level LM results cached per LM object: key = state · (trie size + 1) + (trie node + 1), node −1 = OOV. */
class LmScoreCache {
    lm;
    trie;
    index = new Map();
    log10 = new Float64Array(1024);
    next = new Int32Array(1024);
    size = 0;
    eos = new Map();
    static OOV_WORD = '\u0000<oov>';
    /** The LM's allocation-free path (wordId + scoreId), when it has one. */
    fast;
    /** LM word id of each trie node's word (−1 = not looked up yet), for the fast path. */
    nodeWordId;
    constructor(lm, trie) {
        this.lm = lm;
        this.trie = trie;
        this.fast = typeof lm.wordId === 'function' && typeof lm.scoreId === 'function' ? lm : null;
        this.nodeWordId = new Int32Array(this.fast === null ? 0 : trie.size).fill(-1);
    }
    /** Index of (state, node) in the arrays, scoring it on first use. `node` must be −1 or a node with a word. */
    lookup(state, node) {
        const key = state * (this.trie.size + 1) + (node + 1);
        let i = this.index.get(key);
        if (i !== undefined)
            return i;
        if (this.size > 4_000_000) {
            this.index.clear();
            this.size = 0;
        }
        let log10;
        let next;
        const fast = this.fast;
        if (fast !== null) {
            // word ids are looked up once per trie node; scoring allocates nothing
            let id = node < 0 ? 0 : node < this.nodeWordId.length ? this.nodeWordId[node] : -1;
            if (id < 0) {
                id = fast.wordId(this.trie.wordAt[node]);
                if (node < this.nodeWordId.length)
                    this.nodeWordId[node] = id;
            }
            log10 = fast.scoreId(state, id);
            next = fast.outState;
        }
        else {
            const word = node < 0 ? LmScoreCache.OOV_WORD : this.trie.wordAt[node];
            const r = this.lm.scoreWord(state, word);
            log10 = r.log10;
            next = r.state;
        }
        i = this.size++;
        if (i >= this.log10.length) {
            const l = new Float64Array(this.log10.length * 2);
            l.set(this.log10);
            this.log10 = l;
            const n = new Int32Array(this.next.length * 2);
            n.set(this.next);
            this.next = n;
        }
        this.log10[i] = log10;
        this.next[i] = next;
        this.index.set(key, i);
        return i;
    }
    endOfSentence(state) {
        let v = this.eos.get(state);
        if (v === undefined) {
            v = this.lm.scoreEndOfSentence(state);
            this.eos.set(state, v);
        }
        return v;
    }
}
const lmCaches = new WeakMap();
function lmCache(lm) {
    let c = lmCaches.get(lm);
    if (c === undefined) {
        c = new LmScoreCache(lm, lmVocabularyTrie(lm));
        lmCaches.set(lm, c);
    }
    return c;
}
/** (trie node, token id) -> trie node after the token's text; dense table for small tries × vocabularies. */
class TokenStepTable {
    trie;
    alphabet;
    dense;
    sparse;
    constructor(trie, alphabet) {
        this.trie = trie;
        this.alphabet = alphabet;
        const cells = trie.size * alphabet.vocabSize;
        if (cells <= 4_000_000) {
            this.dense = new Int32Array(cells).fill(-2);
            this.sparse = null;
        }
        else {
            this.dense = null;
            this.sparse = new Map();
        }
    }
    step(node, token) {
        if (node < 0)
            return -1;
        const key = node * this.alphabet.vocabSize + token;
        if (this.dense !== null) {
            let v = this.dense[key];
            if (v === -2) {
                v = this.trie.step(node, this.alphabet.text[token]);
                this.dense[key] = v;
            }
            return v;
        }
        let v = this.sparse.get(key);
        if (v === undefined) {
            v = this.trie.step(node, this.alphabet.text[token]);
            this.sparse.set(key, v);
        }
        return v;
    }
}
/**
 * Open-addressing table (linear probing) of (LM state, LM trie node, hotword node, last token) -> entry index for
 * pruneHistory, cleared per frame by a generation stamp; typed arrays, so no allocation per lookup.
 */
class HistoryTable {
    stamp = new Int32Array(0);
    entry = new Int32Array(0);
    st = new Int32Array(0);
    ln = new Int32Array(0);
    hn = new Int32Array(0);
    last = new Int32Array(0);
    mask = 0;
    gen = 0;
    /** Keys claimed this frame. */
    used = 0;
    /** Starts a frame of at most `beams` keys; returns its generation. */
    nextFrame(beams) {
        if (this.stamp.length < 4 * beams || this.gen >= 0x7fffffff) {
            let size = 16;
            while (size < 4 * beams)
                size *= 2;
            this.stamp = new Int32Array(size);
            this.entry = new Int32Array(size);
            this.st = new Int32Array(size);
            this.ln = new Int32Array(size);
            this.hn = new Int32Array(size);
            this.last = new Int32Array(size);
            this.mask = size - 1;
            this.gen = 0;
        }
        this.used = 0;
        return ++this.gen;
    }
    /** The key's slot: either holding it (stamp == gen) or free for it (stamp != gen). */
    slot(gen, st, ln, hn, last) {
        let i = (Math.imul(st, 0x9e3779b1) ^ Math.imul(ln, 0x85ebca77) ^ Math.imul(hn + 1, 0xc2b2ae3d) ^ Math.imul(last + 1, 0x27d4eb2f)) >>> 0;
        i = (i ^ (i >>> 15)) & this.mask;
        while (this.stamp[i] === gen) {
            if (this.st[i] === st && this.ln[i] === ln && this.hn[i] === hn && this.last[i] === last)
                return i;
            i = (i + 1) & this.mask;
        }
        return i;
    }
    /** True while another key can be added (the table never fills, so probing ends). */
    get roomy() {
        return this.used < this.mask;
    }
    claim(i, gen, st, ln, hn, last, entry) {
        this.used++;
        this.stamp[i] = gen;
        this.st[i] = st;
        this.ln[i] = ln;
        this.hn[i] = hn;
        this.last[i] = last;
        this.entry[i] = entry;
    }
}
function lse(a, b) {
    if (a === -Infinity)
        return b;
    if (b === -Infinity)
        return a;
    const d = a - b;
    if (d > 40)
        return a;
    if (d < -40)
        return b;
    return d > 0 ? a + Math.log1p(Math.exp(-d)) : b + Math.log1p(Math.exp(d));
}
/** k-th largest (k ≥ 1) of a[0..n) (reorders a). */
function kthLargest(a, n, k) {
    let lo = 0;
    let hi = n - 1;
    const target = k - 1;
    while (lo < hi) {
        const pivot = a[(lo + hi) >> 1];
        let i = lo;
        let j = hi;
        while (i <= j) {
            while (a[i] > pivot)
                i++;
            while (a[j] < pivot)
                j--;
            if (i <= j) {
                const t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (target <= j)
            hi = j;
        else if (target >= i)
            lo = i;
        else
            return a[target];
    }
    return a[target];
}
function growI32(a, n) {
    const b = new Int32Array(n);
    b.set(a);
    return b;
}
function growF64(a, n) {
    const b = new Float64Array(n);
    b.set(a);
    return b;
}
/**
 * A reusable decoder for one alphabet and one LM (or none). Holds its work arrays between calls; `decode` is
 * synchronous, so one instance can serve many utterances (not concurrently from worker threads).
 */
export class CtcBeamSearchDecoder {
    alphabet;
    lm;
    cache;
    lmSteps;
    // Prefix tree nodes.
    cap = 0;
    nParent = new Int32Array(0);
    nToken = new Int32Array(0);
    nFirstChild = new Int32Array(0);
    nNextSib = new Int32Array(0);
    nLmState = new Int32Array(0);
    nLmNode = new Int32Array(0);
    nHotNode = new Int32Array(0);
    nPartLen = new Int32Array(0);
    nWords = new Int32Array(0);
    nLmScore = new Float64Array(0);
    nLmLog10 = new Float64Array(0);
    nStamp = new Int32Array(0);
    nSlot = new Int32Array(0);
    /** Frame at which the node's token was first emitted (word timestamps). */
    nFrame = new Int32Array(0);
    nodeCount = 0;
    // Candidate entries of the next frame.
    ecap = 0;
    eNode = new Int32Array(0);
    eParent = new Int32Array(0);
    eToken = new Int32Array(0);
    eLmState = new Int32Array(0);
    eLmNode = new Int32Array(0);
    eHotNode = new Int32Array(0);
    ePartLen = new Int32Array(0);
    eWords = new Int32Array(0);
    eLmScore = new Float64Array(0);
    eLmLog10 = new Float64Array(0);
    ePB = new Float64Array(0);
    ePNB = new Float64Array(0);
    eScore = new Float64Array(0);
    scratch = new Float64Array(0);
    entryCount = 0;
    /** pruneHistory: (LM state, partial word, hotword node, last token) -> entry, per frame. */
    history = new HistoryTable();
    /** Node compaction threshold (nodes); tests lower it to exercise compaction. */
    maxNodes = 1 << 21;
    constructor(alphabet, lm = null) {
        this.alphabet = alphabet;
        this.lm = lm;
        this.cache = lm ? lmCache(lm) : null;
        this.lmSteps = this.cache ? new TokenStepTable(this.cache.trie, alphabet) : null;
        this.growNodes(1024);
        this.growEntries(1024);
    }
    growNodes(n) {
        this.nParent = growI32(this.nParent, n);
        this.nToken = growI32(this.nToken, n);
        this.nFirstChild = growI32(this.nFirstChild, n);
        this.nNextSib = growI32(this.nNextSib, n);
        this.nLmState = growI32(this.nLmState, n);
        this.nLmNode = growI32(this.nLmNode, n);
        this.nHotNode = growI32(this.nHotNode, n);
        this.nPartLen = growI32(this.nPartLen, n);
        this.nWords = growI32(this.nWords, n);
        this.nLmScore = growF64(this.nLmScore, n);
        this.nLmLog10 = growF64(this.nLmLog10, n);
        this.nStamp = growI32(this.nStamp, n);
        this.nSlot = growI32(this.nSlot, n);
        this.nFrame = growI32(this.nFrame, n);
        this.cap = n;
    }
    growEntries(n) {
        this.eNode = growI32(this.eNode, n);
        this.eParent = growI32(this.eParent, n);
        this.eToken = growI32(this.eToken, n);
        this.eLmState = growI32(this.eLmState, n);
        this.eLmNode = growI32(this.eLmNode, n);
        this.eHotNode = growI32(this.eHotNode, n);
        this.ePartLen = growI32(this.ePartLen, n);
        this.eWords = growI32(this.eWords, n);
        this.eLmScore = growF64(this.eLmScore, n);
        this.eLmLog10 = growF64(this.eLmLog10, n);
        this.ePB = growF64(this.ePB, n);
        this.ePNB = growF64(this.ePNB, n);
        this.eScore = growF64(this.eScore, n);
        this.scratch = new Float64Array(n);
        this.ecap = n;
    }
    newEntry() {
        if (this.entryCount >= this.ecap)
            this.growEntries(this.ecap * 2);
        const e = this.entryCount++;
        this.ePB[e] = -Infinity;
        this.ePNB[e] = -Infinity;
        return e;
    }
    /** Entry of existing node `n` in the frame being built (stamp `t`). */
    entryOfNode(n, t) {
        if (this.nStamp[n] === t)
            return this.nSlot[n];
        const e = this.newEntry();
        this.eNode[e] = n;
        this.nStamp[n] = t;
        this.nSlot[n] = e;
        return e;
    }
    findChild(p, token) {
        for (let c = this.nFirstChild[p]; c >= 0; c = this.nNextSib[c])
            if (this.nToken[c] === token)
                return c;
        return -1;
    }
    /**
     * Decodes row-major [frames][vocabSize] natural-log posteriors. Returns the best beams, best first.
     */
    decode(logprobs, frames, options = {}) {
        const alphabet = this.alphabet;
        const V = alphabet.vocabSize;
        if (!Number.isInteger(frames) || frames < 0)
            throw new RangeError('beam search: frames must be an integer ≥ 0');
        if (logprobs.length < frames * V) {
            throw new RangeError(`beam search: logprobs has ${logprobs.length} values, expected ${frames} × ${V}`);
        }
        if (options.lm !== undefined && options.lm !== this.lm) {
            throw new Error('beam search: options.lm differs from the decoder LM (use prefixBeamSearch)');
        }
        const o = resolve(options);
        const hot = options.hotwords && options.hotwords.some((h) => h.trim() !== '') ? hotwordTrie(options.hotwords) : null;
        const cache = this.cache;
        const hasLm = cache !== null;
        if (o.beamWidth === 1 && !hasLm && hot === null) {
            const g = greedyTranscript(logprobs, frames, alphabet);
            return [{ text: g.text, acousticScore: g.logp, lmScore: 0, score: g.logp, lmLog10: 0, words: g.text === '' ? 0 : g.text.split(' ').length }];
        }
        const role = alphabet.role;
        const endsWord = alphabet.endsWord;
        const textLen = new Int32Array(V);
        for (let k = 0; k < V; k++)
            textLen[k] = alphabet.text[k].length;
        const blankIds = alphabet.blankIds;
        const lmSteps = this.lmSteps;
        const hotSteps = hot ? new TokenStepTable(hot, alphabet) : null;
        const alphaLn10 = o.alpha * LN10;
        const { beta, unkScoreOffset, partialOovPenalty, hotwordWeight } = o;
        const hotMin = hot ? hot.minWordLen : null;
        const hotWordAt = hot ? hot.wordAt : null;
        const lmWordAt = cache ? cache.trie.wordAt : null;
        // Upper bounds used to skip hopeless extensions (valid when every LM term is ≤ 0 but beta and hotword bonuses).
        const boundsValid = o.alpha >= 0 && unkScoreOffset <= 0 && partialOovPenalty <= 0 && hotwordWeight >= 0 && o.beamPruneLogp > -Infinity;
        const maxPartial = hot ? hotwordWeight : 0;
        const maxWordGain = (hasLm ? Math.max(0, beta) : 0) + (hot ? hotwordWeight : 0);
        const partialScore = (ln, hn, pl) => {
            if (pl === 0)
                return 0;
            if (hn >= 0)
                return (hotwordWeight * pl) / hotMin[hn];
            if (!hasLm || ln >= 0)
                return 0;
            return pl > 6 ? (partialOovPenalty * pl) / 6 : partialOovPenalty;
        };
        if (this.ecap < o.beamWidth)
            this.growEntries(o.beamWidth);
        // Reset the prefix tree: root = node 0.
        this.nodeCount = 1;
        this.nParent[0] = -1;
        this.nToken[0] = -1;
        this.nFirstChild[0] = -1;
        this.nNextSib[0] = -1;
        this.nLmState[0] = hasLm ? (o.scoreBoundary ? cache.lm.beginSentenceState() : cache.lm.nullContextState()) : 0;
        this.nLmNode[0] = hasLm ? 0 : -1;
        this.nHotNode[0] = hot ? 0 : -1;
        this.nPartLen[0] = 0;
        this.nWords[0] = 0;
        this.nLmScore[0] = 0;
        this.nLmLog10[0] = 0;
        this.nStamp[0] = -1;
        const pruneHistory = hasLm && o.pruneHistory;
        let beamCount = 1;
        let curNode = new Int32Array(o.beamWidth);
        let curPB = new Float64Array(o.beamWidth);
        let curPNB = new Float64Array(o.beamWidth);
        let spareNode = new Int32Array(o.beamWidth);
        let sparePB = new Float64Array(o.beamWidth);
        let sparePNB = new Float64Array(o.beamWidth);
        curNode[0] = 0;
        curPB[0] = 0;
        curPNB[0] = -Infinity;
        const row = new Float64Array(V);
        const cands = new Int32Array(V);
        // Word completion scratch (set by complete()).
        let cState = 0;
        let cScore = 0;
        let cLog10 = 0;
        const complete = (state, ln, hn) => {
            cState = state;
            cScore = 0;
            cLog10 = 0;
            if (hn >= 0 && hotWordAt[hn] !== null)
                cScore += hotwordWeight;
            if (cache !== null) {
                const node = ln >= 0 && lmWordAt[ln] !== null ? ln : -1;
                const i = cache.lookup(state, node);
                const l10 = cache.log10[i];
                cScore += alphaLn10 * (node < 0 ? l10 + unkScoreOffset : l10) + beta;
                cLog10 = l10;
                cState = cache.next[i];
            }
        };
        for (let t = 0; t < frames; t++) {
            // Row (clipped), blank log-probability (silent tokens folded in), candidate tokens.
            const off = t * V;
            let argmax = 0;
            let amv = -Infinity;
            for (let k = 0; k < V; k++) {
                let v = logprobs[off + k];
                if (!(v >= MIN_LOGP))
                    v = MIN_LOGP; // also maps NaN to the floor
                if (v > 0)
                    v = 0;
                row[k] = v;
                if (v > amv) {
                    amv = v;
                    argmax = k;
                }
            }
            let lpBlank = row[blankIds[0]];
            for (let b = 1; b < blankIds.length; b++)
                lpBlank = lse(lpBlank, row[blankIds[b]]);
            let nc = 0;
            const minLp = o.tokenMinLogp;
            for (let k = 0; k < V; k++) {
                if (role[k] === TokenRole.Blank)
                    continue;
                if (row[k] >= minLp || k === argmax)
                    cands[nc++] = k;
            }
            // Lower bound of the best score this frame (a beam's blank stay alone scores at least this), so extensions
            // whose upper bound is below it + beamPruneLogp are skipped without building their entries.
            // With a full beam, the beamWidth-th largest of those lower bounds bounds the final cut-off too.
            let skipBelow = -Infinity;
            if (boundsValid) {
                let lb = -Infinity;
                for (let b = 0; b < beamCount; b++) {
                    const p = curNode[b];
                    const v = lse(curPB[b], curPNB[b]) + lpBlank + this.nLmScore[p] + partialScore(this.nLmNode[p], this.nHotNode[p], this.nPartLen[p]);
                    this.scratch[b] = v;
                    if (v > lb)
                        lb = v;
                }
                skipBelow = lb + o.beamPruneLogp;
                if (beamCount === o.beamWidth && beamCount > 1) {
                    const kth = kthLargest(this.scratch, beamCount, o.beamWidth);
                    if (kth > skipBelow)
                        skipBelow = kth;
                }
            }
            this.entryCount = 0;
            for (let b = 0; b < beamCount; b++) {
                const p = curNode[b];
                const pB = curPB[b];
                const pNB = curPNB[b];
                const total = lse(pB, pNB);
                const last = this.nToken[p];
                const pl = this.nPartLen[p];
                // Best an extension of this beam can reach, before its token's log-probability.
                const boundNoWord = this.nLmScore[p] + maxPartial;
                const boundWord = boundNoWord + maxWordGain;
                // Stay: blank.
                let e = this.entryOfNode(p, t);
                this.ePB[e] = lse(this.ePB[e], total + lpBlank);
                // Stay: repeat collapse.
                if (last >= 0)
                    this.ePNB[e] = lse(this.ePNB[e], pNB + row[last]);
                // Extensions.
                for (let ci = 0; ci < nc; ci++) {
                    const c = cands[ci];
                    const lp = row[c];
                    const from = c === last ? pB : total;
                    if (from === -Infinity)
                        continue;
                    const r = role[c];
                    if (from + lp + ((r === TokenRole.WordStart && pl > 0) || endsWord[c] === 1 ? boundWord : boundNoWord) < skipBelow)
                        continue;
                    if (pl === 0 && r === TokenRole.WordStart && textLen[c] === 0 && endsWord[c] === 0) {
                        // A word boundary right after a boundary (or at the start): same text, fold into this beam.
                        e = this.nSlot[p];
                        this.ePNB[e] = lse(this.ePNB[e], from + lp);
                        continue;
                    }
                    const child = this.findChild(p, c);
                    if (child >= 0) {
                        e = this.entryOfNode(child, t);
                        this.ePNB[e] = lse(this.ePNB[e], from + lp);
                        continue;
                    }
                    // New prefix p + c: derive its word/LM state now; the node is created only if it survives pruning.
                    e = this.newEntry();
                    this.eNode[e] = -1;
                    this.eParent[e] = p;
                    this.eToken[e] = c;
                    this.ePNB[e] = from + lp;
                    let st = this.nLmState[p];
                    let ln = this.nLmNode[p];
                    let hn = this.nHotNode[p];
                    let len = pl;
                    let score = this.nLmScore[p];
                    let l10 = this.nLmLog10[p];
                    let words = this.nWords[p];
                    // Word completion is written out twice (word start, word end) on purpose: it sets seven locals in
                    // the innermost loop, which a helper could only hand back through an object or fields.
                    if (r === TokenRole.WordStart && len > 0) {
                        complete(st, ln, hn);
                        st = cState;
                        score += cScore;
                        l10 += cLog10;
                        words++;
                        ln = hasLm ? 0 : -1;
                        hn = hot ? 0 : -1;
                        len = 0;
                    }
                    const tl = textLen[c];
                    if (tl > 0) {
                        if (lmSteps !== null)
                            ln = lmSteps.step(ln, c);
                        if (hotSteps !== null)
                            hn = hotSteps.step(hn, c);
                        len += tl;
                    }
                    if (endsWord[c] === 1 && len > 0) {
                        complete(st, ln, hn);
                        st = cState;
                        score += cScore;
                        l10 += cLog10;
                        words++;
                        ln = hasLm ? 0 : -1;
                        hn = hot ? 0 : -1;
                        len = 0;
                    }
                    this.eLmState[e] = st;
                    this.eLmNode[e] = ln;
                    this.eHotNode[e] = hn;
                    this.ePartLen[e] = len;
                    this.eLmScore[e] = score;
                    this.eLmLog10[e] = l10;
                    this.eWords[e] = words;
                }
            }
            // Score entries.
            const n = this.entryCount;
            let best = -Infinity;
            for (let i = 0; i < n; i++) {
                const node = this.eNode[i];
                let s;
                if (node >= 0) {
                    s = lse(this.ePB[i], this.ePNB[i]) + this.nLmScore[node] + partialScore(this.nLmNode[node], this.nHotNode[node], this.nPartLen[node]);
                }
                else {
                    s = this.ePNB[i] + this.eLmScore[i] + partialScore(this.eLmNode[i], this.eHotNode[i], this.ePartLen[i]);
                }
                this.eScore[i] = s;
                if (s > best)
                    best = s;
            }
            // Threshold: best + beamPruneLogp, raised to the beamWidth-th best score when more survive.
            let thr = best + o.beamPruneLogp;
            let m = 0;
            for (let i = 0; i < n; i++)
                if (this.eScore[i] >= thr)
                    this.scratch[m++] = this.eScore[i];
            let atThr = Infinity; // how many entries scoring exactly thr may still be taken
            if (m > o.beamWidth) {
                thr = kthLargest(this.scratch, m, o.beamWidth);
                let above = 0;
                for (let i = 0; i < n; i++)
                    if (this.eScore[i] > thr)
                        above++;
                atThr = o.beamWidth - above;
            }
            if (pruneHistory) {
                // Among the entries that made the cut, the best per (LM state, partial word, last token). Beams whose partial
                // word is not a prefix of an LM word (node −1) are left alone: their partial words may differ.
                const h = this.history;
                const gen = h.nextFrame(o.beamWidth);
                for (let i = 0; i < n; i++) {
                    const s = this.eScore[i];
                    if (!(s >= thr))
                        continue;
                    if (!h.roomy)
                        break; // only with many ties at the threshold
                    const node = this.eNode[i];
                    const ln = node >= 0 ? this.nLmNode[node] : this.eLmNode[i];
                    if (ln < 0)
                        continue;
                    const st = node >= 0 ? this.nLmState[node] : this.eLmState[i];
                    const hn = node >= 0 ? this.nHotNode[node] : this.eHotNode[i];
                    const last = node >= 0 ? this.nToken[node] : this.eToken[i];
                    const slot = h.slot(gen, st, ln, hn, last);
                    const j = h.entry[slot];
                    if (h.stamp[slot] !== gen) {
                        h.claim(slot, gen, st, ln, hn, last, i);
                    }
                    else if (this.eScore[j] >= s) {
                        this.eScore[i] = -Infinity;
                    }
                    else {
                        this.eScore[j] = -Infinity;
                        h.entry[slot] = i;
                    }
                }
            }
            if (this.nodeCount + n > this.cap)
                this.growNodes(Math.max(this.cap * 2, this.nodeCount + n));
            let nb = 0;
            const nextNode = spareNode;
            const nextPB = sparePB;
            const nextPNB = sparePNB;
            for (let i = 0; i < n; i++) {
                const s = this.eScore[i];
                if (!(s >= thr))
                    continue;
                if (s === thr) {
                    if (atThr <= 0)
                        continue;
                    atThr--;
                }
                let node = this.eNode[i];
                if (node < 0) {
                    node = this.nodeCount++;
                    const p = this.eParent[i];
                    this.nParent[node] = p;
                    this.nToken[node] = this.eToken[i];
                    this.nFirstChild[node] = -1;
                    this.nNextSib[node] = this.nFirstChild[p];
                    this.nFirstChild[p] = node;
                    this.nLmState[node] = this.eLmState[i];
                    this.nLmNode[node] = this.eLmNode[i];
                    this.nHotNode[node] = this.eHotNode[i];
                    this.nPartLen[node] = this.ePartLen[i];
                    this.nWords[node] = this.eWords[i];
                    this.nLmScore[node] = this.eLmScore[i];
                    this.nLmLog10[node] = this.eLmLog10[i];
                    this.nStamp[node] = -1;
                    this.nFrame[node] = t;
                }
                nextNode[nb] = node;
                nextPB[nb] = this.ePB[i];
                nextPNB[nb] = this.ePNB[i];
                nb++;
            }
            spareNode = curNode;
            sparePB = curPB;
            sparePNB = curPNB;
            curNode = nextNode;
            curPB = nextPB;
            curPNB = nextPNB;
            beamCount = nb;
            if (this.nodeCount > this.maxNodes)
                this.compact(curNode, beamCount);
        }
        return this.finish(curNode, curPB, curPNB, beamCount, o, complete, () => ({ cState, cScore, cLog10 }));
    }
    /** Drops prefix-tree nodes no beam descends from (ids are renumbered in creation order, parents first). */
    compact(beams, count) {
        const total = this.nodeCount;
        const keep = new Uint8Array(total);
        keep[0] = 1;
        for (let b = 0; b < count; b++)
            for (let n = beams[b]; n >= 0 && keep[n] === 0; n = this.nParent[n])
                keep[n] = 1;
        const remap = new Int32Array(total).fill(-1);
        let m = 0;
        for (let n = 0; n < total; n++) {
            if (keep[n] === 0)
                continue;
            const id = m++;
            remap[n] = id;
            this.nParent[id] = n === 0 ? -1 : remap[this.nParent[n]];
            this.nToken[id] = this.nToken[n];
            this.nFrame[id] = this.nFrame[n];
            this.nLmState[id] = this.nLmState[n];
            this.nLmNode[id] = this.nLmNode[n];
            this.nHotNode[id] = this.nHotNode[n];
            this.nPartLen[id] = this.nPartLen[n];
            this.nWords[id] = this.nWords[n];
            this.nLmScore[id] = this.nLmScore[n];
            this.nLmLog10[id] = this.nLmLog10[n];
        }
        for (let id = 0; id < m; id++) {
            this.nFirstChild[id] = -1;
            this.nStamp[id] = -1;
        }
        for (let id = m - 1; id >= 1; id--) {
            const p = this.nParent[id];
            this.nNextSib[id] = this.nFirstChild[p];
            this.nFirstChild[p] = id;
        }
        this.nNextSib[0] = -1;
        for (let b = 0; b < count; b++)
            beams[b] = remap[beams[b]];
        this.nodeCount = m;
        // Keep growth amortised: if most nodes are live, allow more before the next compaction.
        if (m > this.maxNodes / 2)
            this.maxNodes = m * 2;
    }
    finish(curNode, curPB, curPNB, beamCount, o, complete, result) {
        const cache = this.cache;
        const alphaLn10 = o.alpha * LN10;
        const byText = new Map();
        const ids = [];
        for (let b = 0; b < beamCount; b++) {
            const node = curNode[b];
            let st = this.nLmState[node];
            let score = this.nLmScore[node];
            let l10 = this.nLmLog10[node];
            let words = this.nWords[node];
            if (this.nPartLen[node] > 0) {
                complete(st, this.nLmNode[node], this.nHotNode[node]);
                const r = result();
                st = r.cState;
                score += r.cScore;
                l10 += r.cLog10;
                words++;
            }
            if (cache !== null && o.scoreBoundary) {
                const eos = cache.endOfSentence(st);
                score += alphaLn10 * eos;
                l10 += eos;
            }
            ids.length = 0;
            const frames = [];
            for (let n = node; n > 0; n = this.nParent[n]) {
                ids.push(this.nToken[n]);
                frames.push(this.nFrame[n]);
            }
            ids.reverse();
            frames.reverse();
            const text = tokensToText(this.alphabet, ids);
            const acoustic = lse(curPB[b], curPNB[b]);
            const prev = byText.get(text);
            if (prev === undefined) {
                byText.set(text, {
                    text,
                    acousticScore: acoustic,
                    lmScore: score,
                    score: acoustic + score,
                    lmLog10: l10,
                    words,
                    tokens: ids.slice(),
                    tokenFrames: frames,
                });
            }
            else {
                prev.acousticScore = lse(prev.acousticScore, acoustic);
                prev.score = prev.acousticScore + prev.lmScore;
            }
        }
        const beams = [...byText.values()].sort((a, b) => b.score - a.score);
        if (beams.length === 0)
            return beams;
        const thr = beams[0].score + o.beamPruneLogp;
        return beams.filter((x, i) => i === 0 || (x.score >= thr && i < o.topN)).slice(0, o.topN);
    }
}
const NO_LM = {};
const decoders = new WeakMap();
/** A cached decoder for (alphabet, lm). */
export function decoderFor(alphabet, lm) {
    let byLm = decoders.get(alphabet);
    if (byLm === undefined) {
        byLm = new WeakMap();
        decoders.set(alphabet, byLm);
    }
    const key = lm ?? NO_LM;
    let d = byLm.get(key);
    if (d === undefined) {
        d = new CtcBeamSearchDecoder(alphabet, lm ?? null);
        byLm.set(key, d);
    }
    return d;
}
/**
 * CTC prefix beam search with optional word-LM fusion over row-major [frames][vocabSize] natural-log posteriors.
 * Returns the best beams (best first; at most `options.topN`).
 */
export function prefixBeamSearch(logprobs, frames, vocabSize, alphabet, options = {}) {
    if (vocabSize !== alphabet.vocabSize) {
        throw new RangeError(`beam search: vocabSize ${vocabSize} does not match the alphabet (${alphabet.vocabSize} tokens)`);
    }
    return decoderFor(alphabet, options.lm).decode(logprobs, frames, options);
}
const alphabets = new WeakMap();
/** Alphabet of `vocabulary`, cached per vocabulary array. */
export function alphabetFor(vocabulary, blankId, lowerCase = false) {
    let m = alphabets.get(vocabulary);
    if (m === undefined) {
        m = new Map();
        alphabets.set(vocabulary, m);
    }
    const key = `${blankId}:${lowerCase ? 1 : 0}`;
    let a = m.get(key);
    if (a === undefined) {
        a = buildAlphabet(vocabulary, blankId, { lowerCase });
        m.set(key, a);
    }
    return a;
}
/**
 * Best transcript of one utterance: beam search with `lm` (or without, when null) — the ensemble layer's entry point.
 * `lp` is row-major [frames][vocabSize] natural-log posteriors.
 */
export function decodeWithLm(lp, vocabulary, blankId, lm, options = {}) {
    if (vocabulary.length !== lp.vocabSize) {
        throw new RangeError(`decodeWithLm: vocabulary has ${vocabulary.length} tokens, posteriors have ${lp.vocabSize}`);
    }
    const { lowerCase, ...rest } = options;
    const alphabet = alphabetFor(vocabulary, blankId, lowerCase === true);
    const beams = decoderFor(alphabet, lm).decode(lp.data, lp.frames, { ...rest, lm, topN: 1 });
    return beams.length > 0 ? beams[0].text : '';
}
/** As `decodeWithLm`, but the best beam itself (tokens and their frames for timestamps); null when none. */
export function decodeBeamWithLm(lp, vocabulary, blankId, lm, options = {}) {
    const { lowerCase, ...rest } = options;
    const alphabet = alphabetFor(vocabulary, blankId, lowerCase === true);
    const beams = decoderFor(alphabet, lm).decode(lp.data, lp.frames, { ...rest, lm, topN: 1 });
    return beams[0] ?? null;
}
//# sourceMappingURL=prefix-beam-search.js.map