#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { commandModules } from './registry.js';
import { isUserError } from '../util/errors.js';

async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('ensemble')
    .description('Serve several CTC speech-recognition models as one (confidence ensembles + n-gram LMs)')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  // A command named on the command line needs only its own module: the others import ONNX Runtime, Redis clients
  // and more (~0.3 s of start-up that `ensemble lm …` would pay on every call). Help and unknown commands load all.
  const named = commandModules.find((m) => m.command === argv[2]);
  for (const m of named ? [named] : commandModules) (await m.load()).register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isUserError(e)) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    const err = e as Error;
    process.stderr.write(`error: ${err?.message ?? String(e)}\n`);
    if (process.env.ENSEMBLE_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    return 1;
  }
}

// Exit explicitly (ONNX Runtime and worker pools can keep the loop alive), but only after stdout and stderr
// have drained: on a pipe Node writes asynchronously and process.exit() would cut long outputs short.
main(process.argv).then((code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
