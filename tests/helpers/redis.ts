/**
 * A throwaway Redis for tests: `redis-server` (Debian package) on a free loopback port, its own temporary
 * folder, no persistence; `stop()` shuts it down and removes the folder. `startRedis()` resolves to null with
 * the reason when redis-server is not installed or does not start (tests then skip with that message).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<TestRedis | { skip: string }> {
  const bin = process.env.REDIS_SERVER ?? 'redis-server';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'test-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'];
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `redis-server could not start (${(e as Error).message}); install Debian's redis-server` };
  }
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const spawnError = new Promise<string>((r) => child.once('error', (e) => r(e.message)));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const err = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
    if (err !== null) {
      await stop();
      return { skip: `redis-server could not start (${err}); install Debian's redis-server (.ci/run does)` };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      return { skip: `redis-server did not start: ${out.slice(-300)}` };
    }
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.write('PING\r\n');
        sock.once('data', (d) => {
          sock.destroy();
          resolve(d.toString().startsWith('+PONG'));
        });
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return { url: `redis://127.0.0.1:${port}`, port, stop };
  }
}
