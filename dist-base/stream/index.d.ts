export { CloseCode, StreamError, parseStartMessage, parseControlMessage, decodePcm } from './protocol.js';
export type { StartMessage, ServerMessage, PcmEncoding, StreamVadOptions, StreamLimits } from './protocol.js';
export { LiveSession, type LiveSessionOptions, type LiveTranscriber } from './session.js';
export { streamAudio, streamUrl, type StreamClientOptions, type StreamClientResult } from './client.js';
