// ctc-ensemble/server: the HTTP service of `ensemble serve`.
export { createApp, parseTranscribeQuery, redactMessage } from './app.js';
export { startServer } from './server.js';
export { SERVING_DEFAULTS } from '../defaults.js';
//# sourceMappingURL=index.js.map