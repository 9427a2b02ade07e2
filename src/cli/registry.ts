import type { RegisterCommand } from './commands.js';

// One line per command module; keep sorted. Each module exports `register`.
export const commandModules: Array<() => Promise<{ register: RegisterCommand }>> = [
  () => import('./lm.js'),
];
