// LM benchmarks (`npm run bench -- lm`). Two parts, each saying what it measured:
//
// 1. golden (needs ../shared/golden/kenlm, else says it was skipped): scoring words/s on the golden test
//    text, ARPA and binary load time, bytes per n-gram, lmplz-style estimation time and perplexity.
//    Reference (../shared/reference/ctc-decoding-and-ngram-lm.md, same machine kind): KenLM query
//    12–18 M words/s, ARPA load of en.3.arpa 55 ms (binary 3 ms), lmplz 0.3 s for 232 k words.
// 2. scale: `lm build` of a large corpus through the compiled CLI (dist/, `npm run build` first) in a
//    child process under /usr/bin/time: build time and peak RSS in memory and with a memory budget
//    that forces the on-disk path (and whether the two ARPA files are byte-identical), ARPA and binary
//    load time and RSS (`lm info`), `lm compile`, and scoring words/s of held-out text; medians over
//    repeats. The corpus is LM_BENCH_CORPUS if set, otherwise generated from this machine's text:
//    /usr/share/common-licenses and /usr/share/doc/*/copyright, then man pages (/usr/share/man, troff
//    stripped), lines of >= 3 words, exact duplicate lines dropped, in sorted path order, cut at the
//    word count (so it differs between machines: the bench prints its size and a hash).
//    Environment: LM_BENCH_WORDS (default "1M"; "1M,10M" adds the 10 M-word case), LM_BENCH_ORDER
//    (default 5), LM_BENCH_REPEATS (default 3), LM_BENCH_MEMORY (the forced budget, default 200M),
//    LM_BENCH_SKIP_GOLDEN=1 to run only part 2, LM_BENCH_LMPLZ=/path/to/lmplz to time KenLM's lmplz (-S 1G)
//    on the same corpus and compare its ARPA file with ours.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArpaModel, emptyTextScoreTotals, loadLanguageModel, writeBinaryModel } from '../src/lm/index.js';
import type { LanguageModelScorer } from '../src/lm/types.js';
import { buildFromCorpus } from '../src/lm/estimate.js';
import { writeArpa } from '../src/lm/arpa-write.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = process.env.CTC_ENSEMBLE_SHARED ?? path.resolve(here, '..', '..', 'shared');
const G = (...p: string[]) => path.join(shared, 'golden', 'kenlm', ...p);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** Naive baseline: one JS Map from "w1 w2 w3" to [prob, backoff], backoff recursion on strings. */
class NaiveMapLm {
  readonly map = new Map<string, [number, number]>();
  constructor(
    text: string,
    readonly order: number,
  ) {
    for (const line of text.split('\n')) {
      const parts = line.split('\t');
      if (parts.length < 2 || line.startsWith('\\') || line.startsWith('ngram')) continue;
      this.map.set(parts[1], [Number(parts[0]), parts[2] === undefined ? 0 : Number(parts[2])]);
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
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg()[0].toFixed(2)}`);
  if (process.env.LM_BENCH_SKIP_GOLDEN) console.log('part 1 (golden models): skipped (LM_BENCH_SKIP_GOLDEN)');
  else if (!existsSync(G('en.3.arpa'))) console.log(`part 1 (golden models): skipped, ${G()} not found (needs ../shared/golden)`);
  else await golden();
  const given = process.env.LM_BENCH_ARPA;
  if (given) {
    console.log(`### part 2: build at scale: skipped (LM_BENCH_ARPA given)`);
    const text = process.env.LM_BENCH_TEXT ?? G('corpus', 'en.test.txt');
    if (!existsSync(text)) throw new Error(`LM_BENCH_ARPA needs LM_BENCH_TEXT (scoring text, one sentence a line); ${text} not found`);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'lm-bench-load-'));
    try {
      await loadAndScore(given, text, path.basename(given), Math.max(1, Number(process.env.LM_BENCH_REPEATS ?? 3)), tmp);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } else await scale();
}

