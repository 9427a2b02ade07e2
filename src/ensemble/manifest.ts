/**
 * NeMo JSONL manifests: one JSON object per line with `audio_filepath` (a relative path names the file beside
 * the manifest when it exists, else the path as written from the working directory, `~` expanded: NeMo's
 * get_full_path), optional `duration` and `text`. Blank lines are skipped.
 */
import { existsSync, promises as fs, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../util/errors.js';

export interface ManifestEntry {
  /** Absolute audio path. */
  audioPath: string;
  /** `audio_filepath` exactly as written in the manifest. */
  audioFilepath: string;
  duration: number | null;
  /**
   * NeMo `offset` (seconds into the file), when present: the entry is the span offset … offset + duration
   * (to the end without duration). Without it the entry is the whole file (`duration` is informational,
   * as in the manifests NeMo writes).
   */
  offset: number | null;
  /** Reference text, when present. */
  text: string | null;
  /** 1-based line number in the manifest. */
  line: number;
  /** The whole JSON object of the line. */
  raw: Record<string, unknown>;
}

export interface Manifest {
  file: string;
  entries: ManifestEntry[];
  /** Every line as Python's `readlines()` sees it (NeMo's subsampling picks among these). */
  lineCount: number;
}

export interface ManifestOptions {
  /** Key of the audio path (NeMo `audio_key`). */
  audioKey?: string;
  /** Key of the reference text (NeMo `gt_text_attr_name`). */
  textKey?: string;
  /** Fail when an audio file does not exist (all missing ones listed in one error). Default true. */
  checkAudio?: boolean;
  /** Require `text` on every line. */
  requireText?: boolean;
  /** Working directory for audio paths that are not beside the manifest (default process.cwd()). */
  cwd?: string;
}

/** Split text into lines the way Python's `str.readlines()` does for the newline characters NeMo meets. */
export function pythonLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // text mode with universal newlines: \n, \r, \r\n
    if (c === 10 || c === 13) {
      const end = c === 13 && text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
      lines.push(text.slice(start, end));
      start = end;
      i = end - 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** Parse one manifest line; null for a blank line. Throws UserError with `file:line`. */
export function parseManifestLine(line: string, lineNo: number, file: string, options: ManifestOptions = {}): ManifestEntry | null {
  const audioKey = options.audioKey ?? 'audio_filepath';
  const textKey = options.textKey ?? 'text';
  const trimmed = line.trim();
  if (trimmed === '') return null;
  const where = `${file}:${lineNo}`;
  let obj: unknown;
  try {
    obj = JSON.parse(trimmed);
  } catch (e) {
    throw new UserError(`not valid JSON (${(e as Error).message})`, { source: where, code: 'E_MANIFEST' });
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new UserError('each line must be a JSON object', { source: where, code: 'E_MANIFEST' });
  }
  const rec = obj as Record<string, unknown>;
  const audio = rec[audioKey];
  if (typeof audio !== 'string' || audio === '') {
    throw new UserError(`missing "${audioKey}" (a non-empty string)`, { source: where, code: 'E_MANIFEST' });
  }
  let duration: number | null = null;
  if (rec.duration !== undefined && rec.duration !== null) {
    if (typeof rec.duration !== 'number' || !Number.isFinite(rec.duration) || rec.duration < 0) {
      throw new UserError(`"duration" must be a non-negative number, got ${JSON.stringify(rec.duration)}`, {
        source: where,
        code: 'E_MANIFEST',
      });
    }
    duration = rec.duration;
  }
  let offset: number | null = null;
  if (rec.offset !== undefined && rec.offset !== null) {
    if (typeof rec.offset !== 'number' || !Number.isFinite(rec.offset) || rec.offset < 0) {
      throw new UserError(`"offset" must be a non-negative number of seconds, got ${JSON.stringify(rec.offset)}`, { source: where, code: 'E_MANIFEST' });
    }
    offset = rec.offset;
  }
  let text: string | null = null;
  if (rec[textKey] !== undefined && rec[textKey] !== null) {
    if (typeof rec[textKey] !== 'string') {
      throw new UserError(`"${textKey}" must be a string`, { source: where, code: 'E_MANIFEST' });
    }
    text = rec[textKey] as string;
  } else if (options.requireText) {
    throw new UserError(`missing "${textKey}" (needed here for WER)`, { source: where, code: 'E_MANIFEST' });
  }
  return { audioPath: resolveAudioPath(audio, file, options.cwd), audioFilepath: audio, duration, offset, text, line: lineNo, raw: rec };
}

/**
 * NeMo's `get_full_path` (nemo/collections/common/parts/preprocessing/manifest.py): a relative path names a file
 * beside the manifest when one exists there; otherwise it is taken as written (relative to the working directory)
 * with `~` expanded. Absolute paths are used as they are.
 */
export function resolveAudioPath(audio: string, manifestFile: string, cwd = process.cwd()): string {
  if (path.isAbsolute(audio)) return audio;
  const besideManifest = path.resolve(path.dirname(path.resolve(cwd, manifestFile)), audio);
  if (isFile(besideManifest)) return besideManifest;
  const home = process.env.HOME ?? os.homedir();
  const expanded = audio === '~' ? home : audio.startsWith('~/') ? path.join(home, audio.slice(2)) : audio;
  return path.resolve(cwd, expanded);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Parse manifest text (all lines). */
export function parseManifest(text: string, file: string, options: ManifestOptions = {}): Manifest {
  const lines = pythonLines(text.startsWith('\ufeff') ? text.slice(1) : text);
  const entries: ManifestEntry[] = [];
  lines.forEach((l, i) => {
    const e = parseManifestLine(l, i + 1, file, options);
    if (e) entries.push(e);
  });
  return { file, entries, lineCount: lines.length };
}

/** Throws one UserError listing every missing audio file. */
export function checkAudioFiles(m: Manifest): void {
  const missing = m.entries.filter((e) => !existsSync(e.audioPath));
  if (missing.length === 0) return;
  const dir = path.dirname(path.resolve(m.file));
  const shown = missing
    .slice(0, 50)
    .map((e) =>
      path.isAbsolute(e.audioFilepath)
        ? `  line ${e.line}: ${e.audioPath}`
        : `  line ${e.line}: ${e.audioFilepath} (neither ${path.join(dir, e.audioFilepath)} nor ${e.audioPath})`,
    );
  if (missing.length > 50) shown.push(`  … and ${missing.length - 50} more`);
  throw new UserError(`${missing.length} audio file(s) not found:\n${shown.join('\n')}`, {
    source: m.file,
    code: 'E_MANIFEST_AUDIO',
  });
}

export async function loadManifest(file: string, options: ManifestOptions = {}): Promise<Manifest> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read the manifest: ${(e as Error).message}`, { source: file, code: 'E_MANIFEST' });
  }
  const m = parseManifest(text, file, options);
  if (options.checkAudio !== false) checkAudioFiles(m);
  return m;
}

/**
 * NeMo's `subsample_manifest`: `random.sample(lines, max_samples)` when the file has more lines than
 * `max_samples` (lines as `readlines()` returns them, blank ones included), else file order.
 * `sampleIndices` is the shared RNG's `sample` over `range(n)`.
 * Returns the chosen entries in sample order (blank lines picked by the sample are dropped, as NeMo's
 * manifest reader skips them).
 */
export function subsampleManifest(m: Manifest, maxSamples: number, sampleIndices: (n: number, k: number) => number[]): ManifestEntry[] {
  if (!(maxSamples < m.lineCount)) return m.entries.slice();
  const byLine = new Map<number, ManifestEntry>();
  for (const e of m.entries) byLine.set(e.line, e);
  const out: ManifestEntry[] = [];
  for (const i of sampleIndices(m.lineCount, maxSamples)) {
    const e = byLine.get(i + 1);
    if (e) out.push(e);
  }
  return out;
}

/**
 * Refuses a manifest with NeMo `offset` spans where whole files are read (`ensemble build`, `tune-lm`): NeMo's
 * build_ensemble.py transcribes `audio_filepath` alone, and so do these, so a span would silently become its whole
 * file (and a long recording a single utterance). An offset of 0 passes (manifest tools often write it for whole
 * files; its `duration` is then informational, as in NeMo's build). `what` names the reader in the message.
 */
export function requireWholeFiles(manifest: Manifest, what: string): void {
  const e = manifest.entries.find((x) => x.offset !== null && x.offset > 0);
  if (!e) return;
  throw new UserError(
    `"offset" ${e.offset}: ${what} reads whole audio files, as NeMo's build_ensemble.py does (it transcribes audio_filepath only), ` +
      'so this entry would be its whole file, not the span; cut the span into a file of its own (infer and eval honour offset/duration)',
    { source: `${manifest.file}:${e.line}`, code: 'E_MANIFEST' },
  );
}
