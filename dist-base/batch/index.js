// ctc-ensemble/batch: batch transcription and evaluation on a Redis job queue (BullMQ).
export { BATCH_DEFAULTS } from './defaults.js';
export { ensembleIdentity } from './identity.js';
export { submitBatch, jobIdOf, checkBatchName } from './jobs.js';
export { batchStatus, collectBatch, retryFailed } from './report.js';
export { BatchWorker, fetchAudio } from './worker.js';
export { QueueTranscriber } from './queue-transcriber.js';
export { connectRedis, parseRedisUrl } from './connection.js';
//# sourceMappingURL=index.js.map