async function golden(): Promise<void> {
  console.log('### part 1: golden KenLM models and corpora (../shared/golden/kenlm)');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lm-bench-'));

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
    const lazyLoads: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const c0 = cpuMs();
      await loadLanguageModel(bin, { load: 'read' });
      binLoads.push(performance.now() - t0);
      binCpu.push(cpuMs() - c0);
      const t1 = performance.now();
      const lazy = await loadLanguageModel(bin, { load: 'lazy' });
      lazyLoads.push(performance.now() - t1);
      await lazy.whenResident();
    }
    const ngrams = m.counts.reduce((a, b) => a + b, 0);
    console.log(
      `${lang}.3.arpa (${(statSync(arpa).size / 1e6).toFixed(1)} MB, ${fmt(ngrams)} n-grams): ARPA load ${loads.join(', ')} ms (3 runs; target <= 550, KenLM 55); ` +
        `binary load median ${median(binLoads).toFixed(1)} ms (CPU ${median(binCpu).toFixed(1)}; target <= 20, KenLM 3), lazy ${median(lazyLoads).toFixed(1)} ms; ` +
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
    const test = readFileSync(G('corpus', `${lang}.test.txt`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/).filter(Boolean));
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

const repoRoot = path.resolve(here, '..');
const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');

/** Words of "1M", "10M", "500k", "2000". */
function parseCount(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) throw new Error(`LM_BENCH_WORDS: bad count "${text}"`);
  return Math.round(Number(m[1]) * ({ k: 1e3, m: 1e6 } as Record<string, number>)[m[2].toLowerCase()] || Number(m[1]));
}

