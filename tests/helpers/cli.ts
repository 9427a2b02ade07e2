/**
 * Run the built CLI (`node dist/cli/main.js …`) from tests. `ensureBuilt()` rebuilds `dist/` with tsc
 * when dist/cli/main.js is missing or older than any file under src/; concurrent test processes
 * serialise the build with a lock folder (.cache/build.lock), so each builds at most once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './shared.js';

export const cliPath = path.join(repoRoot, 'dist', 'cli', 'main.js');
const lockDir = path.join(repoRoot, '.cache', 'build.lock');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  if (!existsSync(cliPath)) return true;
  const srcNewest = Math.max(newestMtime(path.join(repoRoot, 'src')), statSync(path.join(repoRoot, 'tsconfig.json')).mtimeMs);
  return statSync(cliPath).mtimeMs < srcNewest;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function acquireLock(): Promise<void> {
  mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > 180_000) rmSync(lockDir, { recursive: true, force: true });
      } catch {
        /* removed meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lockDir}`);
      await sleep(200);
    }
  }
}

function build(): void {
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: repoRoot, encoding: 'utf8' });
  if (!existsSync(cliPath)) {
    throw new Error(`tsc did not produce ${cliPath}:\n${r.stdout}\n${r.stderr}`);
  }
  if (r.status !== 0) {
    // tsc still emits on type errors; keep going so one module's error does not hide every CLI test.
    console.warn(`[tests] tsc reported errors (dist was emitted anyway):\n${(r.stdout + r.stderr).slice(0, 4000)}`);
  }
  try {
    chmodSync(cliPath, 0o755);
  } catch {
    /* not essential */
  }
}

let built: Promise<void> | undefined;

/** Build dist/ once per test process if it is missing or older than src/. */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    if (!isStale()) return;
    await acquireLock();
    try {
      if (isStale()) build();
    } finally {
      rmSync(lockDir, { recursive: true, force: true });
    }
  })();
  return built;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Extra environment variables (merged over process.env unless `replaceEnv`). */
  env?: Record<string, string | undefined>;
  replaceEnv?: boolean;
  cwd?: string;
  /** Written to the child's stdin. */
  input?: string | Uint8Array;
  timeoutMs?: number;
}

/** Run `ensemble ARGS…` (node dist/cli/main.js); never throws on a non-zero exit. */
export async function runCli(args: string[], opts: RunCliOptions = {}): Promise<CliResult> {
  await ensureBuilt();
  const env = opts.replaceEnv ? { ...opts.env } : { ...process.env, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ensemble ${args.join(' ')} timed out after ${opts.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
