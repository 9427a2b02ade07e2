/** Start the compiled `ensemble serve` (dist/, built if stale) in a child process and wait until it is ready. */
import { spawn } from 'node:child_process';
import { cliPath, ensureBuilt } from './cli.js';
import { repoRoot } from './shared.js';

export interface ServeProcess {
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
  kill: (sig: NodeJS.Signals) => void;
}

export async function spawnServe(ensembleDir: string, args: string[] = [], timeoutMs = 120_000): Promise<ServeProcess> {
  await ensureBuilt();
  const child = spawn(process.execPath, [cliPath, 'serve', '--ensemble', ensembleDir, '--port', '0', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const t0 = Date.now();
  let url: string | undefined;
  while (!url) {
    const m = /"msg":"listening","url":"(http:\/\/[^"]+)"/.exec(stderr);
    if (m) url = m[1];
    else if (Date.now() - t0 > timeoutMs || child.exitCode !== null) throw new Error(`serve did not start:\n${stderr}`);
    else await new Promise((r) => setTimeout(r, 50));
  }
  while (
    (await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`serve did not get ready:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stderr: () => stderr, exited, kill: (sig) => child.kill(sig) };
}
