/** Deterministic PRNG (mulberry32) for tests and benchmarks: same seed, same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box–Muller) from a uniform source. */
export function gauss(next: () => number): number {
  return Math.sqrt(-2 * Math.log(next() + 1e-300)) * Math.cos(2 * Math.PI * next());
}

/** Sentences of Zipf-distributed words (a vocabulary of `vocab` words), deterministic: LM build tests' corpora. */
export function zipfCorpus(sentences: number, vocab: number, seed: number): string {
  const next = rng(seed);
  const lines: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const len = 1 + Math.floor(next() * 14);
    const words: string[] = [];
    for (let i = 0; i < len; i++) words.push(`w${Math.floor(Math.exp(next() * Math.log(vocab)))}`);
    lines.push(words.join(' '));
  }
  return lines.join('\n') + '\n';
}
