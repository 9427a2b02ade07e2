// ctc-ensemble/stream: live transcription (the protocol of GET /v1/stream, the per-stream session, a client).
export { CloseCode, StreamError, parseStartMessage, parseControlMessage, decodePcm } from './protocol.js';
export { LiveSession } from './session.js';
export { streamAudio, streamUrl } from './client.js';
//# sourceMappingURL=index.js.map