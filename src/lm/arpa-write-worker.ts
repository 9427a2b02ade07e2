import { parentPort } from 'node:worker_threads';
import { LineFormatter, suffixOrder, type ArpaWorkerReply, type ArpaWorkerRequest } from './arpa-write.js';

/*
 * The second thread of writeArpa (arpa-write.ts). First, while the main thread estimates, it sorts the
 * counted tables into suffix order (the arrays are SharedArrayBuffers: shared, not copied). Then it claims blocks of n-gram lines of the order being
 * printed through a counter it shares with the main thread, prints each into buffers of its own and
 * transfers them back; the main thread writes every block in file order. The tables are
 * SharedArrayBuffers, read here without a copy; the words of the order being printed are filled for
 * this thread's blocks (the next order's lines are printed from them). One block per macrotask, so that
 * recycled buffers arrive in between.
 */

const CHUNK_BYTES = 1 << 20;
const port = parentPort!;
let fmt: LineFormatter | undefined;
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

port.on('message', (m: ArpaWorkerRequest) => {
  try {
    if (m.type === 'sort') post({ type: 'sorted', sorted: suffixOrder(m.recs, m.sizes, m.sizes[1], true) });
    else if (m.type === 'source') fmt = new LineFormatter(m.source);
    else if (m.type === 'order') printBlocks(m);
    else free.push(m.buffer);
  } catch (e) {
    failed(e);
  }
});
