import type { RegisterCommand } from './commands.js';

// One line per command module (its top-level command name, then the module); keep sorted. Each module exports `register`.
export const commandModules: Array<{ command: string; load: () => Promise<{ register: RegisterCommand }> }> = [
  { command: 'batch', load: () => import('./batch.js') },
  { command: 'build', load: () => import('./build.js') },
  { command: 'decode', load: () => import('./decode.js') },
  { command: 'eval', load: () => import('./eval.js') },
  { command: 'features', load: () => import('./features.js') },
  { command: 'import-nemo', load: () => import('./import-nemo.js') },
  { command: 'import-selector', load: () => import('./import-selector.js') },
  { command: 'infer', load: () => import('./infer.js') },
  { command: 'lm', load: () => import('./lm.js') },
  { command: 'serve', load: () => import('./serve.js') },
  { command: 'stream', load: () => import('./stream.js') },
  { command: 'transcribe', load: () => import('./transcribe.js') },
  { command: 'tune-lm', load: () => import('./tune-lm.js') },
  { command: 'worker', load: () => import('./worker.js') },
];
