export function posteriorCounts(lp, blankId) {
    const { data, frames, vocabSize: V } = lp;
    let tokens = 0;
    let prev = -1;
    let first = -1;
    let last = -1;
    let nonBlank = 0;
    for (let t = 0; t < frames; t++) {
        const base = t * V;
        let best = 0;
        let bestV = data[base];
        for (let v = 1; v < V; v++) {
            if (data[base + v] > bestV) {
                bestV = data[base + v];
                best = v;
            }
        }
        if (best !== blankId) {
            nonBlank++;
            if (first < 0)
                first = t;
            last = t;
            if (best !== prev)
                tokens++;
        }
        prev = best;
    }
    const spanFrames = first < 0 ? 0 : last - first + 1;
    return { frames, tokens, spanFrames, spanBlankFrames: spanFrames - nonBlank };
}
//# sourceMappingURL=posterior-stats.js.map