import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { LineFormatter, suffixOrder, type ArpaWorkerReply, type ArpaWorkerRequest } from './arpa-write.js';
import { PipelinedOrders, type CountWorkerRequest } from './count.js';

/*
 * The worker thread of `lm build` (build.ts), doing in turn:
 * 1. counting: the orders above the split of the sentences the reading thread sends in batches
 *    (count.ts, NgramCounter.startPipeline), into tables of its own, handed back at the end;
 * 2. while the main thread estimates: sorting the tables into the ARPA file's suffix order;
 * 3. printing: claims blocks of n-gram lines of the order being printed through a counter it shares
 *    with the main thread, prints each into buffers of its own and transfers them back; the main thread
 *    writes every block in file order (arpa-write.ts). One block per macrotask, so that recycled buffers
 *    arrive in between.
 * The tables are SharedArrayBuffers throughout: shared between the threads, never copied.
 */

const CHUNK_BYTES = 1 << 20;

/**
 * A full garbage collection of this thread's heap. The tables grow by doubling into new
 * SharedArrayBuffers, and the old ones are freed only when the collector runs; their memory does not
 * count towards its triggers and this thread allocates little else, so without it the old arrays (about
 * as large as the live ones) stayed until the end of counting.
 */
const collectGarbage = ((): (() => void) => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
const port = parentPort!;
let fmt: LineFormatter | undefined;
let counting: PipelinedOrders | undefined;
let countStart: Extract<CountWorkerRequest, { type: 'count-start' }> | undefined;
const free: ArrayBuffer[] = [];

function post(m: ArpaWorkerReply, transfer?: ArrayBuffer[]): void {
  port.postMessage(m, transfer);
}

function failed(e: unknown): void {
  post({ type: 'error', message: (e as Error).message, stack: (e as Error).stack });
}

/** Claim and print blocks of the order `o` describes until every block is claimed. */
function printBlocks(o: Extract<ArpaWorkerRequest, { type: 'order' }>): void {
  try {
    const b = Atomics.add(o.claim, 0, 1);
    if (b >= o.blocks) return;
    const f = fmt!;
    const end = Math.min(o.lines, (b + 1) * o.blockLines);
    const buffers: ArrayBuffer[] = [];
    const lengths: number[] = [];
    for (let i = b * o.blockLines; i < end; ) {
      const buf = new Uint8Array(free.pop() ?? new ArrayBuffer(CHUNK_BYTES + f.lineRoom));
      lengths.push(f.format(o.k, i, end, o.prevWords, o.curWords, buf, 0, CHUNK_BYTES));
      i = f.next;
      buffers.push(buf.buffer as ArrayBuffer);
    }
    post({ type: 'block', block: b, buffers, lengths }, buffers);
    setImmediate(printBlocks, o);
  } catch (e) {
    failed(e);
  }
}

function onCount(m: CountWorkerRequest): void {
  try {
    if (m.type === 'count-start') {
      countStart = m;
      counting = new PipelinedOrders(m, collectGarbage);
    } else if (m.type === 'count') counting!.count(new Uint32Array(m.batch), m.length);
    else {
      counting!.end();
      counting = undefined;
    }
  } catch (e) {
    // the reading thread may be blocked waiting for this one: it is told through the shared state
    if (countStart) PipelinedOrders.fail(countStart, e);
    else failed(e);
  }
}

port.on('message', (m: ArpaWorkerRequest | CountWorkerRequest) => {
  if (m.type === 'count-start' || m.type === 'count' || m.type === 'count-end') return onCount(m);
  try {
    if (m.type === 'sort') post({ type: 'sorted', sorted: suffixOrder(m.recs, m.sizes, m.sizes[1], true) });
    else if (m.type === 'source') fmt = new LineFormatter(m.source);
    else if (m.type === 'order') printBlocks(m);
    else free.push(m.buffer);
  } catch (e) {
    failed(e);
  }
});
