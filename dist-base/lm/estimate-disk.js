import path from 'node:path';
import { BOS, EOS, UNK } from './constants.js';
import { COUNT, REC } from './count.js';
import { discountsFrom } from './discount.js';
import { log10f, prunedWords } from './estimate.js';
import { ArpaLineWriter } from './arpa-write.js';
import { RowFileReader, RowFileWriter, RowSorter, bitsFloat, compareKeys, floatBits } from './sort.js';
/** Yield to the event loop now and then, so that SIGINT/SIGTERM handlers (temp file removal) run. */
let ticks = 0;
const yieldNow = () => new Promise((r) => setImmediate(r));
/** Spills a counter's n-gram tables (orders ≥ 2) into one sorter per order as sorted runs. */
export class CountSpiller {
    order;
    dir;
    sorters = [];
    constructor(order, dir, memoryBytes) {
        this.order = order;
        this.dir = dir;
        for (let k = 0; k <= order; k++) {
            this.sorters.push(new RowSorter({ width: k + 1, keyWidth: k, sumColumn: k, memoryBytes: Math.max(1 << 20, memoryBytes / order), dir, name: `count${k}` }));
        }
    }
    /** Rows of one order being spilled, reused (a new array per spill would wait for the GC). */
    rows = new Uint32Array(0);
    /** Write every table as a run and empty the tables. */
    spill(counter) {
        for (let k = 2; k <= this.order; k++) {
            const t = counter.tables[k];
            const n = t.size;
            const w = k + 1;
            if (this.rows.length < n * w)
                this.rows = new Uint32Array(Math.ceil(n * w * 1.25));
            const rows = this.rows;
            for (let e = 0; e < n; e++) {
                counter.reversedIds(k, e, rows, e * w);
                rows[e * w + k] = t.rec[e * REC + COUNT];
            }
            this.sorters[k].addRun(rows, n);
        }
        counter.clearTables();
    }
    /** Free the reused spill buffer. */
    done() {
        this.rows = new Uint32Array(0);
    }
}
/**
 * Estimate from a counter whose tables were spilled (the rest is spilled here) and write the ARPA text
 * to `arpaFile` (the caller renames it into place).
 */
