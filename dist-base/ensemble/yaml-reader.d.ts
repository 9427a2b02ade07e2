import { UserError } from '../util/errors.js';
export type Path = Array<string | number>;
export declare function pathString(p: Path): string;
export declare class ConfigContext {
    readonly file: string;
    readonly displayFile: string;
    readonly lines: Map<string, number>;
    /** Key paths set by command-line overrides → the override as typed. */
    readonly overrides: Map<string, string>;
    readonly notes: string[];
    constructor(file: string, displayFile: string);
    /** The override that set `p` or one of its parents, if any. */
    overrideOf(p: Path): string | undefined;
    error(p: Path, message: string, code?: string): UserError;
}
/**
 * Parse YAML 1.1 text (as PyYAML/OmegaConf read it: `yes`/`on` booleans, merge keys) into plain JS, with every
 * key path's line recorded in `ctx`. Syntax errors and empty documents are UserErrors with `file:line`.
 */
export declare function parseYamlWithLines(ctx: ConfigContext, text: string): unknown;
export type Obj = Record<string, unknown>;
export declare function suggest(key: string, known: Iterable<string>): string;
export declare function editDistance(a: string, b: string): number;
export declare function asObject(ctx: ConfigContext, v: unknown, p: Path): Obj;
export declare function checkKeys(ctx: ConfigContext, o: Obj, p: Path, known: readonly string[]): void;
export declare function describe(v: unknown): string;
export declare function isMissing(v: unknown): boolean;
export declare function readString(ctx: ConfigContext, v: unknown, p: Path, opts?: {
    required?: boolean;
    nullable?: boolean;
}): string | null;
export declare function readNumber(ctx: ConfigContext, v: unknown, p: Path, def: number, opts?: {
    integer?: boolean;
    min?: number;
    exclusiveMin?: number;
}): number;
export declare function readBool(ctx: ConfigContext, v: unknown, p: Path, def: boolean): boolean;
export declare function readList(ctx: ConfigContext, v: unknown, p: Path): unknown[] | undefined;
export declare function oneOf<T extends string>(ctx: ConfigContext, v: unknown, p: Path, allowed: readonly T[], def?: T): T;
