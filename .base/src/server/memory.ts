/**
 * The memory a serving configuration may need, checked at start-up (`ensemble serve` refuses settings that
 * cannot fit). Estimates, deliberately generous, from what a request holds:
 *
 * - per request: its body in the HTTP thread and the copy handed to the worker (2 × maxBodyBytes), plus
 *   one speech segment's working memory (samples, resampled copies, features, activations, posteriors:
 *   `SEGMENT_BYTES_PER_SECOND` × the maximum segment length). Audio is streamed, so the audio's length
 *   does not enter; ffmpeg (for non-WAV uploads) runs as a separate process with its own copy of the body.
 * - per worker thread: its copy of the ensemble (≈ 3 × the ONNX files for weights and ONNX Runtime's
 *   arenas, + the LM files when preloaded) and a V8 heap floor.
 * - the process: Node, ONNX Runtime, the HTTP thread.
 *
 * Measured on the demo ensemble (`/usr/bin/time -v ensemble infer`, README "Long recordings"): 181 MB peak
 * for a 3 s file, 233 MB for a 13 s segment with the LM — about 4 MB per second of segment; the estimate
 * uses 8 MB/s to leave room for larger members.
 */
import { statSync } from 'node:fs';

export const SEGMENT_BYTES_PER_SECOND = 8 * 1024 * 1024;
const WORKER_FLOOR = 40 * 1024 * 1024;
const PROCESS_BASE = 150 * 1024 * 1024;

export interface MemoryPlan {
  perRequest: number;
  perWorker: number;
  total: number;
}

function size(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Bytes one request may hold at most (see the module header). */
export function requestMemoryBytes(maxBodyBytes: number, maxSegmentSeconds: number): number {
  return 2 * maxBodyBytes + Math.ceil(maxSegmentSeconds * SEGMENT_BYTES_PER_SECOND);
}

/** Bytes of one worker's ensemble copy, from its files. */
export function workerMemoryBytes(onnxFiles: readonly string[], lmFiles: readonly string[]): number {
  return WORKER_FLOOR + 3 * onnxFiles.reduce((a, f) => a + size(f), 0) + lmFiles.reduce((a, f) => a + size(f), 0);
}

export function memoryPlan(o: { concurrency: number; workers: number; maxBodyBytes: number; maxSegmentSeconds: number; perWorker: number }): MemoryPlan {
  const perRequest = requestMemoryBytes(o.maxBodyBytes, o.maxSegmentSeconds);
  return { perRequest, perWorker: o.perWorker, total: PROCESS_BASE + o.concurrency * perRequest + Math.max(1, o.workers) * o.perWorker };
}

export const mb = (n: number): string => `${Math.round(n / (1024 * 1024))} MB`;
