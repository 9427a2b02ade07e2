// ctc-ensemble/runtime: an ensemble in worker threads (onnxruntime-node's inference blocks its thread).
export { WorkerPoolEnsemble, workerPoolAvailable, type WorkerPoolEvent, type WorkerPoolOptions } from './worker-pool.js';
export { loadCtcModelInWorker, memberRunSlots, memberWorkersAvailable, useMemberWorkers, MIN_UTTERANCES } from './member-workers.js';
