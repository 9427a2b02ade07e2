import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
/*
 * Temporary files and folders that must not outlive the process: removed by their owner on success or
 * error, and by a SIGINT/SIGTERM handler that then re-raises the signal, so the exit status stays the
 * signal's — unless the process has its own handler for it (a server shutting down gracefully), which then
 * stays in charge. The handler is installed with the first registration and stays: Node delivers a signal to
 * its listeners one event-loop turn after it arrives, so a handler removed when the last temp file was released
 * in between would swallow that signal (a Ctrl-C during `ensemble build`, which writes a cache file per
 * utterance, was sometimes ignored). With nothing registered it only re-raises: Node's default. A SIGKILL cannot
 * be caught: names carry the pid, so a later run sweeps what a dead process left (sweepStale).
 */
const live = new Set();
let installed = false;
function onSignal(signal) {
    // Another handler (e.g. `serve`'s graceful shutdown) owns this signal: the writers finish or clean up.
    if (process.listenerCount(signal) > 1)
        return;
    removeAllNow();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    installed = false;
    process.kill(process.pid, signal);
}
function removeAllNow() {
    for (const p of live)
        rmSync(p, { recursive: true, force: true });
    live.clear();
}
/** Remove `p` (file or folder) if this process is interrupted before release() is called. */
export function registerTemp(p) {
    live.add(p);
    if (!installed) {
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        installed = true;
    }
}
/** Forget `p` (after it was renamed into place or removed). */
export function releaseTemp(p) {
    live.delete(p);
}
/** Paths registered now (for tests and diagnostics). */
export function registeredTemps() {
    return [...live];
}
/** Remove `p` now and forget it. */
export function removeTemp(p) {
    rmSync(p, { recursive: true, force: true });
    releaseTemp(p);
}
/** Temp name beside `file` for an atomic write: `FILE.<pid>.<8 hex>.tmp`. */
export function tempSibling(file) {
    return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}
function pidAlive(pid) {
    if (pid === process.pid)
        return true;
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (e) {
        return e.code === 'EPERM';
    }
}
/**
 * Remove entries of `dir` whose name matches `pattern` (its first group the owner's pid) and whose
 * process is gone: leftovers of a killed run. Returns the removed paths.
 */
export function sweepStale(dir, pattern) {
    let names;
    try {
        names = readdirSync(dir);
    }
    catch {
        return [];
    }
    const removed = [];
    for (const name of names) {
        const m = pattern.exec(name);
        if (!m || pidAlive(Number(m[1])))
            continue;
        const p = path.join(dir, name);
        rmSync(p, { recursive: true, force: true });
        removed.push(p);
    }
    return removed;
}
/** Leftover atomic-write temp files of `file` (FILE.<pid>.<hex>.tmp) from processes that are gone. */
export function sweepStaleSiblings(file) {
    const base = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return sweepStale(path.dirname(path.resolve(file)), new RegExp(`^${base}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`));
}
/** `FILE.<pid>.<8 hex>.tmp`, the names `tempSibling` makes. */
const TEMP_NAME = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;
/**
 * Delete the temp files (`*.<pid>.<hex>.tmp`) in `dir`, and below it with `recursive`, whose writer process is
 * gone (a SIGKILL, a power cut); never those of a writer still running. Returns how many were removed; a
 * missing folder is not an error.
 */
export function sweepStaleTempFiles(dir, options = {}) {
    let removed = sweepStale(dir, TEMP_NAME).length;
    if (!options.recursive)
        return removed;
    let entries;
    try {
        entries = readdirSync(dir, { withFileTypes: true });
    }
    catch {
        return removed;
    }
    for (const e of entries)
        if (e.isDirectory())
            removed += sweepStaleTempFiles(path.join(dir, e.name), options);
    return removed;
}
//# sourceMappingURL=temp-files.js.map