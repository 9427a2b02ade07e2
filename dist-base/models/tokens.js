/** The byte of a SentencePiece byte-fallback token `<0xNN>` (sherpa-onnx reassembles these as UTF-8), else undefined. */
export function byteFallbackValue(token) {
    const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
    return m ? parseInt(m[1], 16) : undefined;
}
//# sourceMappingURL=tokens.js.map