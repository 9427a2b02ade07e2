// ctc-ensemble/stream: live transcription (the protocol of GET /v1/stream, the per-stream session, a client).
export { CloseCode, StreamError, parseStartMessage, parseControlMessage, decodePcm, startRouting } from './protocol.js';
export type { StartMessage, ServerMessage, PcmEncoding, StreamVadOptions, StreamLimits } from './protocol.js';
export { LiveSession, type LiveSessionOptions, type LiveTranscriber } from './session.js';
export { streamAudio, streamUrl, type StreamClientOptions, type StreamClientResult } from './client.js';