/** Text lines of this machine's licences, copyright files and man pages, in a fixed order. */
function* machineTextLines(): Generator<string> {
  const files: string[] = [];
  const lic = '/usr/share/common-licenses';
  if (existsSync(lic)) for (const f of readdirSync(lic).sort()) files.push(path.join(lic, f));
  const doc = '/usr/share/doc';
  if (existsSync(doc)) for (const d of readdirSync(doc).sort()) files.push(path.join(doc, d, 'copyright'));
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    yield* text.split('\n');
  }
  const man = '/usr/share/man';
  if (!existsSync(man)) return;
  for (const section of readdirSync(man)
    .filter((d) => /^man\d/.test(d))
    .sort()) {
    for (const f of readdirSync(path.join(man, section)).sort()) {
      let text: string;
      try {
        const raw = readFileSync(path.join(man, section, f));
        text = (f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        if (line.startsWith('.') || line.startsWith("'")) continue; // troff requests
        yield line.replace(/\\f[BIRP]|\\f\(..|\\\(..|\\[&|^-]|\\e/g, (m) => (m === '\\-' ? '-' : m === '\\e' ? '\\' : ''));
      }
    }
  }
}

/** Write `words` words of machine text (or as much as there is) to `file`; returns what was written. */
export function generateCorpus(file: string, words: number): { words: number; lines: number; sha: string } {
  const fd = openSync(file, 'w');
  const seen = new Set<string>();
  const hash = createHash('sha256');
  let n = 0;
  let lines = 0;
  let batch = '';
  for (const raw of machineTextLines()) {
    const toks = raw.split(/\s+/).filter((t) => t !== '' && t !== '<s>' && t !== '</s>' && t !== '<unk>');
    if (toks.length < 3) continue;
    const line = toks.join(' ');
    if (seen.has(line)) continue;
    seen.add(line);
    batch += line + '\n';
    n += toks.length;
    lines++;
    if (batch.length > 1 << 20) {
      writeSync(fd, batch);
      hash.update(batch);
      batch = '';
    }
    if (n >= words) break;
  }
  writeSync(fd, batch);
  hash.update(batch);
  closeSync(fd);
  return { words: n, lines, sha: hash.digest('hex').slice(0, 12) };
}

interface ChildRun {
  ms: number;
  rssMb: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in a child under /usr/bin/time: wall ms and peak RSS. */
function runChild(args: string[]): ChildRun {
  const useTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', 'MAXRSS_KB %M', process.execPath, cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ensemble ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const m = /MAXRSS_KB (\d+)/.exec(r.stderr);
  return { ms, rssMb: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout, stderr: r.stderr };
}

function medianRun(args: string[], repeats: number): { ms: number; rssMb: number; last: ChildRun } {
  const runs: ChildRun[] = [];
  for (let i = 0; i < repeats; i++) runs.push(runChild(args));
  return { ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rssMb)), last: runs[runs.length - 1] };
}

async function scale(): Promise<void> {
  console.log('### part 2: scale (child processes of the compiled CLI)');
  if (!existsSync(cli)) {
    console.log(`part 2: skipped, ${cli} not found (run npm run build first)`);
    return;
  }
  const sizes = (process.env.LM_BENCH_WORDS ?? '1M').split(',').map(parseCount);
  const order = Number(process.env.LM_BENCH_ORDER ?? 5);
  const repeats = Math.max(1, Number(process.env.LM_BENCH_REPEATS ?? 3));
  const budget = process.env.LM_BENCH_MEMORY ?? '200M';
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lm-bench-scale-'));
  try {
    for (const size of sizes) {
      const all = path.join(tmp, 'all.txt');
      const given = process.env.LM_BENCH_CORPUS;
      let info: { words: number; lines: number; sha: string };
      if (given) {
        const text = readFileSync(given, 'utf8');
        const lines = text.split('\n').filter(Boolean);
        let n = 0;
        let k = 0;
        for (; k < lines.length && n < size * 1.05; k++) n += lines[k].split(/\s+/).filter(Boolean).length;
        const out = lines.slice(0, k).join('\n') + '\n';
        closeSync(openSync(all, 'w'));
        const fd = openSync(all, 'w');
        writeSync(fd, out);
        closeSync(fd);
        info = { words: n, lines: k, sha: createHash('sha256').update(out).digest('hex').slice(0, 12) };
        console.log(`corpus: first ${fmt(info.words)} words of ${given} (LM_BENCH_CORPUS), sha256 ${info.sha}`);
      } else {
        const t0 = performance.now();
        info = generateCorpus(all, Math.round(size * 1.05));
        console.log(
          `corpus: generated from this machine's licence, copyright and man-page text: ${fmt(info.words)} words, ${fmt(info.lines)} distinct lines, sha256 ${info.sha} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
        );
      }
      if (info.words < size * 0.9) console.log(`note: only ${fmt(info.words)} words of text were found; numbers below are for that size`);
      // the last ~5 % of lines are held out for scoring
      const lines = readFileSync(all, 'utf8').split('\n').filter(Boolean);
      const cut = Math.floor(lines.length * 0.95);
      const train = path.join(tmp, 'train.txt');
      const test = path.join(tmp, 'test.txt');
      const fdTrain = openSync(train, 'w');
      writeSync(fdTrain, lines.slice(0, cut).join('\n') + '\n');
      closeSync(fdTrain);
      const fdTest = openSync(test, 'w');
      writeSync(fdTest, lines.slice(cut).join('\n') + '\n');
      closeSync(fdTest);
      const trainWords = lines.slice(0, cut).reduce((a, l) => a + l.split(' ').length, 0);
      rmSync(all);
      const label = `${fmt(trainWords)} words, order ${order}`;
      const mem = path.join(tmp, 'mem.arpa');
      const disk = path.join(tmp, 'disk.arpa');
      const fb = ['--discount-fallback'];
      const b1 = medianRun(['lm', 'build', train, '--order', String(order), '-o', mem, ...fb], repeats);
      const counts = /n-grams ([\d/]+)/.exec(b1.last.stderr)?.[1] ?? '?';
      console.log(
        `[${label}] lm build, default --memory (in memory): ${(b1.ms / 1000).toFixed(2)} s, peak RSS ${b1.rssMb.toFixed(0)} MiB (median of ${repeats}); n-grams ${counts}`,
      );
      const b2 = medianRun(['lm', 'build', train, '--order', String(order), '-o', disk, '--memory', budget, '-T', tmp, ...fb], repeats);
      const spilled = /sorted on disk/.test(b2.last.stderr);
      const same = readFileSync(mem).equals(readFileSync(disk));
      console.log(
        `[${label}] lm build --memory ${budget}${spilled ? ' (counts sorted on disk)' : ' (fit in memory)'}: ${(b2.ms / 1000).toFixed(2)} s, peak RSS ${b2.rssMb.toFixed(0)} MiB (median of ${repeats}); ARPA byte-identical to the in-memory build: ${same ? 'yes' : 'NO'}`,
      );
      const lmplz = process.env.LM_BENCH_LMPLZ;
      if (lmplz) {
        const runs: Array<{ ms: number; rssMb: number }> = [];
        const kenArpa = path.join(tmp, 'lmplz.arpa');
        for (let i = 0; i < repeats; i++) {
          const t0 = performance.now();
          const r = spawnSync(
            '/bin/sh',
            ['-c', `/usr/bin/time -f 'MAXRSS_KB %M' '${lmplz}' -o ${order} -S 1G -T '${tmp}' --discount_fallback < '${train}' > '${kenArpa}'`],
            { encoding: 'utf8' },
          );
          if (r.status !== 0) throw new Error(`lmplz failed: ${r.stderr.slice(-2000)}`);
          runs.push({ ms: performance.now() - t0, rssMb: Number(/MAXRSS_KB (\d+)/.exec(r.stderr)?.[1]) / 1024 });
        }
        const identical = readFileSync(kenArpa).equals(readFileSync(mem));
        const header = (file: string) => /\\data\\\n([^\\]*)\n\n/.exec(readFileSync(file, 'utf8').slice(0, 400))?.[1]?.replace(/\n/g, ' ');
        console.log(
          `[${label}] KenLM lmplz -S 1G (LM_BENCH_LMPLZ): ${(median(runs.map((r) => r.ms)) / 1000).toFixed(2)} s, peak RSS ${median(runs.map((r) => r.rssMb)).toFixed(0)} MiB (median of ${repeats}); ` +
            `ARPA ${identical ? 'byte-identical to ours' : `not byte-identical; headers ${header(kenArpa) === header(mem) ? 'equal' : 'DIFFER'}`}`,
        );
        rmSync(kenArpa);
      }
      await loadAndScore(mem, test, label, repeats, tmp);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const fileSha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);

interface Timed {
  ms: number;
  cpuMs: number;
  rssMb: number;
  stdout: string;
  stderr: string;
}

/** Run a program under /usr/bin/time (stdin from a file or empty): wall ms, user+system CPU ms, peak RSS. */
function timed(program: string, args: string[], stdinFile?: string): Timed {
  const fd = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'TIMED %U %S %M', program, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: [fd, 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (typeof fd === 'number') closeSync(fd);
  if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  const m = /TIMED ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return { ms, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN, rssMb: m ? Number(m[3]) / 1024 : NaN, stdout: r.stdout, stderr: r.stderr };
}

type MedianTimed = Timed & { all: Timed[] };

/** What bench/lm-load-probe.mjs prints. */
interface ProbeResult {
  loadMs: number;
  rssAtLoadMb: number;
  firstTokens: number;
  firstMs: number;
  residentMs: number;
  rssMb: number;
  cpuMs: number;
  firstTotal: number;
}

function medianOf(rs: Timed[]): MedianTimed {
  const med = (f: (t: Timed) => number) => median(rs.map(f));
  return {
    ms: med((t) => t.ms),
    cpuMs: med((t) => t.cpuMs),
    rssMb: med((t) => t.rssMb),
    stdout: rs[rs.length - 1].stdout,
    stderr: rs[rs.length - 1].stderr,
    all: rs,
  };
}

/** `repeats` runs of `ours` and of `theirs` (when given), alternating so that both see the same machine load; medians of each. */
function alternating(repeats: number, ours: () => Timed, theirs: (() => Timed) | null): [MedianTimed, MedianTimed | null] {
  const a: Timed[] = [];
  const b: Timed[] = [];
  for (let i = 0; i < repeats; i++) {
    a.push(ours());
    if (theirs) b.push(theirs());
  }
  return [medianOf(a), theirs ? medianOf(b) : null];
}

const secs = (t: { ms: number; cpuMs: number }) => `${(t.ms / 1000).toFixed(2)} s (CPU ${(t.cpuMs / 1000).toFixed(2)} s)`;
const ratio = (ours: number, theirs: number) => (theirs > 0 ? `${(ours / theirs).toFixed(2)}×` : '?');

/** Words/s of scoring `sentences` (+ </s> each) with the allocation-free path from strings: wordId + scoreId, as the decoder does. */
function scoreStrings(m: ArpaModel, sentences: string[][]): number {
  let total = 0;
  for (const words of sentences) {
    let state = m.beginSentenceState();
    for (const w of words) {
      total += m.scoreId(state, m.wordId(w));
      state = m.outState;
    }
    total += m.scoreEndOfSentence(state);
  }
  return total;
}

/**
 * Load and scoring of one ARPA file, ours (child processes of the CLI for load times and RSS, this process for
 * scoring) and KenLM's when LM_BENCH_QUERY / LM_BENCH_BUILD_BINARY name its `query` / `build_binary`: ARPA load,
 * compile, binary load, scoring words/s of `textFile`; medians of `repeats` runs (ours and KenLM's alternating for
 * the loads), wall and CPU time side by side.
 */
async function loadAndScore(arpa: string, textFile: string, label: string, repeats: number, tmp: string): Promise<void> {
  const query = process.env.LM_BENCH_QUERY;
  const buildBinary = process.env.LM_BENCH_BUILD_BINARY;
  const sentences = readFileSync(textFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(/\s+/).filter(Boolean));
  const tokens = sentences.reduce((a, s) => a + s.length + 1, 0);
  const header = /\\data\\\n([^\\]*)\n\n/.exec(readFileSync(arpa).subarray(0, 400).toString('utf8'))?.[1]?.replace(/\n/g, ' ');
  console.log(
    `[${label}] load/scoring of ${arpa} (${(statSync(arpa).size / 1e6).toFixed(0)} MB, sha256 ${fileSha(arpa)}, ${header}); scoring text ${textFile} ` +
      `(${fmt(tokens)} tokens incl. </s>, sha256 ${fileSha(textFile)}); medians of ${repeats}; load average ${os.loadavg()[0].toFixed(2)}` +
      (query ? `; KenLM query ${query}` : '; KenLM: not measured (set LM_BENCH_QUERY and LM_BENCH_BUILD_BINARY)'),
  );
  // median over the runs of the load time `lm info` measures in process
  const loadMs = (t: { all: Timed[] }) => median(t.all.map((r) => Number(/load_ms\t([\d.]+)/.exec(r.stdout)?.[1]))).toFixed(0);
  const [arpaLoad, k] = alternating(repeats, () => timed(process.execPath, [cli, 'lm', 'info', arpa]), query ? () => timed(query, [arpa]) : null);
  let line = `[${label}] ARPA load: ours ${secs(arpaLoad)} whole command, ${loadMs(arpaLoad)} ms in process, peak RSS ${arpaLoad.rssMb.toFixed(0)} MiB`;
  if (k) {
    line += `; KenLM query ${secs(k)}, peak RSS ${k.rssMb.toFixed(0)} MiB; ratio wall ${ratio(arpaLoad.ms, k.ms)}, CPU ${ratio(arpaLoad.cpuMs, k.cpuMs)}`;
  }
  console.log(line);
  const bin = path.join(tmp, 'bench.bin');
  const comp = timed(process.execPath, [cli, 'lm', 'compile', arpa, '-o', bin]);
  line = `[${label}] lm compile: ${secs(comp)}, peak RSS ${comp.rssMb.toFixed(0)} MiB, binary ${(statSync(bin).size / 1e6).toFixed(0)} MB`;
  const kenBin = path.join(tmp, 'bench.kenlm');
  if (buildBinary) {
    const k = timed(buildBinary, [arpa, kenBin]);
    line += `; KenLM build_binary ${secs(k)}, peak RSS ${k.rssMb.toFixed(0)} MiB, binary ${(statSync(kenBin).size / 1e6).toFixed(0)} MB; ratio wall ${ratio(comp.ms, k.ms)}`;
  }
  console.log(line);
  const [binLoad, kenEmpty] = alternating(
    repeats,
    () => timed(process.execPath, [cli, 'lm', 'info', '--lm-load', 'read', bin]),
    query && buildBinary ? () => timed(query, [kenBin]) : null,
  );
  line = `[${label}] binary load (--lm-load read): ours ${loadMs(binLoad)} ms in process (${secs(binLoad)} whole command, peak RSS ${binLoad.rssMb.toFixed(0)} MiB)`;
  if (kenEmpty) {
    line += `; KenLM query on its binary, no input: ${kenEmpty.ms.toFixed(0)} ms whole command (CPU ${kenEmpty.cpuMs.toFixed(0)} ms), peak RSS ${kenEmpty.rssMb.toFixed(0)} MiB (mmap)`;
  }
  console.log(line);
  // the load in fresh processes, `read` and `lazy` alternating: when the load call returns, the first lines of the
  // text scored right after it (a lazy load's lookups read the chunks they touch), full residency, RSS
  const probeLines = 100;
  const probes: Record<'read' | 'lazy', ProbeResult[]> = { read: [], lazy: [] };
  for (let i = 0; i < Math.max(3, repeats); i++) {
    for (const method of ['read', 'lazy'] as const) {
      const r = timed(process.execPath, [path.join(here, 'lm-load-probe.mjs'), path.join(repoRoot, 'dist'), bin, method, textFile, String(probeLines)]);
      probes[method].push(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ProbeResult);
    }
  }
  const pm = (method: 'read' | 'lazy', f: (p: ProbeResult) => number) => median(probes[method].map(f));
  const sameTotals = new Set([...probes.read, ...probes.lazy].map((p) => p.firstTotal)).size === 1;
  console.log(
    `[${label}] binary load in a fresh process (bench/lm-load-probe.mjs), medians of ${probes.read.length}: ` +
      (['read', 'lazy'] as const)
        .map(
          (k) =>
            `${k}: returns ${pm(k, (p) => p.loadMs).toFixed(1)} ms (RSS ${pm(k, (p) => p.rssAtLoadMb).toFixed(0)} MiB), then the first ${probeLines} lines ` +
            `(${probes[k][0].firstTokens} tokens) ${pm(k, (p) => p.firstMs).toFixed(1)} ms, all resident at ${pm(k, (p) => p.residentMs).toFixed(0)} ms (RSS ${pm(k, (p) => p.rssMb).toFixed(0)} MiB), ` +
            `CPU ${pm(k, (p) => p.cpuMs).toFixed(0)} ms`,
        )
        .join('; ') +
      `; scores of those lines ${sameTotals ? 'identical' : 'DIFFER'}`,
  );
  // in-process binary load times (a full read: the read is most of it), then scoring
  const inProc: number[] = [];
  let m!: ArpaModel;
  for (let i = 0; i < Math.max(3, repeats); i++) {
    const t0 = performance.now();
    m = await loadLanguageModel(bin, { load: 'read' });
    inProc.push(performance.now() - t0);
  }
  const ids = sentences.map((s) => Uint32Array.from(s, (w) => m.wordId(w)));
  const idRate: number[] = [];
  const idCpu: number[] = [];
  const strRate: number[] = [];
  const strCpu: number[] = [];
  const byteRate: number[] = [];
  const byteCpu: number[] = [];
  const textBytes = readFileSync(textFile);
  let total = 0;
  let byteTokens = 0;
  for (let i = 0; i < repeats; i++) {
    // from the file's bytes, as KenLM query reads its input (lines and words found and looked up in the bytes)
    const [ms3, cpu3] = timeLoop(() => {
      const totals = emptyTextScoreTotals();
      m.scoreTextLines(textBytes, 0, textBytes.length, totals);
      byteTokens = totals.tokens;
    }, 500);
    byteRate.push(byteTokens / ms3 / 1000);
    byteCpu.push(byteTokens / cpu3 / 1000);
    const [ms, cpu] = timeLoop(() => {
      for (const s of ids) m.scoreTokens(s);
    }, 500);
    idRate.push(tokens / ms / 1000);
    idCpu.push(tokens / cpu / 1000);
    const [ms2, cpu2] = timeLoop(() => void (total = scoreStrings(m, sentences)), 500);
    strRate.push(tokens / ms2 / 1000);
    strCpu.push(tokens / cpu2 / 1000);
  }
  const [msObj] = timeLoop(() => void scoreAll(m, sentences), 500);
  const ppl = 10 ** (-total / tokens);
  line =
    `[${label}] scoring ${fmt(tokens)} tokens with the binary (in-process load median ${median(inProc).toFixed(0)} ms): ` +
    `${median(byteRate).toFixed(2)} M words/s from text bytes, as query (scoreTextLines; per CPU second ${median(byteCpu).toFixed(2)}), ` +
    `${median(strRate).toFixed(2)} M words/s from JS strings, as the decoder (wordId + scoreId; per CPU second ${median(strCpu).toFixed(2)}), ` +
    `${median(idRate).toFixed(2)} M words/s on word ids (per CPU second ${median(idCpu).toFixed(2)}), ` +
    `${(tokens / msObj / 1000).toFixed(2)} M words/s via scoreWord(string) (one result object per word); perplexity ${ppl.toFixed(4)}`;
  if (query && buildBinary && kenEmpty) {
    const k = medianOf(Array.from({ length: repeats }, () => timed(query, ['-v', 'summary', kenBin], textFile)));
    const kTokens = Number(/Tokens:\s*(\d+)/.exec(k.stdout)?.[1]);
    const kPpl = Number(/Perplexity including OOVs:\s*([\d.]+)/.exec(k.stdout)?.[1]);
    // KenLM's time to score = its run on the text minus its run without input (load), wall and CPU
    const kRate = kTokens / Math.max(1, k.ms - kenEmpty.ms) / 1000;
    const kCpuRate = kTokens / Math.max(1, k.cpuMs - kenEmpty.cpuMs) / 1000;
    line +=
      `; KenLM query (text read + scored, minus its load): ${kRate.toFixed(2)} M words/s (per CPU second ${kCpuRate.toFixed(2)}), ${fmt(kTokens)} tokens, perplexity ${kPpl}; ` +
      `ratio ours/KenLM from text bytes ${(median(byteRate) / kRate).toFixed(2)} (CPU ${(median(byteCpu) / kCpuRate).toFixed(2)}), ` +
      `from JS strings ${(median(strRate) / kRate).toFixed(2)} (CPU ${(median(strCpu) / kCpuRate).toFixed(2)}), on ids ${(median(idRate) / kRate).toFixed(2)} (CPU ${(median(idCpu) / kCpuRate).toFixed(2)})`;
  }
  console.log(line);
}
