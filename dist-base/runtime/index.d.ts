export { WorkerPoolEnsemble, workerPoolAvailable, type WorkerPoolEvent, type WorkerPoolOptions } from './worker-pool.js';
export { loadCtcModelInWorker, memberWorkersAvailable, useMemberWorkers, MIN_UTTERANCES } from './member-workers.js';
