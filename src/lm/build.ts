import { createReadStream, mkdirSync, constants as fsConstants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { UserError } from '../util/errors.js';
import { registerTemp, releaseTemp, removeTemp, sweepStale, sweepStaleSiblings, tempSibling } from '../util/temp-files.js';
import { DEFAULT_BUILD_MEMORY, MAX_BUILD_ORDER, MIN_TABLE_BYTES, TABLE_SHARE_OF_MEMORY } from './constants.js';
import { NgramCounter, forEachLineBytes } from './count.js';
import { estimate, type EstimateOptions } from './estimate.js';
import { CountSpiller, estimateOnDisk } from './estimate-disk.js';
import { ARPA_WRITER_DEFAULTS, sortInWorker, startBuildWorker, tablesOf, writeArpa, type ArpaWriteOptions } from './arpa-write.js';
import type { Discount } from './discount.js';

/*
 * `lm build` end to end: corpus → counts → ARPA file, in memory while the counting tables stay within
 * their share of the memory budget (the fast path), otherwise through sorted runs on disk
 * (estimate-disk.ts), with identical output. Temporary files (spill folder, the output's temp file)
 * are removed on success, error, SIGINT and SIGTERM, and a run sweeps what killed runs left.
 *
 * Threads (lmplz also runs its stages on threads of their own). The main thread reads the corpus,
 * counts orders 2 … ⌊(N+1)/2⌋, estimates and writes the file. One worker thread (build-worker.ts), when
 * a core is idle (see idleCoresNow: on a machine whose cores are busy it would only add CPU):
 * - counts the orders above (count.ts, startPipeline: each sentence's word ids and entries sent in
 *   batches; its tables come back at the end, or at the first spill, after which this thread counts
 *   alone and the worker is ended: a bounded-memory build keeps no second thread's memory), for corpus
 *   files of at least PARALLEL_COUNT_MIN_BYTES;
 * - sorts the tables into the ARPA file's suffix order while this thread estimates (the sort reads only
 *   the records' suffix and word fields, which estimation does not write);
 * - prints about half of the blocks of n-gram lines (blocks claimed through a shared counter, so a
 *   worker that gets little CPU prints few), for models of at least parallelMinNgrams n-grams.
 * The tables are SharedArrayBuffers: shared between the threads, not copied. The bytes of the output do
 * not depend on which thread did what (tests/lm/build-worker.test.ts).
 */

export interface BuildOptions extends EstimateOptions {
  /** Memory budget in bytes (parseMemorySize). */
  memoryBytes?: number;
  /** Folder for the spill files (default: the OS temp folder). */
  tempDir?: string;
  /**
   * When the build uses its second thread (build-worker.ts): for counting, a corpus file of at least
   * `countMinCorpusBytes` (default PARALLEL_COUNT_MIN_BYTES; not stdin or a FIFO, whose size is not
   * known); for the in-memory path's ARPA writer, as writeArpa.
   */
  parallel?: Omit<ArpaWriteOptions, 'worker' | 'sorted'> & {
    countMinCorpusBytes?: number;
    countBatchNumbers?: number;
    /**
     * 'auto' (default): use the second thread only while a core is idle (see idleCoresNow); 'always', 'never'.
     */
    secondThread?: 'auto' | 'always' | 'never';
  };
}

/** Idle CPU time of the machine so far (ms, all cores) and when it was read. */
interface IdleMark {
  idleMs: number;
  at: number;
}

function idleMark(): IdleMark {
  let idleMs = 0;
  for (const c of os.cpus()) idleMs += c.times.idle;
  return { idleMs, at: performance.now() };
}

/*
 * On a machine whose cores are all busy a second thread only takes CPU from this one (the scheduler
 * shares the CPU between processes, or sessions, not threads) and adds its own overhead (~15 % more CPU
 * in all), so by default the build uses it only while at least half a core is idle: before counting,
 * judged from the threads the kernel has runnable (/proc/loadavg, a few samples), and before estimating,
 * from the cores' idle time over the counting.
 */

/** Idle cores at least this many on average: the second thread is worth starting. */
const MIN_IDLE_CORES = 0.5;

/** Cores idle on average since `mark` (from the kernel's idle times; a window under 50 ms says nothing: 0). */
function idleCoresSince(mark: IdleMark): number {
  const now = idleMark();
  const wall = now.at - mark.at;
  return wall < 50 ? 0 : (now.idleMs - mark.idleMs) / wall;
}

/** Cores idle now besides this thread's: from runnable threads in /proc/loadavg (5 samples, 5 ms apart); else the load average. */
async function idleCoresNow(): Promise<number> {
  const cores = os.availableParallelism();
  let runnable = 0;
  try {
    for (let i = 0; i < 5; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 5));
      runnable += Number(/\s(\d+)\//.exec(await fs.readFile('/proc/loadavg', 'utf8'))?.[1] ?? NaN) / 5;
    }
  } catch {
    runnable = NaN;
  }
  // runnable counts this thread
  return Number.isFinite(runnable) ? cores - Math.max(1, runnable) : cores - 1 - os.loadavg()[0];
}

