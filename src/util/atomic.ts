/**
 * Files that are never seen half-written, and temp files that do not outlive their writer.
 *
 * Writers put the data in `FILE.<pid>.<8 hex>.tmp` next to the target and rename it over the target.
 * Every temp file being written is registered here, so that:
 * - `removeTempFilesOnSignal()` (installed by commands that write files: `ensemble build`, `lm build`)
 *   deletes them on SIGINT/SIGTERM before the process dies of that signal;
 * - `sweepStaleTempFiles(dir)` (run by those commands at start) deletes temp files whose writer process
 *   is gone (a SIGKILL, a power cut), and never those of a writer still running.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, rmSync } from 'node:fs';
import path from 'node:path';

const live = new Set<string>();

/** `FILE.<pid>.<8 hex>.tmp`: the pid lets a later run tell a stale temp file from a live one. */
const TEMP_NAME = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** A fresh temp path next to `file` (not registered: see `trackTempFile`). */
export function tempPathFor(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Register a temp file being written (removed on SIGINT/SIGTERM); call the returned function once it is renamed or deleted. */
export function trackTempFile(file: string): () => void {
  const p = path.resolve(file);
  live.add(p);
  return () => {
    live.delete(p);
  };
}

/** Temp files registered now (for tests and diagnostics). */
export function trackedTempFiles(): string[] {
  return [...live];
}

/** Delete every registered temp file, synchronously (usable from signal and exit handlers). */
export function removeTrackedTempFilesSync(): void {
  for (const p of live) {
    try {
      rmSync(p, { force: true });
    } catch {
      /* already gone or not ours to remove */
    }
  }
  live.clear();
}

let signalHandlers: { sig: NodeJS.Signals; fn: () => void }[] | null = null;

/**
 * On SIGINT/SIGTERM, delete the registered temp files, then die of the same signal as if unhandled (so
 * the exit status stays 130/143). A writer racing the handler may still create its file afterwards;
 * the next run's `sweepStaleTempFiles` removes it. Returns a function that uninstalls the handlers.
 */
export function removeTempFilesOnSignal(): () => void {
  if (!signalHandlers) {
    signalHandlers = (['SIGINT', 'SIGTERM'] as const).map((sig) => {
      const fn = (): void => {
        removeTrackedTempFilesSync();
        process.off(sig, fn);
        // Re-raise only when nothing else handles it; otherwise the other handler decides.
        if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      };
      process.on(sig, fn);
      return { sig, fn };
    });
  }
  return () => {
    for (const { sig, fn } of signalHandlers ?? []) process.off(sig, fn);
    signalHandlers = null;
  };
}

function processIsRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Delete `*.<pid>.<hex>.tmp` files in `dir` (and below with `recursive`) whose writer process no longer
 * runs. Returns how many were removed; a missing folder is not an error.
 */
export async function sweepStaleTempFiles(dir: string, options: { recursive?: boolean } = {}): Promise<number> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let removed = 0;
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (options.recursive) removed += await sweepStaleTempFiles(p, options);
      continue;
    }
    const m = TEMP_NAME.exec(e.name);
    if (!m || !e.isFile() || processIsRunning(Number(m[1]))) continue;
    await fs.rm(p, { force: true }).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

/** Write a file so that readers never see it half-written: temp file in the same folder, then rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempPathFor(file);
  const untrack = trackTempFile(tmp);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  } finally {
    untrack();
  }
}
