import { Writable } from 'node:stream';

/** A log stream for the server under test: every JSON line it writes, parsed. */
export function logSink(): { stream: Writable; lines: () => Array<Record<string, any>> } {
  const buf: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      buf.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, lines: () => buf.map((l) => JSON.parse(l)) };
}
