/** The byte of a SentencePiece byte-fallback token `<0xNN>` (sherpa-onnx reassembles these as UTF-8), else undefined. */
export declare function byteFallbackValue(token: string): number | undefined;
