/** Argmax per frame (first maximum wins, like torch/numpy argmax). */
export function argmaxPerFrame(lp) {
    const { data, frames, vocabSize: V } = lp;
    const out = new Int32Array(frames);
    for (let t = 0; t < frames; t++) {
        const base = t * V;
        let best = 0;
        let bestV = data[base];
        for (let v = 1; v < V; v++) {
            const x = data[base + v];
            if (x > bestV) {
                bestV = x;
                best = v;
            }
        }
        out[t] = best;
    }
    return out;
}
/** CTC collapse: merge repeats, then drop blanks. */
export function ctcCollapse(ids, blankId) {
    const out = [];
    let prev = -1;
    for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        if (id !== prev && id !== blankId)
            out.push(id);
        prev = id;
    }
    return out;
}
//# sourceMappingURL=greedy.js.map