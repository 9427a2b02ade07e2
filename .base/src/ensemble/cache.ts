/**
 * Resumable cache of `ensemble build`: per (model fingerprint, audio sha256) the utterance's confidences
 * for every spec the build may need (the 144-spec tuning grid, the configured spec, a custom grid), not
 * the posteriors. One small JSON file per entry, written atomically, so an interrupted build resumes
 * with every finished model × utterance pass intact.
 *
 * Layout: `<cacheDir>/<fingerprint>/<aa>/<audio sha256>.json`, where the fingerprint is the sha256 of
 * the model's ONNX checksum, its front-end configuration, vocabulary, blank id, the temperature and the
 * cache format version (so changing any of them never reuses stale values).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { ONNX_NAMES } from '../models/load.js';
import type { CtcModel } from '../models/types.js';
import { writeFileAtomic } from '../util/atomic.js';

export const CACHE_VERSION = 1;

export interface CacheEntry {
  v: number;
  /** Valid (trimmed) output frames of the utterance. */
  frames: number;
  /** specKey → confidence. */
  conf: Record<string, number>;
}

const fileHashes = new Map<string, Promise<string>>();

/** sha256 (hex) of a file, streamed; memoised per path + size + mtime. */
export async function sha256File(file: string): Promise<string> {
  const st = await fs.stat(file);
  const key = `${path.resolve(file)}|${st.size}|${st.mtimeMs}`;
  let p = fileHashes.get(key);
  if (!p) {
    p = new Promise<string>((resolve, reject) => {
      const h = createHash('sha256');
      createReadStream(file)
        .on('data', (chunk) => h.update(chunk))
        .on('error', reject)
        .on('end', () => resolve(h.digest('hex')));
    });
    fileHashes.set(key, p);
    p.catch(() => fileHashes.delete(key));
  }
  return p;
}

export function sha256Bytes(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The ONNX file of a model folder (the model's own `onnxFile` when it exposes one). */
export function onnxFileOf(model: CtcModel): string {
  if (model.onnxFile !== undefined) return model.onnxFile;
  for (const n of ONNX_NAMES) {
    const f = path.join(model.dir, n);
    if (existsSync(f)) return f;
  }
  throw new Error(`no model.onnx in ${model.dir}`);
}

export function modelFingerprint(model: CtcModel, onnxSha256: string, temperature: number): string {
  return sha256Bytes(
    JSON.stringify({
      v: CACHE_VERSION,
      onnx: onnxSha256,
      frontEnd: model.frontEnd,
      vocabulary: model.vocabulary,
      blankId: model.blankId,
      layout: model.layout,
      temperature,
    }),
  );
}

export class ConfidenceCache {
  constructor(readonly dir: string | null) {}

  private file(fingerprint: string, audioSha: string): string {
    return path.join(this.dir!, fingerprint.slice(0, 24), audioSha.slice(0, 2), `${audioSha}.json`);
  }

  /** The entry when it exists and holds every key in `needed`; null otherwise. */
  async get(fingerprint: string, audioSha: string, needed: readonly string[]): Promise<CacheEntry | null> {
    if (!this.dir) return null;
    let text: string;
    try {
      text = await fs.readFile(this.file(fingerprint, audioSha), 'utf8');
    } catch {
      return null;
    }
    let e: CacheEntry;
    try {
      e = JSON.parse(text) as CacheEntry;
    } catch {
      return null; // a damaged entry is recomputed
    }
    if (!e || e.v !== CACHE_VERSION || typeof e.conf !== 'object' || e.conf === null) return null;
    for (const k of needed) if (typeof e.conf[k] !== 'number') return null;
    return e;
  }

  async put(fingerprint: string, audioSha: string, entry: CacheEntry): Promise<void> {
    if (!this.dir) return;
    await writeFileAtomic(this.file(fingerprint, audioSha), JSON.stringify(entry));
  }
}
