export declare const SEGMENT_BYTES_PER_SECOND: number;
export interface MemoryPlan {
    perRequest: number;
    perWorker: number;
    total: number;
}
/** Bytes one request may hold at most (see the module header). */
export declare function requestMemoryBytes(maxBodyBytes: number, maxSegmentSeconds: number): number;
/** Bytes of one worker's ensemble copy, from its files. */
export declare function workerMemoryBytes(onnxFiles: readonly string[], lmFiles: readonly string[]): number;
export declare function memoryPlan(o: {
    concurrency: number;
    workers: number;
    maxBodyBytes: number;
    maxSegmentSeconds: number;
    perWorker: number;
}): MemoryPlan;
export declare const mb: (n: number) => string;
