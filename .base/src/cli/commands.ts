import type { Command } from 'commander';

/** Each CLI command lives in its own module under src/cli/ and registers itself on the program. */
export type RegisterCommand = (program: Command) => void;
