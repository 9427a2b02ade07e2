// ctc-ensemble/server: the HTTP service of `ensemble serve`.
export { createApp, parseTranscribeQuery, redactMessage } from './app.js';
export type { Transcriber, AppOptions, EnsembleApp, ServiceControl, LoadState } from './app.js';
export { startServer, type ServerOptions, type RunningServer, type StopResult } from './server.js';
export { SERVING_DEFAULTS } from '../defaults.js';
