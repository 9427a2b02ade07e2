import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests/helpers/ is two levels down). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `../shared` beside the checkout holds the reference outputs of the real tools. Tests that need it
 * use `describe.skipIf(!sharedAvailable)` so a checkout without it skips those cases cleanly.
 */
export const sharedDir = process.env.CTC_ENSEMBLE_SHARED ?? path.resolve(repoRoot, '..', 'shared');
export const sharedAvailable = existsSync(path.join(sharedDir, 'golden'));
export const sharedPath = (...parts: string[]): string => path.join(sharedDir, ...parts);
if (!sharedAvailable) {
  console.warn(`[tests] ${sharedDir} not found: golden-vector cases are skipped`);
}