async function useSecondThread(setting: 'auto' | 'always' | 'never' | undefined, idle: () => number | Promise<number>): Promise<boolean> {
  if (setting === 'always') return true;
  if (setting === 'never') return false;
  return (await idle()) >= MIN_IDLE_CORES;
}

/** A corpus file this large is counted on two threads (a smaller one takes less time than the thread's start-up is worth). */
export const PARALLEL_COUNT_MIN_BYTES = 4 << 20;

export interface BuildResult {
  sentences: number;
  tokens: number;
  vocabularySize: number;
  counts: number[];
  discounts: Discount[];
  /** True when counting outgrew the budget and estimation went through disk. */
  spilled: boolean;
}

/**
 * A size as lmplz -S takes it: a number with a suffix b, K, M, G, T (powers of 1024; no suffix = K, as
 * lmplz and sort) or % of physical memory.
 */
export function parseMemorySize(text: string, totalMemory = os.totalmem()): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([bkKmMgGtT%]?)\s*$/.exec(text);
  if (!m) throw new UserError(`--memory: expected a size like 1G, 500M, 64K, 80% (got "${text}")`);
  const v = Number(m[1]);
  const unit = m[2].toUpperCase();
  const bytes = unit === '%' ? (v / 100) * totalMemory : v * 1024 ** ('BKMGT'.indexOf(unit || 'K'));
  if (!(bytes >= 1)) throw new UserError(`--memory: must be positive (got "${text}")`);
  return Math.floor(bytes);
}

const SPILL_DIR = /^ctc-lm-build-(\d+)-[0-9a-f]{8}$/;

