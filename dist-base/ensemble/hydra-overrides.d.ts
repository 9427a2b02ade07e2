import { type ConfigContext, type Path } from './yaml-reader.js';
export interface HydraOverride {
    /** As typed on the command line. */
    text: string;
    op: 'set' | 'add' | 'force' | 'delete';
    path: Path;
    /** Parsed value (undefined for a delete without value). */
    value: unknown;
}
/** True when a command-line word is an override rather than a file name. */
export declare function looksLikeOverride(arg: string): boolean;
/** Parse a Hydra override value (the text after `=`). */
export declare function parseOverrideValue(raw: string, text?: string): unknown;
/** Parse one command-line override. */
export declare function parseOverride(text: string): HydraOverride;
/**
 * Apply overrides in order to the parsed config (before interpolation, as Hydra composes before OmegaConf
 * resolves). Records each overridden key path in `ctx.overrides` so errors name the override, not a line.
 * `hydra.*` overrides configure Hydra itself and are ignored with a note.
 */
export declare function applyOverrides(ctx: ConfigContext, root: Record<string, unknown>, overrides: readonly string[]): void;
