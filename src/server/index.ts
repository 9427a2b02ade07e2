// ctc-ensemble/server: the HTTP service of `ensemble serve`.
export { createApp, parseTranscribeQuery } from './app.js';
export type { Transcriber, AppOptions, EnsembleApp, ServiceControl, LoadState } from './app.js';
export { startServer, type ServerOptions, type RunningServer } from './server.js';
export { SERVING_DEFAULTS } from '../defaults.js';