/** Fail early, with the path, for a corpus that cannot be read (directory, missing, unreadable). */
export async function checkReadableFile(file: string, what: string): Promise<void> {
  let st;
  try {
    st = await fs.stat(file);
  } catch (e) {
    throw new UserError(`cannot read the ${what}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
      source: file,
    });
  }
  if (st.isDirectory()) throw new UserError(`cannot read the ${what}: is a directory`, { source: file });
  try {
    await fs.access(file, fsConstants.R_OK);
  } catch {
    throw new UserError(`cannot read the ${what}: permission denied`, { source: file });
  }
}

/** Fail early, with the path, for an output that cannot be written (a directory, or a folder we cannot write in). */
export async function checkWritableOutput(file: string): Promise<void> {
  const st = await fs.stat(file).catch(() => undefined);
  if (st?.isDirectory()) throw new UserError('cannot write the output: is a directory', { source: file });
  const dir = path.dirname(path.resolve(file));
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`cannot create the output folder: ${(e as Error).message}`, { source: dir });
  }
  try {
    await fs.access(dir, fsConstants.W_OK);
  } catch {
    throw new UserError('cannot write the output: the folder is not writable', { source: dir });
  }
}

/**
 * Open the corpus as a byte stream: "-" is stdin; a FIFO is opened with a timeout so that a pipe nobody
 * writes to is reported instead of waiting for ever.
 */
async function openCorpus(corpus: string, fifoTimeoutMs: number): Promise<NodeJS.ReadableStream> {
  if (corpus === '-') {
    return process.stdin;
  }
  await checkReadableFile(corpus, 'corpus');
  const st = await fs.stat(corpus);
  if (st.isFIFO()) {
    // Opened non-blocking, a FIFO reads 0 bytes while no writer has connected, EAGAIN once one is there.
    const fh = await fs.open(corpus, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    const deadline = Date.now() + fifoTimeoutMs;
    const buf = Buffer.alloc(1 << 16);
    for (;;) {
      let got = 0;
      try {
        got = (await fh.read(buf, 0, buf.length, null)).bytesRead;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') {
          await fh.close();
          throw new UserError(`cannot read the corpus: ${(e as Error).message}`, { source: corpus });
        }
        return Readable.from(fifoChunks(fh, Buffer.alloc(0)));
      }
      if (got > 0) return Readable.from(fifoChunks(fh, Buffer.from(buf.subarray(0, got))));
      if (Date.now() > deadline) {
        await fh.close();
        throw new UserError(`cannot read the corpus: a FIFO that nothing wrote to within ${fifoTimeoutMs / 1000} s`, { source: corpus });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return createReadStream(corpus);
}

/** The bytes of a non-blocking FIFO until its writer closes it (EAGAIN: wait a little and read again). */
async function* fifoChunks(fh: fs.FileHandle, first: Buffer): AsyncGenerator<Buffer> {
  try {
    if (first.length > 0) yield first;
    const buf = Buffer.alloc(1 << 16);
    for (;;) {
      let got: number;
      try {
        got = (await fh.read(buf, 0, buf.length, null)).bytesRead;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      if (got === 0) return;
      yield Buffer.from(buf.subarray(0, got));
    }
  } finally {
    await fh.close();
  }
}

/** Count `corpus` (one sentence per line; "-" = stdin), estimate and write `output` as ARPA (atomically). */
export async function buildArpa(corpus: string, output: string, options: BuildOptions & { fifoTimeoutMs?: number }): Promise<BuildResult> {
  if (!Number.isInteger(options.order) || options.order < 2 || options.order > MAX_BUILD_ORDER) {
    throw new UserError(`--order must be an integer from 2 to ${MAX_BUILD_ORDER} (got ${options.order})`);
  }
  const memoryBytes = options.memoryBytes ?? parseMemorySize(DEFAULT_BUILD_MEMORY);
  const tempDir = path.resolve(options.tempDir ?? os.tmpdir());
  if (corpus !== '-') await checkReadableFile(corpus, 'corpus');
  await checkWritableOutput(output);
  sweepStaleSiblings(output);
  try {
    const st = await fs.stat(tempDir);
    if (!st.isDirectory()) throw new Error('not a directory');
    await fs.access(tempDir, fsConstants.W_OK);
  } catch (e) {
    throw new UserError(`-T: cannot use the temporary folder: ${(e as Error).message}`, { source: tempDir });
  }
  sweepStale(tempDir, SPILL_DIR);

  const counter = new NgramCounter(options.order);
  let worker: Worker | undefined;
  const secondThread = options.parallel?.secondThread;
  if (corpus !== '-' && options.order >= 3) {
    const st = await fs.stat(corpus);
    if (st.isFile() && st.size >= (options.parallel?.countMinCorpusBytes ?? PARALLEL_COUNT_MIN_BYTES) && (await useSecondThread(secondThread, idleCoresNow))) {
      worker = startBuildWorker();
      if (worker) counter.startPipeline(worker, options.parallel?.countBatchNumbers);
    }
  }
  // what the process holds before counting (the runtime) is not the tables'
  const tableBudget = Math.max(MIN_TABLE_BYTES, (memoryBytes - process.memoryUsage().rss) * TABLE_SHARE_OF_MEMORY);
  let spillDir: string | undefined;
  let spiller: CountSpiller | undefined;
  let tmpOut: string | undefined;
  const countingMark = idleMark();
  try {
    const stream = await openCorpus(corpus, options.fifoTimeoutMs ?? 10_000);
    let lineNo = 0;
    const where = corpus === '-' ? 'stdin' : corpus;
    await forEachLineBytes(stream, (buf, start, end) => {
      lineNo++;
      counter.addLine(buf, start, end, where, lineNo);
      if (2 * counter.usedBytes() > tableBudget) {
        if (!spiller && worker) {
          // the tables are spilled from this thread and counted here from now on (a bounded-memory build
          // does not keep a second thread's memory)
          counter.joinPipeline();
          void worker.terminate();
          worker = undefined;
        }
        if (!spiller) {
          spillDir = path.join(tempDir, `ctc-lm-build-${process.pid}-${randomBytes(4).toString('hex')}`);
          registerTemp(spillDir);
          mkdirSync(spillDir);
          spiller = new CountSpiller(options.order, spillDir, memoryBytes);
        }
        spiller.spill(counter);
      }
    });
    counter.joinPipeline();
    const stats = { sentences: counter.sentences, tokens: counter.tokens, vocabularySize: counter.words.length };
    if (!spiller) {
      let ngrams = stats.vocabularySize;
      for (let k = 2; k <= options.order; k++) ngrams += counter.tables[k].size;
      const parallelMin = options.parallel?.parallelMinNgrams ?? ARPA_WRITER_DEFAULTS.parallelMinNgrams;
      // the worker thread (started now if counting did not use it: its start-up overlaps estimation)
      // sorts the tables into the ARPA file's order while this thread estimates
      // (a worker that counted is kept: the idle time over counting does not tell, the worker used it)
      const second = ngrams >= parallelMin && (worker !== undefined || (await useSecondThread(secondThread, () => idleCoresSince(countingMark))));
      const writer = second ? (worker ??= startBuildWorker()) : undefined;
      const sorted = writer ? sortInWorker(writer, tablesOf(counter)) : undefined;
      sorted?.catch(() => {}); // (a failure is thrown where writeArpa awaits it)
      const r = estimate(counter, options);
      // (a writer without a worker stays on this thread)
      await writeArpa(r.model, output, { parallelMinNgrams: writer ? parallelMin : Number.POSITIVE_INFINITY, blockLines: options.parallel?.blockLines, worker: writer, sorted });
      return { ...stats, counts: r.counts, discounts: r.discounts, spilled: false };
    }
    tmpOut = tempSibling(output);
    registerTemp(tmpOut);
    const r = await estimateOnDisk(counter, spiller, options, memoryBytes, tmpOut);
    await fs.rename(tmpOut, output);
    releaseTemp(tmpOut);
    tmpOut = undefined;
    return { ...stats, counts: r.counts, discounts: r.discounts, spilled: true };
  } finally {
    if (worker) await worker.terminate();
    if (tmpOut) removeTemp(tmpOut);
    if (spillDir) removeTemp(spillDir);
  }
}