export async function estimateOnDisk(counter, spiller, options, memoryBytes, arpaFile) {
    const N = counter.order;
    const dir = spiller.dir;
    const warn = options.onWarning ?? (() => { });
    const V = counter.words.length;
    const file = (name, k) => path.join(dir, `${name}${k}.rows`);
    spiller.spill(counter);
    spiller.done();
    // 1. merged counts S_k
    const counts = [V];
    const badWord = prunedWords(counter.words, options.limitVocab);
    const thresholds = options.prune;
    const MARK = 0x80000000;
    /** lmplz's mark: raw count at or below the order's threshold, or a word outside the allowed vocabulary. */
    const pruned = (rev, k, raw) => {
        if (thresholds && raw <= thresholds[k - 1])
            return true;
        if (badWord)
            for (let q = 0; q < k; q++)
                if (badWord[rev[q]])
                    return true;
        return false;
    };
    for (let k = 2; k <= N; k++) {
        const src = spiller.sorters[k].finish();
        const out = new RowFileWriter(file('S', k), k + 1);
        for (let r = src.next(); r; r = src.next()) {
            out.push(r);
            if ((++ticks & 0x3ffff) === 0)
                await yieldNow();
        }
        out.close();
        src.close();
        counts.push(out.rows);
    }
    // 2. adjusted counts A_k (k < N; A_N is S_N) and counts of counts
    const adj1 = new Uint32Array(V);
    const nOfN = [];
    const tally = (n, a) => {
        if (a >= 1 && a <= 4)
            n[a - 1]++;
    };
    {
        const upper = new RowFileReader(file('S', 2), 3);
        for (let u = upper.next(); u; u = upper.next())
            if (u[0] !== BOS)
                adj1[u[0]]++;
        upper.close();
        const n = [0, 0, 0, 0];
        for (let w = 0; w < V; w++)
            tally(n, adj1[w]);
        nOfN.push(n);
    }
    for (let k = 2; k < N; k++) {
        const lower = new RowFileReader(file('S', k), k + 1, undefined, true);
        const upper = new RowFileReader(file('S', k + 1), k + 2);
        const out = new RowFileWriter(file('A', k), k + 1);
        const n = [0, 0, 0, 0];
        let u = upper.next();
        for (let r = lower.next(); r; r = lower.next()) {
            let ext = 0;
            while (u && compareKeys(u, r, k) === 0) {
                ext++;
                u = upper.next();
            }
            if (r[k - 1] === BOS)
                ext = r[k];
            const mark = pruned(r, k, r[k]) ? MARK : 0;
            r[k] = ext | mark;
            tally(n, ext);
            out.push(r);
            if ((++ticks & 0x3ffff) === 0)
                await yieldNow();
        }
        if (u)
            throw new Error(`internal: ${k + 1}-gram without its suffix`);
        upper.close();
        lower.close();
        out.close();
        nOfN.push(n);
    }
    {
        const top = new RowFileReader(file('S', N), N + 1);
        const n = [0, 0, 0, 0];
        for (let r = top.next(); r; r = top.next())
            tally(n, r[N]);
        top.close();
        nOfN.push(n);
    }
    const discounts = nOfN.map((n, i) => discountsFrom(i + 1, n, options.discountFallback, warn));
    const disc = (k, a) => (a === 0 ? 0 : discounts[k - 1].d[Math.min(a, 3) - 1]);
    const f = Math.fround;
    // unigrams: the empty context, in memory
    const keptWords = badWord ? V - badWord.reduce((x, y) => x + y, 0) : V;
    const uniform = f(1.0 / f(keptWords - 1));
    const p1 = new Float32Array(V);
    {
        let den = 0;
        let prunedMass = 0;
        const nk = [0, 0, 0];
        for (let w = 0; w < V; w++) {
            const a = adj1[w];
            den += a;
            if (badWord?.[w])
                prunedMass += a;
            else if (a > 0)
                nk[Math.min(a, 3) - 1]++;
        }
        const d = discounts[0].d;
        let sum = f(f(f(d[0] * f(nk[0])) + f(d[1] * f(nk[1]))) + f(d[2] * f(nk[2])));
        if (prunedMass > 0)
            sum = f(sum + f(prunedMass));
        const g0 = f(sum / f(den));
        const fden = f(den);
        for (let w = 0; w < V; w++) {
            const a = adj1[w];
            const u = f(f(a - disc(1, a)) / fden);
            p1[w] = f(u + f(g0 * uniform));
        }
    }
    // 3. initial probabilities per context: U_k (reversed: ids, u, γ(context)) and G_{k−1} (γ of contexts)
    const gamma1 = new Float32Array(V);
    const isContext1 = new Uint8Array(V);
    const U = [];
    const G = [];
    // three sorters are open at once; what the process already holds (runtime, vocabulary) is not theirs
    const share = Math.max(2 ** 20, (memoryBytes - process.memoryUsage().rss) / 3);
    for (let k = 2; k <= N; k++) {
        const forward = new RowSorter({ width: k + 1, keyWidth: k, memoryBytes: share, dir, name: `fwd${k}` });
        {
            const src = new RowFileReader(file(k === N ? 'S' : 'A', k), k + 1, undefined, true);
            const row = new Uint32Array(k + 1);
            for (let r = src.next(); r; r = src.next()) {
                for (let q = 0; q < k; q++)
                    row[q] = r[k - 1 - q];
                row[k] = k === N && pruned(r, k, r[k]) ? (r[k] | MARK) >>> 0 : r[k];
                forward.push(row);
                if ((++ticks & 0x3ffff) === 0)
                    await yieldNow();
            }
            src.close();
        }
        const uSorter = new RowSorter({ width: k + 2, keyWidth: k, memoryBytes: share, dir, name: `U${k}` });
        const gSorter = k > 2 ? new RowSorter({ width: k, keyWidth: k - 1, memoryBytes: share, dir, name: `G${k - 1}` }) : null;
        U[k] = uSorter;
        if (gSorter)
            G[k - 1] = gSorter;
        const d = discounts[k - 1].d;
        // one context's children: forward ids and adjusted counts
        let kids = new Uint32Array(1024 * (k + 1));
        let nKids = 0;
        let keptCount = 0;
        const out = new Uint32Array(k + 2);
        const ctxRow = new Uint32Array(k);
        const flush = () => {
            let den = 0;
            let n1 = 0;
            let n2 = 0;
            let n3 = 0;
            let prunedMass = 0;
            for (let i = 0; i < nKids; i++) {
                const v = kids[i * (k + 1) + k];
                const a = v & ~MARK;
                den += a;
                if (v & MARK)
                    prunedMass += a;
                else if (a === 1)
                    n1++;
                else if (a === 2)
                    n2++;
                else if (a >= 3)
                    n3++;
            }
            if (den === 0)
                return;
            let sum = f(f(f(d[0] * f(n1)) + f(d[1] * f(n2))) + f(d[2] * f(n3)));
            if (prunedMass > 0)
                sum = f(sum + f(prunedMass));
            const g = f(sum / f(den));
            const gb = floatBits(g);
            const fden = f(den);
            for (let i = 0; i < nKids; i++) {
                const base = i * (k + 1);
                if (kids[base + k] & MARK)
                    continue;
                keptCount++;
                for (let q = 0; q < k; q++)
                    out[q] = kids[base + k - 1 - q];
                const a = kids[base + k];
                out[k] = floatBits(f(f(a - disc(k, a)) / fden));
                out[k + 1] = gb;
                uSorter.push(out);
            }
            if (k === 2) {
                gamma1[kids[0]] = g;
                isContext1[kids[0]] = 1;
            }
            else {
                for (let q = 0; q < k - 1; q++)
                    ctxRow[q] = kids[k - 2 - q];
                ctxRow[k - 1] = gb;
                gSorter.push(ctxRow);
            }
        };
        const src = forward.finish();
        for (let r = src.next(); r; r = src.next()) {
            if (nKids > 0 && compareKeys(r, kids, k - 1) !== 0) {
                flush();
                nKids = 0;
            }
            if ((nKids + 1) * (k + 1) > kids.length) {
                const b = new Uint32Array(kids.length * 2);
                b.set(kids);
                kids = b;
            }
            kids.set(r, nKids * (k + 1));
            nKids++;
            if ((++ticks & 0x3ffff) === 0)
                await yieldNow();
        }
        if (nKids > 0)
            flush();
        src.close();
        // U_k and G_{k-1} wait on disk for pass 4, so that they hold no memory meanwhile
        uSorter.park();
        gSorter?.park();
        counts[k - 1] = keptCount;
    }
    if (badWord)
        counts[0] = V - badWord.reduce((x, y) => x + y, 0);
    // 4. interpolate and write, order by order
    const arpa = new ArpaLineWriter(counter.words);
    await arpa.open(arpaFile);
    arpa.text('\\data\\\n');
    for (let k = 1; k <= N; k++)
        arpa.text(`ngram ${k}=${counts[k - 1]}\n`);
    arpa.text('\n\\1-grams:\n');
    const one = new Uint32Array(1);
    for (let w = 0; w < V; w++) {
        if (badWord?.[w])
            continue;
        const lp = w === BOS ? 0 : Math.min(0, log10f(p1[w]));
        let bo = 0;
        if (isContext1[w] && w !== UNK && w !== EOS)
            bo = log10f(gamma1[w]);
        one[0] = w;
        arpa.line(lp, one, 1, true, bo, floatBits(bo));
        if (arpa.full)
            await arpa.flush();
    }
    for (let k = 2; k <= N; k++) {
        arpa.text(`\n\\${k}-grams:\n`);
        const src = U[k].finish();
        const lowerP = k > 2 ? new RowFileReader(file('P', k - 1), k, undefined, true) : null;
        const ctx = k < N ? G[k].finish() : null;
        const pOut = k < N ? new RowFileWriter(file('P', k), k + 1) : null;
        const pRow = new Uint32Array(k + 1);
        let lp = lowerP ? lowerP.next() : null;
        let g = ctx ? ctx.next() : null;
        for (let r = src.next(); r; r = src.next()) {
            let lower;
            if (k === 2)
                lower = p1[r[0]];
            else {
                while (lp && compareKeys(lp, r, k - 1) < 0)
                    lp = lowerP.next();
                if (!lp || compareKeys(lp, r, k - 1) !== 0)
                    throw new Error(`internal: ${k}-gram without its suffix`);
                lower = bitsFloat(lp[k - 1]);
            }
            const p = f(bitsFloat(r[k]) + f(bitsFloat(r[k + 1]) * lower));
            const logP = Math.min(0, log10f(p));
            if (pOut) {
                pRow.set(r.subarray(0, k));
                pRow[k] = floatBits(p);
                pOut.push(pRow);
                while (g && compareKeys(g, r, k) < 0)
                    g = ctx.next();
                let bo = 0;
                if (g && compareKeys(g, r, k) === 0 && r[0] !== UNK && r[0] !== EOS)
                    bo = log10f(bitsFloat(g[k]));
                arpa.line(logP, r, k, true, bo, floatBits(bo));
            }
            else
                arpa.line(logP, r, k, false, 0, 0);
            if (arpa.full)
                await arpa.flush();
            if ((++ticks & 0x3ffff) === 0)
                await yieldNow();
        }
        src.close();
        lowerP?.close();
        ctx?.close();
        pOut?.close();
    }
    arpa.text('\n\\end\\\n');
    await arpa.close();
    return { counts, discounts };
}
//# sourceMappingURL=estimate-disk.js.map