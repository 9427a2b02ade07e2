import type { Command } from 'commander';
import type { Selector } from '../selector/selector.js';
/** Reads sklearn's arrays JSON (NeMo's model-selection pipeline) from `file` and returns the validated Selector. */
export declare function readSklearnArrays(file: string): Promise<Selector>;
/** `ensemble import-selector arrays.json [-o selector.json]`: our selector JSON, atomically or to stdout. */
export declare function importSelectorCommand(file: string, output?: string): Promise<void>;
export declare function register(program: Command): void;
