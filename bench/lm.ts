// LM benchmarks (`npm run bench -- lm`): scoring words/s on the golden test text, ARPA and binary load
// time, bytes per n-gram, lmplz-style estimation time and perplexity for orders 3..5.
// Reference (../shared/reference/ctc-decoding-and-ngram-lm.md, same machine kind): KenLM query
// 12–18 M words/s, ARPA load of en.3.arpa 55 ms (binary 3 ms), lmplz 0.3 s for 232 k words.
// Targets: scoring >= 4 M words/s, ARPA load <= 550 ms, binary <= 20 ms, estimation <= 1.5 s.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArpaModel, loadLanguageModel, writeBinaryModel } from '../src/lm/index.js';
import { buildFromCorpus } from '../src/lm/estimate.js';
import { writeArpa } from '../src/lm/arpa-write.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = process.env.CTC_ENSEMBLE_SHARED ?? path.resolve(here, '..', '..', 'shared');
const G = (...p: string[]) => path.join(shared, 'golden', 'kenlm', ...p);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** Naive baseline: one JS Map from "w1 w2 w3" to [prob, backoff], backoff recursion on strings. */
class NaiveMapLm {
  readonly map = new Map<string, [number, number]>();
  constructor(text: string, readonly order: number) {
    for (const line of text.split('\n')) {
      const parts = line.split('\t');
      if (parts.length < 2 || line.startsWith('\\') || line.startsWith('ngram')) continue;
      this.map.set(parts[1]!, [Number(parts[0]), parts[2] === undefined ? 0 : Number(parts[2])]);
    }
  }
  score(ctx: string[], w: string): number {
    const word = this.map.has(w) ? w : '<unk>';
    for (let n = Math.min(ctx.length, this.order - 1); n >= 0; n--) {
      const hist = ctx.slice(ctx.length - n);
      const hit = this.map.get([...hist, word].join(' '));
      if (hit) {
        let bo = 0;
        for (let m = n + 1; m <= Math.min(ctx.length, this.order - 1); m++) bo += this.map.get(ctx.slice(ctx.length - m).join(' '))?.[1] ?? 0;
        return hit[0] + bo;
      }
    }
    return -100;
  }
}

function scoreAll(m: ArpaModel, sentences: string[][]): number {
  let total = 0;
  for (const words of sentences) {
    let state = m.beginSentenceState();
    for (const w of words) {
      const r = m.scoreWord(state, w);
      total += r.log10;
      state = r.state;
    }
    total += m.scoreEndOfSentence(state);
  }
  return total;
}

/** CPU milliseconds (user + system) of this process; wall time misleads on a shared, loaded host. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Per-run [wall ms, CPU ms] of fn, repeated for at least minMs. */
function timeLoop(fn: () => void, minMs = 700): [number, number] {
  fn();
  let runs = 0;
  const t0 = performance.now();
  const c0 = cpuMs();
  let t = t0;
  while (t - t0 < minMs) {
    fn();
    runs++;
    t = performance.now();
  }
  return [(t - t0) / runs, (cpuMs() - c0) / runs];
}

