import type { RegisterCommand } from './commands.js';
export declare const commandModules: Array<() => Promise<{
    register: RegisterCommand;
}>>;
