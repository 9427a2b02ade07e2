import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/util/atomic.js';
import { registeredTemps, sweepStaleTempFiles, tempSibling } from '../../src/util/temp-files.js';
import { ensureBuilt } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';

describe('util/atomic and util/temp-files', () => {
  it('writeFileAtomic leaves only the target, and nothing registered once done', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atomic-'));
    await writeFileAtomic(path.join(dir, 'a', 'x.json'), '{}');
    expect(readdirSync(path.join(dir, 'a'))).toEqual(['x.json']);
    expect(registeredTemps()).toEqual([]);
  });

  it('sweepStaleTempFiles removes temp files of dead writers only (recursively on request)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atomic-'));
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const stale = path.join(dir, 'sub', `x.json.${dead}.deadbeef.tmp`);
    const live = tempSibling(path.join(dir, 'sub', 'y.json'));
    const other = path.join(dir, 'sub', 'notes.tmp'); // not our naming: never touched
    for (const f of [stale, live, other]) {
      await writeFileAtomic(f, 'x'); // creates the folder
    }
    expect(sweepStaleTempFiles(dir)).toBe(0);
    expect(sweepStaleTempFiles(dir, { recursive: true })).toBe(1);
    expect([existsSync(stale), existsSync(live), existsSync(other)]).toEqual([false, true, true]);
    expect(sweepStaleTempFiles(path.join(dir, 'missing'))).toBe(0);
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`registered temp files: ${sig} deletes the temp files being written, then the process dies of ${sig}`, async () => {
      await ensureBuilt();
      const dir = mkdtempSync(path.join(os.tmpdir(), 'atomic-'));
      const tmp = path.join(dir, `out.bin.${process.pid}.0badf00d.tmp`);
      const mod = pathToFileURL(path.join(repoRoot, 'dist', 'util', 'temp-files.js')).href;
      const script = `import { registerTemp } from '${mod}';
        import { writeFileSync } from 'node:fs';
        writeFileSync(${JSON.stringify(tmp)}, 'partial'); registerTemp(${JSON.stringify(tmp)});
        process.stdout.write('ready'); setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((r) => child.stdout.once('data', () => r()));
      expect(existsSync(tmp)).toBe(true);
      const closed = new Promise<NodeJS.Signals | null>((r) => child.on('close', (_c, s) => r(s)));
      child.kill(sig);
      expect(await closed).toBe(sig);
      expect(existsSync(tmp)).toBe(false);
      writeFileSync(path.join(dir, 'done'), '');
    });

    it(`${sig} arriving just before the last temp file is released is not lost (the process still dies of it)`, async () => {
      await ensureBuilt();
      const mod = pathToFileURL(path.join(repoRoot, 'dist', 'util', 'temp-files.js')).href;
      // The signal reaches Node's handler at once but its listeners a loop turn later; the release in between
      // once removed the only listener, and the process carried on as if never signalled (exit 0 after 2 s).
      const script = `import { registerTemp, releaseTemp } from '${mod}';
        registerTemp('/nonexistent/x.tmp');
        process.kill(process.pid, '${sig}');
        releaseTemp('/nonexistent/x.tmp');
        setTimeout(() => process.exit(0), 2000);`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
      expect({ status: r.status, signal: r.signal }).toEqual({ status: null, signal: sig });
    });
  }
});
