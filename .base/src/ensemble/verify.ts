/**
 * Load-time checks of an ensemble folder against its `ensemble.json`.
 *
 * - Each member's ONNX file must still have the sha256 recorded by `ensemble build`: the selector was
 *   trained on that model's confidences, so a changed model (retrained, re-exported, one flipped byte)
 *   would be routed by a selector trained for another one. A mismatch is refused (UserError
 *   `E_ENSEMBLE_MODEL_CHANGED`, naming the member, the file and both checksums) unless
 *   `allowChangedModels` is set, which turns it into one warning per member.
 *   Hashing every model at every start is slow for large models, so each verified file's
 *   (size, mtime, inode) → sha256 is kept in `DIR/.cache/model-checksums.json` (written atomically);
 *   a file whose size, mtime or inode changed is hashed again. A read-only folder just hashes every time.
 * - With `requireLms`, each member LM must be a readable regular file (`ensemble serve` checks at start, so
 *   that `?lm=1` never fails at request time with a missing file).
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { sha256File } from './cache.js';
import { readEnsembleJson, resolveFrom, type EnsembleJson } from './format.js';

export interface EnsembleCheckOptions {
  /** Warn instead of refusing when a member's ONNX file no longer has its recorded sha256. */
  allowChangedModels?: boolean;
  /** Check that every member LM file is present and readable. */
  requireLms?: boolean;
  /** Where warnings go (default: stderr, one line each). */
  warn?: (line: string) => void;
}

export const CHECKSUM_CACHE_FILE = path.join('.cache', 'model-checksums.json');

interface ChecksumCache {
  v: 1;
  files: Record<string, { size: number; mtimeMs: number; ino: number; sha256: string }>;
}

async function readChecksumCache(file: string): Promise<ChecksumCache> {
  try {
    const c = JSON.parse(await fs.readFile(file, 'utf8')) as ChecksumCache;
    if (c && c.v === 1 && c.files && typeof c.files === 'object') return c;
  } catch {
    /* missing or damaged: start again */
  }
  return { v: 1, files: {} };
}

/** sha256 of each file, from the cache when size, mtime and inode are unchanged. */
async function checksums(dir: string, files: string[]): Promise<string[]> {
  const cacheFile = path.join(dir, CHECKSUM_CACHE_FILE);
  const cache = await readChecksumCache(cacheFile);
  let changed = false;
  const out = await Promise.all(
    files.map(async (f) => {
      const st = await fs.stat(f);
      const hit = cache.files[f];
      if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.ino === st.ino) return hit.sha256;
      const sha256 = await sha256File(f);
      cache.files[f] = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256 };
      changed = true;
      return sha256;
    }),
  );
  if (changed) await writeFileAtomic(cacheFile, `${JSON.stringify(cache, null, 1)}\n`).catch(() => undefined);
  return out;
}

/** Compare each member's ONNX file with its recorded sha256 (members without one, or without the file, are left to the loader). */
export async function verifyModelChecksums(dir: string, json: EnsembleJson, options: EnsembleCheckOptions = {}): Promise<void> {
  const members = json.models.filter((m) => typeof m.sha256 === 'string' && /^[0-9a-f]{64}$/.test(m.sha256) && typeof m.onnxFile === 'string');
  const files = members.map((m) => path.join(resolveFrom(dir, m.path), m.onnxFile));
  const present = await Promise.all(
    files.map((f) =>
      fs.stat(f).then(
        (s) => s.isFile(),
        () => false,
      ),
    ),
  );
  const idx = members.map((_, i) => i).filter((i) => present[i]);
  const shas = await checksums(
    dir,
    idx.map((i) => files[i]),
  );
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const problems: string[] = [];
  idx.forEach((i, j) => {
    const m = members[i];
    if (shas[j] === m.sha256) return;
    problems.push(`member "${m.name}": ${files[i]} has sha256 ${shas[j].slice(0, 12)}…, but the ensemble was built with ${m.sha256.slice(0, 12)}…`);
  });
  if (problems.length === 0) return;
  if (options.allowChangedModels) {
    for (const p of problems) warn(`warning: ${p}; using it anyway (--allow-changed-models), the selector may route badly`);
    return;
  }
  throw new UserError(
    `${problems.join('; ')}. The selector was trained on the original model${problems.length > 1 ? 's' : ''}: rebuild the ensemble (\`ensemble build\`), ` +
      'or pass --allow-changed-models to use it anyway',
    { source: dir, code: 'E_ENSEMBLE_MODEL_CHANGED' },
  );
}

/** Every member LM must be a readable regular file. */
export async function checkLanguageModelFiles(dir: string, json: EnsembleJson): Promise<void> {
  const problems: string[] = [];
  for (const m of json.models) {
    if (!m.lm) continue;
    const file = resolveFrom(dir, m.lm.path);
    try {
      const st = await fs.stat(file);
      if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOTFILE' });
      await fs.access(file, fsConstants.R_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not readable' : code === 'ENOTFILE' ? 'is not a file' : (e as Error).message;
      problems.push(`member "${m.name}": language model ${file} ${why}`);
    }
  }
  if (problems.length) {
    throw new UserError(`${problems.join('; ')} (ensemble.json "lm"; fix the path or rebuild the LM)`, { source: dir, code: 'E_LM_MISSING' });
  }
}

/** The checks `Ensemble.load` and `WorkerPoolEnsemble.start` run before loading any model. */
export async function checkEnsembleFiles(dir: string, options: EnsembleCheckOptions = {}): Promise<EnsembleJson> {
  const { json } = await readEnsembleJson(dir);
  if (options.requireLms) await checkLanguageModelFiles(dir, json);
  await verifyModelChecksums(dir, json, options);
  return json;
}
