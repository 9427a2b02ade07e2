import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Vitest global setup: every temporary file of a test run (the tests' own mkdtemp folders, the CLI
 * children's, the server's spill files) goes under one folder that is removed when the run ends, so
 * a run leaves nothing in the system temp folder even when a test fails before its own cleanup.
 * `os.tmpdir()` reads TMPDIR at each call, and the test workers and their child processes inherit it.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(path.join(os.tmpdir(), 'ctc-tests-'));
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
