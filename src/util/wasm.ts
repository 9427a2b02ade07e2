/**
 * Loading the project's WebAssembly kernels (wasm/*.ts, compiled by `npm run build:wasm` into base64 modules):
 * synchronous instantiation (the modules are a few KiB) and a growable scratch memory laid out by the caller.
 * WebAssembly with SIMD is part of every Node ≥ 16.4, so the kernels have no JavaScript fallback.
 */

/** The few WebAssembly JS API members used here (the project's `lib` has no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** The exports of a kernel compiled from base64 bytes (one instance per call: keep it, one per thread). */
export function instantiateKernel<T extends { memory: WasmMemory }>(base64: string): T {
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  return new api.Instance(new api.Module(Buffer.from(base64, 'base64')), {}).exports as T;
}

/** Rounds a byte offset up to a multiple of 16 (v128 alignment). */
export const align16 = (n: number): number => (n + 15) & ~15;

/** Grows `memory` to at least `bytes`. */
export function ensureBytes(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}