export async function run(): Promise<void> {
  if (!existsSync(G('en.3.arpa'))) {
    console.log(`skipped: ${G()} not found (needs ../shared/golden)`);
    return;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lm-bench-'));
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg()[0]!.toFixed(2)}`);

  for (const lang of ['en', 'vi']) {
    const arpa = G(`${lang}.3.arpa`);
    const loads: string[] = [];
    let m!: ArpaModel;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const c0 = cpuMs();
      m = await loadLanguageModel(arpa);
      loads.push(`${(performance.now() - t0).toFixed(0)} (CPU ${(cpuMs() - c0).toFixed(0)})`);
    }
    const bin = path.join(tmp, `${lang}.3.bin`);
    const binBytes = await writeBinaryModel(m, bin);
    const binLoads: number[] = [];
    const binCpu: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const c0 = cpuMs();
      await loadLanguageModel(bin);
      binLoads.push(performance.now() - t0);
      binCpu.push(cpuMs() - c0);
    }
    const ngrams = m.counts.reduce((a, b) => a + b, 0);
    console.log(
      `${lang}.3.arpa (${(statSync(arpa).size / 1e6).toFixed(1)} MB, ${fmt(ngrams)} n-grams): ARPA load ${loads.join(', ')} ms (3 runs; target <= 550, KenLM 55); ` +
        `binary load median ${median(binLoads).toFixed(1)} ms (CPU ${median(binCpu).toFixed(1)}; target <= 20, KenLM 3); ` +
        `${(m.tableBytes() / ngrams).toFixed(1)} bytes/n-gram in memory, binary file ${(binBytes / ngrams).toFixed(1)} bytes/n-gram`,
    );

    const sentences = readFileSync(G('corpus', `${lang}.test.txt`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/).filter(Boolean));
    const words = sentences.reduce((a, s) => a + s.length + 1, 0);
    const [msStr, cpuStr] = timeLoop(() => void scoreAll(m, sentences));
    const ids = sentences.map((s) => Uint32Array.from(s, (w) => m.wordId(w)));
    const [msId, cpuId] = timeLoop(() => {
      for (const s of ids) m.scoreTokens(s);
    });
    const naive = new NaiveMapLm(readFileSync(arpa, 'utf8'), m.order);
    const [msNaive] = timeLoop(() => {
      for (const s of sentences) {
        const ctx = ['<s>'];
        for (const w of s) {
          naive.score(ctx, w);
          ctx.push(w);
        }
        naive.score(ctx, '</s>');
      }
    }, 300);
    console.log(
      `${lang} scoring ${fmt(words)} tokens of test text: ${(words / msStr / 1000).toFixed(2)} M words/s via scoreWord(string) ` +
        `(per CPU second ${(words / cpuStr / 1000).toFixed(2)}; target >= 4, KenLM query 12–18), ` +
        `${(words / msId / 1000).toFixed(2)} M words/s on word ids (per CPU second ${(words / cpuId / 1000).toFixed(2)}), ` +
        `naive JS Map baseline ${(words / msNaive / 1000).toFixed(2)} M words/s`,
    );
  }

  for (const lang of ['en', 'vi']) {
    const corpus = G('corpus', `${lang}.train.txt`);
    const test = readFileSync(G('corpus', `${lang}.test.txt`), 'utf8').split('\n').filter(Boolean).map((l) => l.split(/\s+/).filter(Boolean));
    for (const order of [3, 4, 5]) {
      const out = path.join(tmp, `${lang}.${order}.arpa`);
      const c0 = cpuMs();
      const t0 = performance.now();
      const r = await buildFromCorpus(corpus, { order });
      const t1 = performance.now();
      await writeArpa(r.model, out);
      const t2 = performance.now();
      const cpu = cpuMs() - c0;
      const m = await loadLanguageModel(out);
      let total = 0;
      let tokens = 0;
      let oovs = 0;
      let oovTotal = 0;
      for (const s of test) {
        const sc = m.scoreSentence(s);
        total += sc.total;
        tokens += sc.words.length;
        oovs += sc.oovs;
        for (const w of sc.words) if (w.oov) oovTotal += w.log10;
      }
      console.log(
        `${lang} order ${order}: estimate ${(t1 - t0).toFixed(0)} ms + write ARPA ${(t2 - t1).toFixed(0)} ms = ${(t2 - t0).toFixed(0)} ms (CPU ${cpu.toFixed(0)} ms) for ${fmt(r.counter.tokens)} tokens (target <= 1500, lmplz 300); ` +
          `n-grams ${r.counts.join('/')}; counting tables ${(r.counter.bytes() / 1e6).toFixed(1)} MB; ` +
          `test perplexity ${(10 ** (-total / tokens)).toFixed(3)} incl. OOV, ${(10 ** (-(total - oovTotal) / (tokens - oovs))).toFixed(3)} excl.` +
          (order === 3 ? ` (lmplz+KenLM: ${lang === 'en' ? '105.282 / 97.263' : '41.737 / 38.043'})` : ''),
      );
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
