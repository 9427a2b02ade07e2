import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { align16, ensureBytes, instantiateKernel, type WasmMemory } from '../../src/util/wasm.js';
import { NEMO_MEL_KERNEL_WASM_BASE64 } from '../../src/features/nemo-mel-kernel-wasm.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Kernel {
  source: string;
  target: string;
  name: string;
  what: string;
}

describe('WebAssembly kernels', () => {
  it('instantiate, and their memory grows to what a caller asks', () => {
    const k = instantiateKernel<{ memory: WasmMemory; logFdlibm(x: number): number }>(NEMO_MEL_KERNEL_WASM_BASE64);
    expect(k.logFdlibm(Math.E)).toBe(Math.log(Math.E));
    ensureBytes(k.memory, 200_000);
    expect(k.memory.buffer.byteLength).toBeGreaterThanOrEqual(200_000);
    expect([align16(0), align16(1), align16(16), align16(17)]).toEqual([0, 16, 16, 32]);
  });

  it('the committed bytes are what wasm/*.ts compile to (npm run build:wasm)', async () => {
    const build = (await import(path.join(root, 'wasm', 'build.mjs'))) as {
      KERNELS: Kernel[];
      compileKernel(k: Kernel): Promise<Buffer>;
      moduleText(k: Kernel, b: Buffer): string;
    };
    expect(build.KERNELS.map((k) => k.source).sort()).toEqual(['wasm/nemo-mel-kernel.ts', 'wasm/resample-kernel.ts']);
    for (const kernel of build.KERNELS) {
      const committed = readFileSync(path.join(root, kernel.target), 'utf8');
      expect(build.moduleText(kernel, await build.compileKernel(kernel)), kernel.target).toBe(committed);
    }
  }, 120_000);
});
