/**
 * NeMo JSONL manifests: one JSON object per line with `audio_filepath` (a relative path names the file beside
 * the manifest when it exists, else the path as written from the working directory, `~` expanded: NeMo's
 * get_full_path), optional `duration` and `text`. Blank lines are skipped.
 */
import { existsSync, promises as fs, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../util/errors.js';
/** Split text into lines the way Python's `str.readlines()` does for the newline characters NeMo meets. */
export function pythonLines(text) {
    const lines = [];
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
    if (start < text.length)
        lines.push(text.slice(start));
    return lines;
}
/** Parse one manifest line; null for a blank line. Throws UserError with `file:line`. */
export function parseManifestLine(line, lineNo, file, options = {}) {
    const audioKey = options.audioKey ?? 'audio_filepath';
    const textKey = options.textKey ?? 'text';
    const trimmed = line.trim();
    if (trimmed === '')
        return null;
    const where = `${file}:${lineNo}`;
    let obj;
    try {
        obj = JSON.parse(trimmed);
    }
    catch (e) {
        throw new UserError(`not valid JSON (${e.message})`, { source: where, code: 'E_MANIFEST' });
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
        throw new UserError('each line must be a JSON object', { source: where, code: 'E_MANIFEST' });
    }
    const rec = obj;
    const audio = rec[audioKey];
    if (typeof audio !== 'string' || audio === '') {
        throw new UserError(`missing "${audioKey}" (a non-empty string)`, { source: where, code: 'E_MANIFEST' });
    }
    let duration = null;
    if (rec.duration !== undefined && rec.duration !== null) {
        if (typeof rec.duration !== 'number' || !Number.isFinite(rec.duration) || rec.duration < 0) {
            throw new UserError(`"duration" must be a non-negative number, got ${JSON.stringify(rec.duration)}`, {
                source: where,
                code: 'E_MANIFEST',
            });
        }
        duration = rec.duration;
    }
    let offset = null;
    if (rec.offset !== undefined && rec.offset !== null) {
        if (typeof rec.offset !== 'number' || !Number.isFinite(rec.offset) || rec.offset < 0) {
            throw new UserError(`"offset" must be a non-negative number of seconds, got ${JSON.stringify(rec.offset)}`, { source: where, code: 'E_MANIFEST' });
        }
        offset = rec.offset;
    }
    let text = null;
    if (rec[textKey] !== undefined && rec[textKey] !== null) {
        if (typeof rec[textKey] !== 'string') {
            throw new UserError(`"${textKey}" must be a string`, { source: where, code: 'E_MANIFEST' });
        }
        text = rec[textKey];
    }
    else if (options.requireText) {
        throw new UserError(`missing "${textKey}" (needed here for WER)`, { source: where, code: 'E_MANIFEST' });
    }
    return { audioPath: resolveAudioPath(audio, file, options.cwd), audioFilepath: audio, duration, offset, text, line: lineNo, raw: rec };
}
/**
 * NeMo's `get_full_path` (nemo/collections/common/parts/preprocessing/manifest.py): a relative path names a file
 * beside the manifest when one exists there; otherwise it is taken as written (relative to the working directory)
 * with `~` expanded. Absolute paths are used as they are.
 */
export function resolveAudioPath(audio, manifestFile, cwd = process.cwd()) {
    if (path.isAbsolute(audio))
        return audio;
    const besideManifest = path.resolve(path.dirname(path.resolve(cwd, manifestFile)), audio);
    if (isFile(besideManifest))
        return besideManifest;
    const home = process.env.HOME ?? os.homedir();
    const expanded = audio === '~' ? home : audio.startsWith('~/') ? path.join(home, audio.slice(2)) : audio;
    return path.resolve(cwd, expanded);
}
function isFile(p) {
    try {
        return statSync(p).isFile();
    }
    catch {
        return false;
    }
}
/** Parse manifest text (all lines). */
export function parseManifest(text, file, options = {}) {
    const lines = pythonLines(text.startsWith('\ufeff') ? text.slice(1) : text);
    const entries = [];
    lines.forEach((l, i) => {
        const e = parseManifestLine(l, i + 1, file, options);
        if (e)
            entries.push(e);
    });
    return { file, entries, lineCount: lines.length };
}
/** Throws one UserError listing every missing audio file. */
export function checkAudioFiles(m) {
    const missing = m.entries.filter((e) => !existsSync(e.audioPath));
    if (missing.length === 0)
        return;
    const dir = path.dirname(path.resolve(m.file));
    const shown = missing
        .slice(0, 50)
        .map((e) => path.isAbsolute(e.audioFilepath)
        ? `  line ${e.line}: ${e.audioPath}`
        : `  line ${e.line}: ${e.audioFilepath} (neither ${path.join(dir, e.audioFilepath)} nor ${e.audioPath})`);
    if (missing.length > 50)
        shown.push(`  … and ${missing.length - 50} more`);
    throw new UserError(`${missing.length} audio file(s) not found:\n${shown.join('\n')}`, {
        source: m.file,
        code: 'E_MANIFEST_AUDIO',
    });
}
export async function loadManifest(file, options = {}) {
    let text;
    try {
        text = await fs.readFile(file, 'utf8');
    }
    catch (e) {
        throw new UserError(`cannot read the manifest: ${e.message}`, { source: file, code: 'E_MANIFEST' });
    }
    const m = parseManifest(text, file, options);
    if (options.checkAudio !== false)
        checkAudioFiles(m);
    return m;
}
/**
 * NeMo's `subsample_manifest`: `random.sample(lines, max_samples)` when the file has more lines than
 * `max_samples` (lines as `readlines()` returns them, blank ones included), else file order.
 * `sampleIndices` is the shared RNG's `sample` over `range(n)`.
 * Returns the chosen entries in sample order (blank lines picked by the sample are dropped, as NeMo's
 * manifest reader skips them).
 */
export function subsampleManifest(m, maxSamples, sampleIndices) {
    if (!(maxSamples < m.lineCount))
        return m.entries.slice();
    const byLine = new Map();
    for (const e of m.entries)
        byLine.set(e.line, e);
    const out = [];
    for (const i of sampleIndices(m.lineCount, maxSamples)) {
        const e = byLine.get(i + 1);
        if (e)
            out.push(e);
    }
    return out;
}
//# sourceMappingURL=manifest.js.map