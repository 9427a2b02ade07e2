/** Whether optional command-line tools are on PATH, for tests that skip cleanly without them. */
import { spawnSync } from 'node:child_process';

function runs(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

export const hasFfmpeg = runs('ffmpeg', ['-version']);
export const hasSox = runs('sox', ['--version']);
