/** Files that are never seen half-written: a temp file in the same folder (registered in temp-files.ts, so a
 * SIGINT/SIGTERM removes it), then a rename over the target. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { registerTemp, releaseTemp, removeTemp, tempSibling } from './temp-files.js';

/** Write a file so that readers never see it half-written: temp file in the same folder, then rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempSibling(file);
  registerTemp(tmp); // removed on SIGINT/SIGTERM too
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
    releaseTemp(tmp);
  } catch (e) {
    removeTemp(tmp);
    throw e;
  }
}
